import { describe, expect, it } from 'vitest'
import { ApiError, NetworkError, problemSlug } from '../api/problem'
import { setLocale } from '../i18n'
import { en } from '../i18n/en'
import { errorText } from './ui'

const problem = (status: number, type: string | undefined, detail: string) => new ApiError(status, { status, type, detail })

describe('what an error says on screen', () => {
  it('a plain 401 is an ended session', () => {
    expect(errorText(problem(401, 'https://stafet.dev/problems/unauthorized', 'Sign in again: the access token…')))
      .toBe(en['error.signed_out'])
    expect(errorText(problem(401, undefined, 'x'))).toBe(en['error.signed_out'])
  })

  it.each([
    ['invalid-invite', 'This invitation is not valid or has expired. Ask your admin for a new one.'],
    ['account-inactive', 'This account is deactivated. Ask your admin to reactivate it.'],
  ])('a 401 of its own kind (%s) says what happened, from its detail', (slug, detail) => {
    expect(errorText(problem(401, `https://stafet.dev/problems/${slug}`, detail))).toBe(detail)
  })

  it('a wrong password is said in the catalog\'s words (the server\'s detail is English only)', () => {
    expect(errorText(problem(401, 'https://stafet.dev/problems/invalid-credentials', 'The username or password is wrong.')))
      .toBe(en['error.invalid_credentials'])
  })

  it('other problems show their detail; no connection says so', () => {
    expect(errorText(problem(409, 'https://stafet.dev/problems/a-kind-the-app-does-not-know', 'Something new.')))
      .toBe('Something new.')
    expect(errorText(new NetworkError())).toBe(en['error.offline'])
  })

  // The refusals staff meet, as the Danish person reads them (the server's details are English).
  it.each([
    [403, 'awaiting-approval', 'venter på, at en teamleder godkender'],
    [401, 'account-inactive', 'Denne konto er deaktiveret'],
    [401, 'invalid-invite', 'Invitationen er ikke gyldig'],
    [401, 'invalid-reset-token', 'Linket til ny adgangskode er ikke gyldigt'],
    [404, 'join-code-not-found', 'Koden findes ikke'],
    [410, 'join-code-revoked', 'Koden er trukket tilbage'],
    [410, 'join-code-expired', 'Koden er udløbet'],
    [410, 'join-code-used-up', 'Koden er brugt så mange gange'],
    [409, 'email-taken', 'Der findes allerede en konto med den e-mail'],
    [409, 'username-taken', 'Brugernavnet er taget'],
    [403, 'password-login-off', 'log ind med din firmakonto'],
    [401, 'session-ended', 'logget ud af denne session'],
    [409, 'out-of-stock', 'udsolgt'],
    [422, 'insufficient-balance', 'ikke point nok'],
    [429, 'rate-limited', 'For mange forsøg'],
    [401, 'invalid-credentials', 'E-mail, brugernavn eller adgangskode er forkert'],
  ])('in Danish, %i %s says "%s"', (status, slug, words) => {
    setLocale('da', false)
    try {
      expect(errorText(problem(status, `https://stafet.dev/problems/${slug}`, 'The English detail.'))).toContain(words)
    } finally {
      setLocale('en', false)
    }
  })
})

describe("a problem's kind", () => {
  it.each([
    ['https://stafet.dev/problems/policy-not-accepted', 'policy-not-accepted'],
    ['https://stafet.dev/problems/policy-not-accepted/', 'policy-not-accepted'],
    ['about:blank', ''],
    [undefined, ''],
  ])('%s → %j', (type, slug) => {
    expect(problemSlug(problem(409, type, 'x'))).toBe(slug)
  })

  it('a `slug` member wins, and anything that is not a problem has none', () => {
    expect(problemSlug(new ApiError(409, { status: 409, slug: 'policy-not-accepted' } as never))).toBe('policy-not-accepted')
    expect(problemSlug(new Error('x'))).toBe('')
  })
})
