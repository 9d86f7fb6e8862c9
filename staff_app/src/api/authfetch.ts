import { NetworkError } from './problem'
import type { TokenStorage, Tokens } from './tokens'

export interface AuthFetchOptions {
  fetch: (request: Request) => Promise<Response>
  storage: TokenStorage
  /** Called when the refresh token is refused: the person must sign in again. */
  onSignedOut: () => void
  /** Serialises refreshes across tabs (Web Locks) so two tabs never spend the same rotating token. */
  lock?: <T>(fn: () => Promise<T>) => Promise<T>
  refreshUrl?: string
}

export interface AuthFetch {
  (request: Request): Promise<Response>
  /** Swap the refresh token once; concurrent callers share the one in-flight refresh. */
  refresh(): Promise<boolean>
}

/**
 * fetch with the bearer token. A 401 triggers one refresh (refresh tokens rotate: a used one is refused
 * and revokes the whole family, so every request waiting on a 401 shares the same refresh) and one retry.
 * A rejected fetch becomes a NetworkError so callers can queue writes.
 */
export function createAuthFetch(opts: AuthFetchOptions): AuthFetch {
  const refreshUrl = opts.refreshUrl ?? '/api/v1/auth/refresh'
  const lock = opts.lock ?? ((fn) => fn())
  let inFlight: Promise<boolean> | null = null

  async function send(request: Request): Promise<Response> {
    try {
      return await opts.fetch(request)
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e
      throw new NetworkError(e)
    }
  }

  function withToken(request: Request, tokens: Tokens | null): Request {
    const r = new Request(request)
    if (tokens) r.headers.set('Authorization', `Bearer ${tokens.access}`)
    return r
  }

  async function doRefresh(usedAccess: string | undefined): Promise<boolean> {
    return lock(async () => {
      const current = opts.storage.load()
      if (!current) return false
      // Another tab refreshed while we waited for the lock: its new pair is already stored.
      if (usedAccess !== undefined && current.access !== usedAccess) return true
      const response = await send(new Request(refreshUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: current.refresh }),
      }))
      if (response.ok) {
        const pair = (await response.json()) as { access_token: string; refresh_token: string }
        opts.storage.save({ access: pair.access_token, refresh: pair.refresh_token })
        return true
      }
      if (response.status === 401 || response.status === 422) {
        opts.storage.save(null)
        opts.onSignedOut()
      }
      return false
    })
  }

  function refresh(usedAccess?: string): Promise<boolean> {
    if (!inFlight) {
      inFlight = doRefresh(usedAccess).finally(() => { inFlight = null })
    }
    return inFlight
  }

  const authFetch = (async (request: Request) => {
    const tokens = opts.storage.load()
    const retry = request.clone()
    const response = await send(withToken(request, tokens))
    if (response.status !== 401 || !tokens || request.url.includes('/auth/')) return response
    const refreshed = await refresh(tokens.access)
    if (!refreshed) return response
    return send(withToken(retry, opts.storage.load()))
  }) as AuthFetch
  authFetch.refresh = () => refresh()
  return authFetch
}
