/** Sign-in (issue 17 adds usernames): hand-typed until the contract's Login schema lists `username`. */
import { request } from './client'
import type { LoginBody, TokenPair } from './onboarding'

export const login = (body: LoginBody) => request<TokenPair>('POST', '/api/v1/auth/login', body)
