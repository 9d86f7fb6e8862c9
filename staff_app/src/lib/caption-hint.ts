/**
 * The live "in your own words" hint: ask the server (POST /posts/{id}/caption-check) only once typing
 * pauses, and only show the answer for the text that is in the box now (a slow earlier answer is dropped).
 */
export interface CaptionHinterOptions<H> {
  check: (caption: string, signal: AbortSignal) => Promise<H>
  onHint: (hint: H, caption: string) => void
  onError?: (error: unknown) => void
  delayMs?: number
}

export interface CaptionHinter {
  update(caption: string): void
  cancel(): void
}

export function createCaptionHinter<H>(opts: CaptionHinterOptions<H>): CaptionHinter {
  const delay = opts.delayMs ?? 400
  let timer: ReturnType<typeof setTimeout> | null = null
  let controller: AbortController | null = null
  let seq = 0

  function cancel() {
    if (timer !== null) clearTimeout(timer)
    timer = null
    controller?.abort()
    controller = null
    seq++
  }

  function update(caption: string) {
    cancel()
    const mine = seq
    timer = setTimeout(() => {
      timer = null
      controller = new AbortController()
      opts.check(caption, controller.signal).then(
        (hint) => { if (mine === seq) opts.onHint(hint, caption) },
        (error) => {
          if (mine !== seq || (error instanceof DOMException && error.name === 'AbortError')) return
          opts.onError?.(error)
        },
      )
    }, delay)
  }

  return { update, cancel }
}
