import createClient from 'openapi-fetch'
import type { paths } from './schema'
import { createAuthFetch } from './authfetch'
import { createEtagCache, withEtags } from './etag'
import { ApiError } from './problem'
import { localTokenStorage, type Tokens } from './tokens'
import { createStore } from '../lib/store'
import { reportNetworkFailure, reportNetworkSuccess } from '../offline/online'

/** true while we hold tokens; the app shows Sign in when it turns false. */
export const signedIn = createStore<boolean>(localTokenStorage.load() !== null)

const webLock = <T,>(fn: () => Promise<T>): Promise<T> =>
  typeof navigator !== 'undefined' && navigator.locks
    ? (navigator.locks.request('stafet-refresh', fn) as Promise<T>)
    : fn()

export const etags = createEtagCache()

export const authFetch = createAuthFetch({
  fetch: async (r) => {
    try {
      const response = await fetch(r)
      // The service worker answers from its cache when the network is gone, and says so in this header.
      if (response.headers.get('X-Stafet-Cache') === 'offline') reportNetworkFailure()
      else reportNetworkSuccess()
      return response
    } catch (e) {
      reportNetworkFailure()
      throw e
    }
  },
  storage: localTokenStorage,
  onSignedOut: () => signedIn.set(false),
  lock: webLock,
})

const fetchWithEtags = withEtags(authFetch, etags)

/** The typed client, generated from mobile_contract/openapi.json: a contract change breaks the type check. */
export const api = createClient<paths>({ baseUrl: '', fetch: fetchWithEtags })

export function setTokens(tokens: Tokens | null): void {
  localTokenStorage.save(tokens)
  if (!tokens) etags.clear()
  signedIn.set(tokens !== null)
}

export function currentRefreshToken(): string | null {
  return localTokenStorage.load()?.refresh ?? null
}

/** Data of a 2xx, or throw an ApiError carrying the problem's detail and field errors. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call
  if (!response.ok) {
    const problem = (error && typeof error === 'object' ? error : { detail: String(error ?? '') }) as object
    throw new ApiError(response.status, { status: response.status, ...problem })
  }
  return data as T
}

/**
 * Sent with every request that starts a session (sign-in, activation, join, password reset): the server names
 * the session's app from it in "where I am signed in" (the contract's `X-Client` header).
 */
export const CLIENT_HEADER = { 'X-Client': 'staff-app' } as const

export function newIdempotencyKey(): string {
  return crypto.randomUUID()
}
