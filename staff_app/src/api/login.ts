/** Sign-in by email or username (issue 17), naming this app for "where I am signed in". */
import { api, CLIENT_HEADER, unwrap } from './client'
import type { LoginBody } from './types'

export const login = (body: LoginBody) =>
  unwrap(api.POST('/api/v1/auth/login', { body, params: { header: CLIENT_HEADER } }))

/** Single sign-on's last step: the one-time code the API put on /app/signed-in → the same token pair as sign-in. */
export const exchangeSsoCode = (code: string) =>
  unwrap(api.POST('/api/v1/auth/oidc/exchange', { body: { code }, params: { header: CLIENT_HEADER } }))
