import { authFetch } from '../api/client'
import type { Share } from '../api/types'
import { policyGate } from '../lib/policy'
import { createStore, type Store } from '../lib/store'
import { idbQueueStore } from './idb-store'
import { enqueue, replay, type QueuedWrite, type QueueStore, type ReplayFailure, type Sender, type WriteKind } from './queue'
import { online } from './online'

export interface NewWrite {
  kind: WriteKind; userId: number; path: string; body: unknown; idempotencyKey: string; label: string; postId: number
}

export interface Outbox {
  /** My writes still waiting for a connection (the banner counts them; comments show greyed). */
  pending: Store<QueuedWrite[]>
  /** Writes the server refused on replay: shown until the person dismisses them. */
  failed: Store<ReplayFailure[]>
  /** Shares recorded on reconnect: the person still has to post them (the hand-off needs a tap). */
  sentShares: Store<Share[]>
  /** Bumped after a replay that changed something, so screens reload. */
  tick: Store<number>
  queue(input: NewWrite): Promise<void>
  flush(): Promise<void>
  start(userId: number | null): void
}

/**
 * `askPolicy` shows the social media policy when a replayed share is refused for it; accepted, the outbox
 * sends again (once per flush, so a server that still refuses cannot loop us).
 */
export function createOutbox(
  store: QueueStore, send: Sender, now: () => Date = () => new Date(), askPolicy?: () => Promise<boolean>,
): Outbox {
  const pending = createStore<QueuedWrite[]>([])
  const failed = createStore<ReplayFailure[]>([])
  const sentShares = createStore<Share[]>([])
  const tick = createStore(0)
  let currentUser: number | null = null
  let running: Promise<void> | null = null

  async function refreshPending() {
    const all = await store.all()
    pending.set(all.filter((w) => w.userId === currentUser).sort((a, b) => a.createdAt.localeCompare(b.createdAt)))
  }

  function flush(afterPolicy = false): Promise<void> {
    if (currentUser === null) return Promise.resolve()
    if (running) return running
    const user = currentUser
    let policyRequired = false
    running = (async () => {
      const result = await replay(store, user, send)
      policyRequired = result.policyRequired
      if (result.sent.length || result.failed.length) {
        failed.set((old) => [...old, ...result.failed])
        const shares = result.sent.filter((s) => s.write.kind === 'share').map((s) => s.body as Share)
        if (shares.length) sentShares.set((old) => [...old, ...shares])
        tick.set((n) => n + 1)
      }
      await refreshPending()
    })().finally(() => { running = null })
    return running.then(async () => {
      if (!policyRequired || afterPolicy || !askPolicy) return
      const accepted = await askPolicy().catch(() => false)
      if (accepted && currentUser === user) await flush(true)
    })
  }

  return {
    pending, failed, sentShares, tick, flush: () => flush(),
    async queue(input) {
      // The key doubles as the id: queueing the same tap twice keeps one entry.
      await enqueue(store, { ...input, id: input.idempotencyKey, createdAt: now().toISOString() })
      await refreshPending()
    },
    start(userId) {
      currentUser = userId
      void refreshPending()
    },
  }
}

/** Send a queued write again, exactly as first attempted: same path, body and Idempotency-Key. */
export function sendQueued(write: QueuedWrite): Promise<Response> {
  return authFetch(new Request(write.path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': write.idempotencyKey },
    body: JSON.stringify(write.body),
  }))
}

const outbox = createOutbox(
  typeof indexedDB === 'undefined' ? memoryFallback() : idbQueueStore(), sendQueued, undefined, () => policyGate.askAgain(),
)

function memoryFallback(): QueueStore {
  const items = new Map<string, QueuedWrite>()
  return { all: async () => [...items.values()], put: async (w) => { items.set(w.id, w) }, remove: async (id) => { items.delete(id) } }
}

export const pendingWrites = outbox.pending
export const failedWrites = outbox.failed
export const sentShares = outbox.sentShares
export const replayTick = outbox.tick
export const queueWrite = (input: NewWrite) => outbox.queue(input)
export const flushOutbox = () => outbox.flush()

/** Follow the connection for this person (their writes only: a shared phone keeps them apart). */
export function startOutbox(userId: number | null): void {
  outbox.start(userId)
  if (userId !== null && online.get()) void outbox.flush()
}

online.subscribe((isOnline) => { if (isOnline) void outbox.flush() })
