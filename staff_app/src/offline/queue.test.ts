import { describe, expect, it, vi } from 'vitest'
import { createOutbox } from './outbox'
import { memoryQueueStore, replay, type QueuedWrite } from './queue'

function write(n: number, overrides: Partial<QueuedWrite> = {}): QueuedWrite {
  return {
    id: `key-${n}`, idempotencyKey: `key-${n}`, kind: 'share', userId: 7, path: `/api/v1/posts/${n}/shares`,
    body: { network: 'linkedin', caption: `caption ${n}` }, createdAt: `2026-12-04T10:00:0${n}Z`, label: `Post ${n}`, postId: n,
    ...overrides,
  }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

describe('the offline outbox replays writes with their original Idempotency-Key', () => {
  it('sends each write with the key it was made with, and removes it on 2xx', async () => {
    const store = memoryQueueStore()
    await store.put(write(1))
    await store.put(write(2, { kind: 'comment', path: '/api/v1/posts/2/comments', body: { body: 'Nice' } }))
    const sent: QueuedWrite[] = []
    const result = await replay(store, 7, async (w) => { sent.push(w); return json(201, { id: 100 + w.postId }) })
    expect(sent.map((w) => w.idempotencyKey)).toEqual(['key-1', 'key-2'])
    expect(sent[1].body).toEqual({ body: 'Nice' })
    expect(result.sent.map((s) => s.body)).toEqual([{ id: 101 }, { id: 102 }])
    expect(store.items.size).toBe(0)
  })

  it('keeps everything when the connection is still down, and stops at the first failure to keep the order', async () => {
    const store = memoryQueueStore()
    await store.put(write(1))
    await store.put(write(2))
    const send = vi.fn(async () => { throw new TypeError('Failed to fetch') })
    const result = await replay(store, 7, send)
    expect(send).toHaveBeenCalledTimes(1)
    expect(result.kept.map((w) => w.id)).toEqual(['key-1', 'key-2'])
    expect([...store.items.keys()].sort()).toEqual(['key-1', 'key-2'])
  })

  it('sends again with the same key after a network error (a retry never doubles the share)', async () => {
    const store = memoryQueueStore()
    await store.put(write(1))
    const keys: string[] = []
    let attempt = 0
    const send = async (w: QueuedWrite) => {
      keys.push(w.idempotencyKey)
      if (attempt++ === 0) throw new TypeError('Failed to fetch')
      return json(201, { id: 5 })
    }
    await replay(store, 7, send)
    await replay(store, 7, send)
    expect(keys).toEqual(['key-1', 'key-1'])
    expect(store.items.size).toBe(0)
  })

  it.each([400, 404, 409, 422])('drops a write the server refuses with %i and reports it with the detail', async (status) => {
    const store = memoryQueueStore()
    await store.put(write(1))
    await store.put(write(2))
    const result = await replay(store, 7, async (w) =>
      w.postId === 1 ? json(status, { title: 'No', detail: 'This story has expired.', status }) : json(201, { id: 9 }))
    expect(result.failed).toEqual([{ write: write(1), status, detail: 'This story has expired.' }])
    expect(result.sent.map((s) => s.write.id)).toEqual(['key-2'])
    expect(store.items.size).toBe(0)
  })

  it.each([401, 429, 500, 503])('keeps a write on %i and tries later', async (status) => {
    const store = memoryQueueStore()
    await store.put(write(1))
    const result = await replay(store, 7, async () => json(status, { detail: 'later' }))
    expect(result.kept.map((w) => w.id)).toEqual(['key-1'])
    expect(store.items.has('key-1')).toBe(true)
  })

  it("replays only the signed-in person's writes (a shared phone)", async () => {
    const store = memoryQueueStore()
    await store.put(write(1, { userId: 7 }))
    await store.put(write(2, { userId: 8 }))
    const sent: string[] = []
    await replay(store, 8, async (w) => { sent.push(w.id); return json(201, {}) })
    expect(sent).toEqual(['key-2'])
    expect([...store.items.keys()]).toEqual(['key-1'])
  })

  it('replays oldest first', async () => {
    const store = memoryQueueStore()
    await store.put(write(3, { createdAt: '2026-12-04T10:00:03Z' }))
    await store.put(write(1, { createdAt: '2026-12-04T10:00:01Z' }))
    const sent: string[] = []
    await replay(store, 7, async (w) => { sent.push(w.id); return json(201, {}) })
    expect(sent).toEqual(['key-1', 'key-3'])
  })
})

describe('what the person sees of the outbox', () => {
  it('counts a queued share as pending, then shows a refused one as failed until dismissed', async () => {
    const store = memoryQueueStore()
    const outbox = createOutbox(store, async () => json(422, { detail: 'The caption is too long for X.' }))
    outbox.start(7)
    await outbox.queue({ kind: 'share', userId: 7, path: '/api/v1/posts/1/shares', body: { network: 'x' },
      idempotencyKey: 'tap-1', label: 'Canteen news', postId: 1 })
    expect(outbox.pending.get().map((w) => w.idempotencyKey)).toEqual(['tap-1'])
    await outbox.flush()
    expect(outbox.pending.get()).toEqual([])
    expect(outbox.failed.get().map((f) => [f.write.label, f.status, f.detail]))
      .toEqual([['Canteen news', 422, 'The caption is too long for X.']])
  })

  it('offers the hand-off for a share recorded on reconnect, and sends it once', async () => {
    const store = memoryQueueStore()
    const send = vi.fn(async () => json(201, { id: 3, network: 'linkedin', tracked_url: 'http://s/abc', caption: 'Mine' }))
    const outbox = createOutbox(store, send)
    outbox.start(7)
    await outbox.queue({ kind: 'share', userId: 7, path: '/api/v1/posts/1/shares', body: { network: 'linkedin' },
      idempotencyKey: 'tap-2', label: 'P', postId: 1 })
    await Promise.all([outbox.flush(), outbox.flush()])
    await outbox.flush()
    expect(send).toHaveBeenCalledTimes(1)
    expect(outbox.sentShares.get().map((s) => s.tracked_url)).toEqual(['http://s/abc'])
    expect(outbox.tick.get()).toBe(1)
  })

  it('queueing the same tap twice keeps one write', async () => {
    const store = memoryQueueStore()
    const outbox = createOutbox(store, async () => json(201, {}))
    outbox.start(7)
    const w = { kind: 'comment' as const, userId: 7, path: '/api/v1/posts/1/comments', body: { body: 'Hi' },
      idempotencyKey: 'tap-3', label: 'P', postId: 1 }
    await outbox.queue(w)
    await outbox.queue(w)
    expect(outbox.pending.get()).toHaveLength(1)
  })
})

describe('a queued share refused for the social media policy waits for the policy, then goes with its own key', () => {
  const refused = () => json(409, {
    type: 'https://stafet.dev/problems/policy-not-accepted', status: 409, detail: 'Accept the social media policy first.',
  })

  /** Refuses shares until the policy is accepted; records the key of every attempt. */
  function fakeServer() {
    const keys: string[] = []
    let accepted = false
    const send = async (w: QueuedWrite) => {
      keys.push(w.idempotencyKey)
      return accepted ? json(201, { id: 9, network: 'linkedin', tracked_url: 'http://s/x' }) : refused()
    }
    return { keys, send, accept: () => { accepted = true } }
  }

  it('replay keeps it (and what came after it), instead of dropping it as failed', async () => {
    const store = memoryQueueStore()
    await store.put(write(1))
    await store.put(write(2))
    const server = fakeServer()
    const result = await replay(store, 7, server.send)
    expect(result.policyRequired).toBe(true)
    expect(result.failed).toEqual([])
    expect(result.kept.map((w) => w.id)).toEqual(['key-1', 'key-2'])
    expect(store.items.size).toBe(2)
  })

  it('another 409 is still a failure', async () => {
    const store = memoryQueueStore()
    await store.put(write(1))
    const result = await replay(store, 7, async () =>
      json(409, { type: 'https://stafet.dev/problems/conflict', detail: 'Already shared.' }))
    expect(result.policyRequired).toBe(false)
    expect(result.failed.map((f) => f.detail)).toEqual(['Already shared.'])
  })

  it('accepted: the outbox sends it again with the key from the tap, once', async () => {
    const server = fakeServer()
    const askPolicy = vi.fn(async () => { server.accept(); return true })
    const outbox = createOutbox(memoryQueueStore(), server.send, undefined, askPolicy)
    outbox.start(7)
    await outbox.queue({ kind: 'share', userId: 7, path: '/api/v1/posts/1/shares', body: { network: 'linkedin' },
      idempotencyKey: 'tap-9', label: 'P', postId: 1 })
    await outbox.flush()
    expect(askPolicy).toHaveBeenCalledTimes(1)
    expect(server.keys).toEqual(['tap-9', 'tap-9'])
    expect(outbox.pending.get()).toEqual([])
    expect(outbox.failed.get()).toEqual([])
    expect(outbox.sentShares.get().map((s) => s.id)).toEqual([9])
  })

  it('put off: the share stays queued; and a server that keeps refusing is asked about once per flush', async () => {
    const server = fakeServer()
    const askPolicy = vi.fn(async () => false)
    const outbox = createOutbox(memoryQueueStore(), server.send, undefined, askPolicy)
    outbox.start(7)
    await outbox.queue({ kind: 'share', userId: 7, path: '/api/v1/posts/1/shares', body: { network: 'linkedin' },
      idempotencyKey: 'tap-10', label: 'P', postId: 1 })
    await outbox.flush()
    expect(outbox.pending.get().map((w) => w.idempotencyKey)).toEqual(['tap-10'])
    expect(server.keys).toEqual(['tap-10'])

    const stubborn = vi.fn(async () => true)
    const outbox2 = createOutbox(memoryQueueStore(), async () => refused(), undefined, stubborn)
    outbox2.start(7)
    await outbox2.queue({ kind: 'share', userId: 7, path: '/api/v1/posts/1/shares', body: {}, idempotencyKey: 'tap-11',
      label: 'P', postId: 1 })
    await outbox2.flush()
    expect(stubborn).toHaveBeenCalledTimes(1)
    expect(outbox2.pending.get()).toHaveLength(1)
  })
})
