/**
 * ETag revalidation for GET /feed and /posts/{id}: remember the last body per URL, send If-None-Match,
 * and turn a 304 back into that body so callers always see a 200 with data.
 */
const REVALIDATED = /\/api\/v1\/(?:feed|posts\/\d+)(?:\?|$)/

export interface EtagCache {
  get(url: string): { etag: string; body: string } | undefined
  set(url: string, entry: { etag: string; body: string }): void
  clear(): void
}

export function createEtagCache(max = 30): EtagCache {
  const entries = new Map<string, { etag: string; body: string }>()
  return {
    get: (url) => entries.get(url),
    set(url, entry) {
      entries.delete(url)
      entries.set(url, entry)
      if (entries.size > max) entries.delete(entries.keys().next().value as string)
    },
    clear: () => entries.clear(),
  }
}

export function withEtags(
  fetchFn: (request: Request) => Promise<Response>,
  cache: EtagCache,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' || !REVALIDATED.test(request.url)) return fetchFn(request)
    const known = cache.get(request.url)
    if (known) request.headers.set('If-None-Match', known.etag)
    const response = await fetchFn(request)
    if (response.status === 304 && known) {
      return new Response(known.body, { status: 200, headers: { 'Content-Type': 'application/json', ETag: known.etag } })
    }
    const etag = response.headers.get('ETag')
    if (response.ok && etag) {
      const body = await response.clone().text()
      cache.set(request.url, { etag, body })
    }
    return response
  }
}
