import { authFetch } from '../api/client'
import type { Share } from '../api/types'
import { createStore } from '../lib/store'
import { idbQueueStore } from './idb-store'
import { enqueue, replay, type QueuedWrite, type ReplayFailure, type WriteKind } from './queue'
import { online } from './online'

const store = idbQueueStore()

export const pendingWrites = createStore<QueuedWrite[]>([])
export const failedWrites = createStore<ReplayFailure[]>([])
/** Shares recorded on reconnect: the person still has to post them (the hand-off needs a tap). */
export const sentShares = createStore<Share[]>([])
/** Bumped after a replay so screens can reload what changed. */
export const replayTick = createStore(0)

let currentUser: number | null = null
let running: Promise<void> | null = null

async function refreshPending() {
  const all = await store.all()
  pendingWrites.set(all.filter((w) => w.userId === currentUser).sort((a, b) => a.createdAt.localeCompare(b.createdAt)))
}

export async function queueWrite(input: {
  kind: WriteKind; userId: number; path: string; body: unknown; idempotencyKey: string; label: string; postId: number
}): Promise<void> {
  await enqueue(store, { ...input, id: input.idempotencyKey, createdAt: new Date().toISOString() })
  await refreshPending()
}

function send(write: QueuedWrite): Promise<Response> {
  return authFetch(new Request(write.path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': write.idempotencyKey },
    body: JSON.stringify(write.body),
  }))
}

/** Replay the outbox now (on reconnect, at start, on demand); one replay at a time. */
export function flushOutbox(): Promise<void> {
  if (currentUser === null) return Promise.resolve()
  if (running) return running
  const user = currentUser
  running = (async () => {
    const result = await replay(store, user, send)
    if (result.sent.length || result.failed.length) {
      failedWrites.set((old) => [...old, ...result.failed])
      const shares = result.sent.filter((s) => s.write.kind === 'share').map((s) => s.body as Share)
      if (shares.length) sentShares.set((old) => [...old, ...shares])
      replayTick.set((n) => n + 1)
    }
    await refreshPending()
  })().finally(() => { running = null })
  return running
}

/** Start following the connection for this person (their writes only: a shared phone keeps them apart). */
export function startOutbox(userId: number | null): void {
  currentUser = userId
  void refreshPending()
  if (userId !== null && online.get()) void flushOutbox()
}

online.subscribe((isOnline) => { if (isOnline) void flushOutbox() })
