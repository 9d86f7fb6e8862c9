import { describe, expect, it } from 'vitest'
import { en } from '../i18n/en'
import { translate } from '../i18n'
import {
  passwordFolded, readSsoReturn, rememberedSso, rememberSso, SSO_RETURN_PATH, ssoRefusal, ssoStartHref, type SsoConfig,
} from './sso'

const on: SsoConfig = { enabled: true, start_url: '/api/v1/auth/oidc/start', provider_name: 'Contoso', password_login: true }
const off: SsoConfig = { enabled: false, start_url: null, provider_name: null, password_login: true }

describe('the "Sign in with …" button', () => {
  it('opens the API start URL with this app\'s return address, under /app/ (the default allow-list)', () => {
    const url = new URL(ssoStartHref(on, 'https://go.stafet.test')!, 'https://go.stafet.test')
    expect(url.pathname).toBe('/api/v1/auth/oidc/start')
    expect(url.searchParams.get('redirect_uri')).toBe(`https://go.stafet.test/app${SSO_RETURN_PATH}`)
  })

  it('is not there when single sign-on is off', () => {
    expect(ssoStartHref(off, 'https://go.stafet.test')).toBeNull()
    expect(ssoStartHref({ ...on, start_url: null }, 'https://go.stafet.test')).toBeNull()
  })
})

describe('the password form', () => {
  it('is folded behind "Admin sign-in" only when SSO is on and passwords are off for the organisation', () => {
    expect(passwordFolded({ ...on, password_login: false })).toBe(true)
    expect(passwordFolded(on)).toBe(false)
  })

  it('stays open without SSO (break-glass only) or before the config is known: it is the only way in', () => {
    expect(passwordFolded({ ...off, password_login: false })).toBe(false)
    expect(passwordFolded(null)).toBe(false)
  })
})

describe('what the API put on /app/signed-in', () => {
  it('a one-time code', () => {
    expect(readSsoReturn(new URLSearchParams('code=abc_123'))).toEqual({ kind: 'code', code: 'abc_123' })
  })

  it('a refusal with its description (an error wins over anything else)', () => {
    const q = new URLSearchParams('error=email-not-verified&error_description=Not+verified.&code=x')
    expect(readSsoReturn(q)).toEqual({ kind: 'error', error: 'email-not-verified', description: 'Not verified.' })
  })

  it('nothing: reloaded after the code was taken off the address bar', () => {
    expect(readSsoReturn(new URLSearchParams(''))).toEqual({ kind: 'none' })
    expect(readSsoReturn(new URLSearchParams('code='))).toEqual({ kind: 'none' })
  })
})

describe('a refusal is told in the person\'s language', () => {
  it.each([
    ['email-not-verified', 'not verified'],
    ['domain-not-allowed', 'domain'],
    ['no-account', 'no Stafet account'],
    ['account-inactive', 'deactivated'],
    ['provider-unavailable', 'cannot be reached'],
    ['sso-provider-unavailable', 'cannot be reached'],
    ['sso-code-invalid', 'expired or was already used'],
    ['sso-state-invalid', 'expired or was already used'],
    ['id-token-nonce', 'could not be completed safely'],
  ])('%s has its own words, not the server\'s English description', (slug, words) => {
    const { key, detail } = ssoRefusal(slug, 'Server text in English.')
    expect(translate('en', key)).toContain(words)
    expect(translate('da', key)).not.toBe(translate('en', key))
    expect(detail).toBeNull()
  })

  it('an unknown slug: the generic message plus the server\'s description', () => {
    expect(ssoRefusal('something-new', 'The provider is in maintenance.'))
      .toEqual({ key: 'sso.error_generic', detail: 'The provider is in maintenance.' })
    expect(ssoRefusal('something-new', '')).toEqual({ key: 'sso.error_generic', detail: null })
  })

  it('every slug the API sends back to the app (api/services/oidc.py) has a message of its own', () => {
    const slugs = ['provider-refused', 'provider-unavailable', 'token-exchange-failed', 'id-token-invalid',
      'id-token-expired', 'id-token-audience', 'id-token-nonce', 'id-token-issuer', 'email-missing',
      'email-not-verified', 'domain-not-allowed', 'account-linked-elsewhere', 'no-account', 'account-inactive']
    expect(slugs.filter((s) => ssoRefusal(s, '').key === 'sso.error_generic')).toEqual([])
    expect(Object.keys(en)).toContain('sso.error_generic')
  })
})

describe('the last SSO settings are remembered for the offline sign-in screen', () => {
  const memory = () => {
    const m = new Map<string, string>()
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => { m.set(k, v) } }
  }

  it('round-trips', () => {
    const storage = memory()
    expect(rememberedSso(storage)).toBeNull()
    rememberSso({ ...on, password_login: false }, storage)
    expect(rememberedSso(storage)).toEqual({ ...on, password_login: false })
  })

  it('ignores what it cannot read', () => {
    const storage = memory()
    storage.setItem('stafet.sso', '{not json')
    expect(rememberedSso(storage)).toBeNull()
    storage.setItem('stafet.sso', '{"start_url": "/x"}')
    expect(rememberedSso(storage)).toBeNull()
    expect(rememberedSso(null)).toBeNull()
  })
})
