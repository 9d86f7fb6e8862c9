import { api, CLIENT_HEADER, currentRefreshToken, etags, setTokens, signedIn, unwrap } from './api/client'
import { exchangeSsoCode, login } from './api/login'
import type { Me, TokenPair } from './api/types'
import { locale, setLocale } from './i18n'
import { loginBody } from './lib/onboarding-forms'
import { policyGate } from './lib/policy'
import { createStore } from './lib/store'
import { startOutbox } from './offline/outbox'

/** The signed-in person (GET /me), kept fresh after anything that changes points or settings. */
export const me = createStore<Me | null>(null)

/** The API caches the service worker keeps for offline reading; they are personal, so they go on sign-out. */
export const API_CACHE = 'stafet-api'

function adopt(user: Me) {
  me.set(user)
  const stored = user.locale
  // A language chosen in Settings (stored on the user) follows the person to a new phone.
  if (stored && stored !== locale.get()) setLocale(stored, true)
  startOutbox(user.id)
}

export async function loadMe(): Promise<Me> {
  const user = await unwrap(api.GET('/api/v1/me'))
  adopt(user)
  return user
}

/** Signed in by any route that answers a token pair: sign-in, activation, a password reset, an auto-approved join. */
export function acceptTokenPair(pair: TokenPair): void {
  setTokens({ access: pair.access_token, refresh: pair.refresh_token })
  adopt(pair.user)
}

/** One field takes an email or a username: with an "@" it is an email. */
export async function signIn(identifier: string, password: string): Promise<void> {
  acceptTokenPair(await login(loginBody(identifier, password)))
}

/** Single sign-on: the one-time code from /app/signed-in, exchanged and kept exactly as a password sign-in. */
export async function signInWithSso(code: string): Promise<void> {
  acceptTokenPair(await exchangeSsoCode(code))
}

export async function activate(inviteToken: string, password: string, displayName?: string): Promise<void> {
  const body = { invite_token: inviteToken, password, ...(displayName ? { display_name: displayName } : {}) }
  acceptTokenPair(await unwrap(api.POST('/api/v1/auth/activate', { body, params: { header: CLIENT_HEADER } })))
}

export async function clearPersonalCaches(): Promise<void> {
  etags.clear()
  if (typeof caches !== 'undefined') await caches.delete(API_CACHE).catch(() => false)
}

/** Sign out here: end the session on the server (best effort) and forget everything personal on the phone. */
export async function signOut(): Promise<void> {
  const refresh = currentRefreshToken()
  if (refresh) {
    await api.POST('/api/v1/auth/logout', { body: { refresh_token: refresh } }).catch(() => undefined)
  }
  await signOutLocally()
}

/** Forget everything personal on the phone, for when the server has ended the session already (logout-all). */
export async function signOutLocally(): Promise<void> {
  setTokens(null)
  me.set(null)
  startOutbox(null)
  policyGate.forget()
  await clearPersonalCaches()
}

// Signed out by a refused refresh token too: nothing personal stays readable on the phone.
signedIn.subscribe((yes) => {
  if (!yes) {
    me.set(null)
    startOutbox(null)
    policyGate.forget()
    void clearPersonalCaches()
  }
})
