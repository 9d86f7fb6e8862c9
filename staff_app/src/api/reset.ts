/** Password reset (issue 17): ask for a link by email, then choose a new password from the link. */
import { api, CLIENT_HEADER, unwrap } from './client'
import type { PasswordResetConfirm, PasswordResetRequest } from './types'

/** Always 202 with the same `detail`: the answer never says whether the address has an account. */
export const requestPasswordReset = (body: PasswordResetRequest) =>
  unwrap(api.POST('/api/v1/auth/password-reset', { body }))

/** 200 with a token pair, like sign-in (a new session, so the app names itself); 401 `invalid-reset-token`. */
export const confirmPasswordReset = (body: PasswordResetConfirm) =>
  unwrap(api.POST('/api/v1/auth/password-reset/confirm', { body, params: { header: CLIENT_HEADER } }))
