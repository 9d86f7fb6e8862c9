import { describe, expect, it } from 'vitest'
import { ApiError, NetworkError, problemSlug } from '../api/problem'
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
    expect(errorText(problem(410, 'https://stafet.dev/problems/join-code-revoked', 'This join code was revoked.')))
      .toBe('This join code was revoked.')
    expect(errorText(new NetworkError())).toBe(en['error.offline'])
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
