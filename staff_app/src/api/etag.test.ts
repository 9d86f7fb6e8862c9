import { describe, expect, it, vi } from 'vitest'
import { createEtagCache, withEtags } from './etag'

describe('ETag revalidation of the feed and posts', () => {
  it('sends If-None-Match with the last ETag and turns a 304 into the remembered body', async () => {
    const seen: (string | null)[] = []
    const fetch = vi.fn(async (r: Request) => {
      seen.push(r.headers.get('If-None-Match'))
      return seen.length === 1
        ? new Response('{"items":[{"id":1}],"next_cursor":null}', { status: 200, headers: { ETag: '"v1"' } })
        : new Response(null, { status: 304 })
    })
    const f = withEtags(fetch, createEtagCache())
    await f(new Request('http://app/api/v1/feed?limit=20'))
    const second = await f(new Request('http://app/api/v1/feed?limit=20'))
    expect(seen).toEqual([null, '"v1"'])
    expect(second.status).toBe(200)
    expect(await second.json()).toEqual({ items: [{ id: 1 }], next_cursor: null })
  })

  it.each([
    ['http://app/api/v1/posts/7', true],
    ['http://app/api/v1/feed', true],
    ['http://app/api/v1/me', false],
    ['http://app/api/v1/posts/7/comments', false],
  ])('%s revalidates: %s', async (url, revalidates) => {
    const cache = createEtagCache()
    cache.set(url, { etag: '"x"', body: '{}' })
    let header: string | null = null
    const f = withEtags(async (r) => { header = r.headers.get('If-None-Match'); return new Response('{}') }, cache)
    await f(new Request(url))
    expect(header).toBe(revalidates ? '"x"' : null)
  })
})
