import { describe, expect, it, vi } from 'vitest'
import type { Policy } from '../api/types'
import { ApiError } from '../api/problem'
import { createPolicyGate, isPolicyNotAccepted, withPolicyGate } from './policy-gate'

const notAccepted = () => new ApiError(409, {
  status: 409, type: 'https://stafet.dev/problems/policy-not-accepted', detail: 'Accept the social media policy first.',
})

/** A fake share endpoint: refuses with policy-not-accepted until the policy is accepted; records each key. */
function fakeShares() {
  const keys: string[] = []
  let accepted = false
  const send = vi.fn(async (key: string) => {
    keys.push(key)
    if (!accepted) throw notAccepted()
    return { id: 7, idempotencyKey: key }
  })
  return { send, keys, accept: () => { accepted = true } }
}

describe('a share refused for the policy is sent again, with its original Idempotency-Key, once accepted', () => {
  it('asks, then retries with the same key', async () => {
    const server = fakeShares()
    const ask = vi.fn(async () => { server.accept(); return true })
    const share = await withPolicyGate('key-from-the-tap', server.send, ask)
    expect(share).toEqual({ id: 7, idempotencyKey: 'key-from-the-tap' })
    expect(ask).toHaveBeenCalledTimes(1)
    expect(server.keys).toEqual(['key-from-the-tap', 'key-from-the-tap'])
  })

  it('declined: no second request, and the 409 reaches the screen', async () => {
    const server = fakeShares()
    const error = await withPolicyGate('k1', server.send, async () => false).catch((e: unknown) => e)
    expect(isPolicyNotAccepted(error)).toBe(true)
    expect(server.keys).toEqual(['k1'])
  })

  it('retries once only: a second refusal is shown, not looped on', async () => {
    const server = fakeShares()
    const error = await withPolicyGate('k1', server.send, async () => true).catch((e: unknown) => e)
    expect(isPolicyNotAccepted(error)).toBe(true)
    expect(server.keys).toEqual(['k1', 'k1'])
  })

  it('other errors, other 409s included, do not open the policy', async () => {
    const ask = vi.fn(async () => true)
    const clash = new ApiError(409, { status: 409, type: 'https://stafet.dev/problems/idempotency-key-reused', detail: 'x' })
    await expect(withPolicyGate('k', async () => { throw clash }, ask)).rejects.toBe(clash)
    const unknown = new ApiError(409, { status: 409, detail: 'x' })
    await expect(withPolicyGate('k', async () => { throw unknown }, ask)).rejects.toBe(unknown)
    expect(ask).not.toHaveBeenCalled()
  })
})

const policy = (over: Partial<Policy> = {}): Policy =>
  ({ version: 2, text: 'Be kind.', published_at: '2026-12-01T09:00:00Z', accepted: false, ...over })

describe('the policy screen before sharing', () => {
  it('no policy (version null) or already accepted: go ahead without showing anything', async () => {
    for (const p of [policy({ version: null, text: null, published_at: null }), policy({ accepted: true })]) {
      const gate = createPolicyGate(async () => p)
      expect(await gate.ensureAccepted()).toBe(true)
      expect(gate.prompt.get()).toBeNull()
    }
  })

  it('not accepted: shows it and waits; accepted once, it is not shown again', async () => {
    const load = vi.fn(async () => policy())
    const gate = createPolicyGate(load)
    const answer = gate.ensureAccepted()
    await vi.waitFor(() => expect(gate.prompt.get()?.policy.version).toBe(2))
    gate.prompt.get()!.accept()
    expect(await answer).toBe(true)
    expect(gate.prompt.get()).toBeNull()
    expect(await gate.ensureAccepted()).toBe(true)
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('two screens asking at once share one policy screen and one answer', async () => {
    const gate = createPolicyGate(async () => policy())
    const first = gate.ensureAccepted()
    await vi.waitFor(() => expect(gate.prompt.get()).not.toBeNull())
    const second = gate.ensureAccepted()
    gate.prompt.get()!.decline()
    expect(await Promise.all([first, second])).toEqual([false, false])
  })

  it('after a 409 it looks again: a version published meanwhile is the one shown', async () => {
    let current = policy({ version: 1, accepted: true })
    const gate = createPolicyGate(async () => current)
    expect(await gate.ensureAccepted()).toBe(true)
    current = policy({ version: 2 })
    const answer = gate.askAgain()
    await vi.waitFor(() => expect(gate.prompt.get()?.policy.version).toBe(2))
    gate.prompt.get()!.accept()
    expect(await answer).toBe(true)
  })

  it('a newer version replacing the open one is shown in its place', async () => {
    const gate = createPolicyGate(async () => policy({ version: 2 }))
    const answer = gate.ensureAccepted()
    await vi.waitFor(() => expect(gate.prompt.get()).not.toBeNull())
    gate.prompt.get()!.replace(policy({ version: 3 }))
    expect(gate.prompt.get()?.policy.version).toBe(3)
    gate.prompt.get()!.accept()
    expect(await answer).toBe(true)
  })

  it('a signed-out phone forgets the answer: the next person is asked', async () => {
    const gate = createPolicyGate(async () => policy())
    const first = gate.ensureAccepted()
    await vi.waitFor(() => expect(gate.prompt.get()).not.toBeNull())
    gate.prompt.get()!.accept()
    await first
    gate.forget()
    const next = gate.ensureAccepted()
    await vi.waitFor(() => expect(gate.prompt.get()).not.toBeNull())
    gate.forget()
    expect(gate.prompt.get()).toBeNull()
    expect(await next).toBe(false)
  })
})
