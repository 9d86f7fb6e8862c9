import { beforeEach, describe, expect, it, vi } from 'vitest'

/** Every POST the typed client makes, with the path and the options it was given. */
const posts: { path: string; init: { params?: { header?: Record<string, string> } } }[] = []
const pair = { access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900, user: { id: 1 } }

// activate() stores the pair it gets (session.ts), so the phone's storage has to exist.
const stored = new Map<string, string>()
vi.stubGlobal('localStorage', {
  getItem: (k: string) => stored.get(k) ?? null,
  setItem: (k: string, v: string) => { stored.set(k, v) },
  removeItem: (k: string) => { stored.delete(k) },
})

vi.mock('./client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./client')>()),
  api: {
    POST: vi.fn(async (path: string, init: (typeof posts)[number]['init']) => {
      posts.push({ path, init })
      return { data: pair, response: new Response(null, { status: 200 }) }
    }),
  },
}))

const { login } = await import('./login')
const { confirmPasswordReset, requestPasswordReset } = await import('./reset')
const { join } = await import('./join')
const { activate, signIn, signInWithSso } = await import('../session')
const { signedIn } = await import('./client')

const xClient = (path: string) => posts.find((p) => p.path === path)?.init.params?.header?.['X-Client']

describe('requests that start a session name the app (X-Client: staff-app) for "where I am signed in"', () => {
  beforeEach(() => { posts.length = 0 })

  it.each([
    ['/api/v1/auth/login', () => login({ username: 'mia.demo', password: 'x' })],
    ['/api/v1/auth/password-reset/confirm', () => confirmPasswordReset({ token: 't', password: 'p' })],
    ['/api/v1/auth/join', () => join({ code: 'c', display_name: 'Mia', password: 'p', username: 'mia' })],
    ['/api/v1/auth/activate', () => activate('invite', 'p')],
    ['/api/v1/auth/oidc/exchange', () => signInWithSso('one-time-code')],
  ])('%s', async (path, call) => {
    await call()
    expect(xClient(path)).toBe('staff-app')
  })

  it('asking for a reset link starts no session and says nothing about the app', async () => {
    await requestPasswordReset({ email: 'a@example.com' })
    expect(posts).toHaveLength(1)
    expect(xClient('/api/v1/auth/password-reset')).toBeUndefined()
  })
})

describe('single sign-on keeps the session exactly as a password sign-in does', () => {
  it('the same token pair ends up stored the same way, and the app counts as signed in', async () => {
    stored.clear()
    signedIn.set(false)
    await signIn('mia.demo', 'a password')
    const afterPassword = new Map(stored)
    expect(signedIn.get()).toBe(true)

    stored.clear()
    signedIn.set(false)
    posts.length = 0
    await signInWithSso('one-time-code')
    expect(posts.map((p) => p.path)).toEqual(['/api/v1/auth/oidc/exchange'])
    expect(new Map(stored)).toEqual(afterPassword)
    expect(signedIn.get()).toBe(true)
  })
})
