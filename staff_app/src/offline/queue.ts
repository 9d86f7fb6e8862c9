/**
 * The offline outbox: a share or comment made without a connection is stored (IndexedDB in the app) with
 * the Idempotency-Key created when the person tapped, and replayed with that same key when the connection
 * returns — so a retry after a lost response never makes a second share or comment.
 */
import { POLICY_NOT_ACCEPTED } from '../lib/policy-gate'

export type WriteKind = 'share' | 'comment'

export interface QueuedWrite {
  id: string
  kind: WriteKind
  userId: number
  path: string
  body: unknown
  idempotencyKey: string
  createdAt: string
  /** What the person sees in the outbox and in a failure message, e.g. the post title. */
  label: string
  postId: number
}

export interface QueueStore {
  all(): Promise<QueuedWrite[]>
  put(write: QueuedWrite): Promise<void>
  remove(id: string): Promise<void>
}

export interface ReplayFailure {
  write: QueuedWrite
  status: number
  detail: string
}

export interface ReplayResult {
  sent: { write: QueuedWrite; body: unknown }[]
  failed: ReplayFailure[]
  kept: QueuedWrite[]
  /** A share was refused until the person accepts the social media policy: kept, to send again after. */
  policyRequired: boolean
}

/** Send one write: resolves with the response, rejects when there is no connection. */
export type Sender = (write: QueuedWrite) => Promise<Response>

/** Statuses worth retrying later: signed out for now, rate limited, or the server having a bad moment. */
function retryLater(status: number): boolean {
  return status === 401 || status === 408 || status === 429 || status >= 500
}

export async function enqueue(store: QueueStore, write: QueuedWrite): Promise<void> {
  await store.put(write)
}

/**
 * Replay my queued writes oldest first. 2xx: done, removed. No connection: kept, and the rest waits too
 * (order matters: a comment must not overtake the share before it). 4xx: the server will never accept it
 * (the post expired, the comment is too long…): removed and reported, so the person sees it failed —
 * except 409 policy-not-accepted, which the person can fix: kept, with `policyRequired` set.
 */
export async function replay(store: QueueStore, userId: number, send: Sender): Promise<ReplayResult> {
  const result: ReplayResult = { sent: [], failed: [], kept: [], policyRequired: false }
  const mine = (await store.all())
    .filter((w) => w.userId === userId)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  for (let i = 0; i < mine.length; i++) {
    const write = mine[i]
    let response: Response
    try {
      response = await send(write)
    } catch {
      result.kept.push(...mine.slice(i))
      break
    }
    if (response.ok) {
      let body: unknown = null
      try { body = await response.json() } catch { /* 204 or empty */ }
      await store.remove(write.id)
      result.sent.push({ write, body })
    } else if (retryLater(response.status)) {
      result.kept.push(...mine.slice(i))
      break
    } else {
      let problem: { detail?: string; title?: string; type?: string } = {}
      try {
        problem = (await response.json()) as typeof problem
      } catch { /* not JSON */ }
      if (response.status === 409 && problem.type?.split('/').pop() === POLICY_NOT_ACCEPTED) {
        // Not refused for good: once the policy is accepted the same write (same key) goes through.
        result.kept.push(...mine.slice(i))
        result.policyRequired = true
        break
      }
      await store.remove(write.id)
      result.failed.push({ write, status: response.status, detail: problem.detail || problem.title || '' })
    }
  }
  return result
}

export function memoryQueueStore(): QueueStore & { items: Map<string, QueuedWrite> } {
  const items = new Map<string, QueuedWrite>()
  return {
    items,
    all: async () => [...items.values()],
    put: async (w) => { items.set(w.id, w) },
    remove: async (id) => { items.delete(id) },
  }
}
