import { describe, expect, it, vi } from 'vitest'
import { createAuthFetch } from './authfetch'
import { NetworkError } from './problem'
import { memoryTokenStorage } from './tokens'

const REFRESH = 'http://app/api/v1/auth/refresh'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

/** A fake API: access tokens a1, a2…; each refresh token works once (rotation), a reused one is refused. */
function fakeServer() {
  let generation = 1
  const used = new Set<string>()
  const calls: { url: string; auth: string | null }[] = []
  const fetch = vi.fn(async (request: Request) => {
    const url = new URL(request.url, 'http://app').pathname
    calls.push({ url, auth: request.headers.get('Authorization') })
    if (url === '/api/v1/auth/refresh') {
      const { refresh_token } = (await request.json()) as { refresh_token: string }
      if (used.has(refresh_token) || refresh_token !== `r${generation}`) return json(401, { detail: 'refresh token reused' })
      used.add(refresh_token)
      generation++
      return json(200, { access_token: `a${generation}`, refresh_token: `r${generation}` })
    }
    return request.headers.get('Authorization') === `Bearer a${generation}` ? json(200, { ok: true }) : json(401, { detail: 'expired' })
  })
  return { fetch, calls, expire: () => { generation++; used.clear() } }
}

describe('the bearer token and its refresh', () => {
  it('sends the access token', async () => {
    const server = fakeServer()
    const storage = memoryTokenStorage({ access: 'a1', refresh: 'r1' })
    const f = createAuthFetch({ refreshUrl: REFRESH, fetch: server.fetch, storage, onSignedOut: vi.fn() })
    expect((await f(new Request('http://app/api/v1/me'))).status).toBe(200)
    expect(server.calls).toEqual([{ url: '/api/v1/me', auth: 'Bearer a1' }])
  })

  it('on 401 refreshes once and retries the request with the new token', async () => {
    const server = fakeServer()
    const storage = memoryTokenStorage({ access: 'stale', refresh: 'r1' })
    const f = createAuthFetch({ refreshUrl: REFRESH, fetch: server.fetch, storage, onSignedOut: vi.fn() })
    const response = await f(new Request('http://app/api/v1/posts/1/comments', { method: 'POST', body: '{"body":"hi"}' }))
    expect(response.status).toBe(200)
    expect(storage.load()).toEqual({ access: 'a2', refresh: 'r2' })
    expect(server.calls.map((c) => c.url)).toEqual(['/api/v1/posts/1/comments', '/api/v1/auth/refresh', '/api/v1/posts/1/comments'])
  })

  it('three requests failing together share one refresh (a rotated token must not be spent twice)', async () => {
    const server = fakeServer()
    const storage = memoryTokenStorage({ access: 'stale', refresh: 'r1' })
    const onSignedOut = vi.fn()
    const f = createAuthFetch({ refreshUrl: REFRESH, fetch: server.fetch, storage, onSignedOut })
    const responses = await Promise.all(['/feed', '/me', '/badges'].map((p) => f(new Request(`http://app/api/v1${p}`))))
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200])
    expect(server.calls.filter((c) => c.url === '/api/v1/auth/refresh')).toHaveLength(1)
    expect(onSignedOut).not.toHaveBeenCalled()
  })

  it('a refused refresh token signs the person out and forgets the tokens', async () => {
    const server = fakeServer()
    const storage = memoryTokenStorage({ access: 'stale', refresh: 'r-old' })
    const onSignedOut = vi.fn()
    const f = createAuthFetch({ refreshUrl: REFRESH, fetch: server.fetch, storage, onSignedOut })
    const response = await f(new Request('http://app/api/v1/me'))
    expect(response.status).toBe(401)
    expect(onSignedOut).toHaveBeenCalledTimes(1)
    expect(storage.load()).toBeNull()
  })

  it('does not try to refresh for a failed sign-in', async () => {
    const fetch = vi.fn(async () => json(401, { detail: 'Wrong email or password' }))
    const f = createAuthFetch({ fetch, storage: memoryTokenStorage({ access: 'a', refresh: 'r' }), onSignedOut: vi.fn() })
    expect((await f(new Request('http://app/api/v1/auth/login', { method: 'POST', body: '{}' }))).status).toBe(401)
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('turns a failed fetch into a NetworkError (the caller queues the write)', async () => {
    const f = createAuthFetch({ fetch: async () => { throw new TypeError('Failed to fetch') }, storage: memoryTokenStorage(null), onSignedOut: vi.fn() })
    await expect(f(new Request('http://app/api/v1/feed'))).rejects.toBeInstanceOf(NetworkError)
  })
})
