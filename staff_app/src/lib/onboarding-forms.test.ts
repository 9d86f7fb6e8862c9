import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/problem'
import {
  identifierKind, joinBody, linkNoLongerWorks, loginBody, passwordErrors, validateJoin, validateReset, type JoinForm,
} from './onboarding-forms'

describe('the sign-in field takes an email or a username', () => {
  it.each([
    ['anna@example.com', 'email'],
    ['  Anna@Example.com ', 'email'],
    ['anna.b', 'username'],
    ['lager-7', 'username'],
    ['ANNA_B', 'username'],
  ])('%j is an %s', (typed, kind) => {
    expect(identifierKind(typed.trim())).toBe(kind)
  })

  it('sends {email, password} for an address and {username, password} otherwise, trimmed, password untouched', () => {
    expect(loginBody(' anna@example.com ', ' pw ')).toEqual({ email: 'anna@example.com', password: ' pw ' })
    expect(loginBody(' Lager-7 ', 'secret')).toEqual({ username: 'Lager-7', password: 'secret' })
  })
})

describe('a new password: 10 to 256 characters, typed twice', () => {
  it.each([
    ['123456789', '123456789', { password: 'form.password_short' }],
    ['1234567890', '1234567890', {}],
    ['x'.repeat(256), 'x'.repeat(256), {}],
    ['x'.repeat(257), 'x'.repeat(257), { password: 'form.password_long' }],
    ['1234567890', '1234567899', { repeat: 'form.password_mismatch' }],
    ['1234567890', '', { repeat: 'form.password_mismatch' }],
    ['short', 'other', { password: 'form.password_short', repeat: 'form.password_mismatch' }],
  ])('%j / %j', (password, repeat, expected) => {
    expect(validateReset({ password, repeat })).toEqual(expected)
  })

  it('counts characters as the server does (an emoji is one character, not two)', () => {
    const nine = '😀'.repeat(9)
    expect(nine.length).toBe(18)
    expect(passwordErrors(nine, nine)).toEqual({ password: 'form.password_short' })
    expect(passwordErrors(`${nine}!`, `${nine}!`)).toEqual({})
  })
})

describe('the join form', () => {
  const ok: JoinForm = {
    displayName: 'Anna B', via: 'username', email: '', username: 'anna.b', password: 'long enough!', repeat: 'long enough!',
  }

  it('accepts a complete form with a username, or with an email', () => {
    expect(validateJoin(ok)).toEqual({})
    expect(validateJoin({ ...ok, via: 'email', email: 'anna@example.com', username: '' })).toEqual({})
  })

  it.each([
    [{ displayName: '   ' }, { display_name: 'form.name_required' }],
    [{ displayName: 'x'.repeat(81) }, { display_name: 'form.name_long' }],
    [{ username: 'ab' }, { username: 'form.username_invalid' }],
    [{ username: 'anna b' }, { username: 'form.username_invalid' }],
    [{ username: '.anna' }, { username: 'form.username_invalid' }],
    [{ username: 'a'.repeat(33) }, { username: 'form.username_invalid' }],
    [{ username: 'a'.repeat(32) }, {}],
    [{ via: 'email' as const, email: 'anna' }, { email: 'form.email_invalid' }],
    [{ via: 'email' as const, email: 'anna@example' }, { email: 'form.email_invalid' }],
    [{ password: 'short', repeat: 'short' }, { password: 'form.password_short' }],
    [{ repeat: 'different!!' }, { repeat: 'form.password_mismatch' }],
  ])('%j → %j', (change, expected) => {
    expect(validateJoin({ ...ok, ...change })).toEqual(expected)
  })

  it('checks only the way of signing in the person chose', () => {
    expect(validateJoin({ ...ok, via: 'email', email: 'anna@example.com', username: 'no spaces allowed' })).toEqual({})
    expect(validateJoin({ ...ok, via: 'username', email: 'not an email' })).toEqual({})
  })

  it('sends the email or the username, never both', () => {
    const both = { ...ok, email: 'anna@example.com', username: ' anna.b ' }
    expect(joinBody('JOIN1', both)).toEqual({ code: 'JOIN1', display_name: 'Anna B', password: 'long enough!', username: 'anna.b' })
    expect(joinBody('JOIN1', { ...both, via: 'email' }))
      .toEqual({ code: 'JOIN1', display_name: 'Anna B', password: 'long enough!', email: 'anna@example.com' })
  })
})

describe('a spent or expired link is told apart from a form to fix', () => {
  const problem = (status: number, slug: string, errors?: Record<string, string[]>) =>
    new ApiError(status, { status, type: `https://stafet.dev/problems/${slug}`, detail: 'x', errors })

  it.each([
    [problem(401, 'invalid-invite'), true],
    [problem(410, 'gone'), true],
    [problem(400, 'invalid-reset-token'), true],
    [problem(404, 'not-found'), true],
    [problem(422, 'validation-failed', { token: ['Not a valid token.'] }), true],
    [problem(422, 'validation-failed', { password: ['Use at least 10 characters.'] }), false],
    [problem(401, 'account-inactive'), false],
    [problem(429, 'rate-limited'), false],
    [problem(500, 'internal'), false],
    [new Error('network'), false],
  ])('%#', (error, expected) => {
    expect(linkNoLongerWorks(error, 'token')).toBe(expected)
  })
})
