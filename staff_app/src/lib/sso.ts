/**
 * Single sign-on in the staff app: the "Sign in with …" button sends the browser to the API's start URL with a
 * return address under /app/; the API sends it back to /app/signed-in with `?code=` (exchanged for the usual
 * token pair) or `?error=<slug>&error_description=<text>`. What to show for each is decided here.
 */
import type { components } from '../api/schema'
import type { MessageKey } from '../i18n/en'

/** The app route the API sends the browser back to (on PUBLIC_BASE_URL/app/, the default allow-list). */
export const SSO_RETURN_PATH = '/signed-in'

/** GET /client-config's `sso` block (generated from the contract). */
export type SsoConfig = components['schemas']['Sso']

/** Where the button goes: the API's start URL with this app's return address (same origin, under /app/). */
export function ssoStartHref(sso: SsoConfig, origin: string): string | null {
  if (!sso.enabled || !sso.start_url) return null
  const back = `${origin}/app${SSO_RETURN_PATH}`
  return `${sso.start_url}${sso.start_url.includes('?') ? '&' : '?'}redirect_uri=${encodeURIComponent(back)}`
}

/**
 * The password form is folded behind "Admin sign-in" only when single sign-on is on and passwords are off for the
 * organisation (the break-glass admin still signs in with one). Without SSO the form is the only way in.
 */
export function passwordFolded(sso: SsoConfig | null): boolean {
  return sso !== null && sso.enabled && !sso.password_login
}

export type SsoReturn =
  | { kind: 'code'; code: string }
  | { kind: 'error'; error: string; description: string }
  | { kind: 'none' }

/** What the API put on the return address. An error wins over a code (a code is never sent with one). */
export function readSsoReturn(query: URLSearchParams): SsoReturn {
  const error = query.get('error')?.trim()
  if (error) return { kind: 'error', error, description: (query.get('error_description') ?? '').trim() }
  const code = query.get('code')?.trim()
  if (code) return { kind: 'code', code }
  return { kind: 'none' }
}

/** The refusals the API names (api/services/oidc.py), each in the person's language. */
const REFUSALS: Record<string, MessageKey> = {
  'email-not-verified': 'sso.error_email_not_verified',
  'email-missing': 'sso.error_email_missing',
  'domain-not-allowed': 'sso.error_domain_not_allowed',
  'no-account': 'sso.error_no_account',
  'account-inactive': 'sso.error_account_inactive',
  'account-linked-elsewhere': 'sso.error_linked_elsewhere',
  'provider-unavailable': 'sso.error_provider_unavailable',
  'sso-provider-unavailable': 'sso.error_provider_unavailable',
  'provider-refused': 'sso.error_provider_refused',
  'sso-code-invalid': 'sso.error_code_invalid',
  // The provider's callback came back for a sign-in that is unknown, used or older than ten minutes.
  'sso-state-invalid': 'sso.error_code_invalid',
  'sso-off': 'sso.error_off',
  // Something between the provider and us was not right: nothing the person can fix but trying again.
  'token-exchange-failed': 'sso.error_technical',
  'id-token-invalid': 'sso.error_technical',
  'id-token-expired': 'sso.error_technical',
  'id-token-audience': 'sso.error_technical',
  'id-token-nonce': 'sso.error_technical',
  'id-token-issuer': 'sso.error_technical',
}

/**
 * The message for a refusal: a known slug's own text; anything else the generic text plus the server's
 * description (in English, but better than nothing), so a new slug on the server still says something useful.
 */
export function ssoRefusal(error: string, description: string): { key: MessageKey; detail: string | null } {
  const key = REFUSALS[error]
  if (key) return { key, detail: null }
  return { key: 'sso.error_generic', detail: description || null }
}

const REMEMBER_KEY = 'stafet.sso'

interface KeyValue {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

function defaultStorage(): KeyValue | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

/**
 * The last `sso` block seen, so the sign-in screen opened offline still shows the button (saying it needs a
 * connection) and does not flash the password form before folding it. Nothing personal: it is public config.
 */
export function rememberSso(sso: SsoConfig, storage: KeyValue | null = defaultStorage()): void {
  try { storage?.setItem(REMEMBER_KEY, JSON.stringify(sso)) } catch { /* storage full or blocked */ }
}

export function rememberedSso(storage: KeyValue | null = defaultStorage()): SsoConfig | null {
  try {
    const raw = storage?.getItem(REMEMBER_KEY)
    if (!raw) return null
    const v = JSON.parse(raw) as Partial<SsoConfig>
    if (typeof v.enabled !== 'boolean') return null
    return {
      enabled: v.enabled,
      start_url: typeof v.start_url === 'string' ? v.start_url : null,
      provider_name: typeof v.provider_name === 'string' ? v.provider_name : null,
      password_login: v.password_login !== false,
    }
  } catch {
    return null
  }
}
