import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createCaptionHinter } from './caption-hint'

interface Hint { personal: boolean; for: string }

describe('the live caption hint waits for a pause in typing', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('asks the server once, with the last text, after the person stops typing for the delay', async () => {
    const check = vi.fn(async (caption: string) => ({ personal: caption.length > 3, for: caption }))
    const hints: Hint[] = []
    const hinter = createCaptionHinter<Hint>({ check, onHint: (h) => hints.push(h), delayMs: 400 })
    for (const text of ['G', 'Gr', 'Gre', 'Grea', 'Great']) {
      hinter.update(text)
      await vi.advanceTimersByTimeAsync(100)
    }
    expect(check).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(300)
    expect(check).toHaveBeenCalledTimes(1)
    expect(check.mock.calls[0][0]).toBe('Great')
    expect(hints).toEqual([{ personal: true, for: 'Great' }])
  })

  it('does not ask before the delay has passed', async () => {
    const check = vi.fn(async () => ({ personal: true, for: '' }))
    const hinter = createCaptionHinter<Hint>({ check, onHint: () => undefined, delayMs: 400 })
    hinter.update('Hello')
    await vi.advanceTimersByTimeAsync(399)
    expect(check).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(check).toHaveBeenCalledTimes(1)
  })

  it('drops a slow answer for older text once the person typed on', async () => {
    const resolvers: ((h: Hint) => void)[] = []
    const signals: AbortSignal[] = []
    const check = vi.fn((caption: string, signal: AbortSignal) => {
      signals.push(signal)
      return new Promise<Hint>((resolve) => resolvers.push(() => resolve({ personal: false, for: caption })))
    })
    const hints: Hint[] = []
    const hinter = createCaptionHinter<Hint>({ check, onHint: (h) => hints.push(h), delayMs: 400 })
    hinter.update('first')
    await vi.advanceTimersByTimeAsync(400)
    hinter.update('first, then more')
    expect(signals[0].aborted).toBe(true)
    resolvers[0]({ personal: false, for: 'first' })
    await vi.advanceTimersByTimeAsync(400)
    resolvers[1]({ personal: true, for: 'first, then more' })
    await vi.advanceTimersByTimeAsync(0)
    expect(hints.map((h) => h.for)).toEqual(['first, then more'])
  })

  it('cancel stops a pending check (leaving the screen)', async () => {
    const check = vi.fn(async () => ({ personal: true, for: '' }))
    const hinter = createCaptionHinter<Hint>({ check, onHint: () => undefined, delayMs: 400 })
    hinter.update('text')
    hinter.cancel()
    await vi.advanceTimersByTimeAsync(1000)
    expect(check).not.toHaveBeenCalled()
  })

  it('reports a failed check so the screen can hide a stale hint', async () => {
    const onError = vi.fn()
    const hinter = createCaptionHinter<Hint>({ check: async () => { throw new Error('boom') }, onHint: () => undefined, onError, delayMs: 10 })
    hinter.update('x')
    await vi.advanceTimersByTimeAsync(10)
    expect(onError).toHaveBeenCalledTimes(1)
  })
})
