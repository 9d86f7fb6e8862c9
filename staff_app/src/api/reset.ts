/** Password reset (issue 17): ask for a link by email, then choose a new password from the link. */
import { request } from './client'
import type { PasswordResetConfirm, PasswordResetRequest, TokenPair } from './onboarding'

/** Always 202 when accepted: the answer never says whether the address has an account. */
export const requestPasswordReset = (body: PasswordResetRequest) =>
  request<void>('POST', '/api/v1/auth/password-reset', body)

export const confirmPasswordReset = (body: PasswordResetConfirm) =>
  request<TokenPair>('POST', '/api/v1/auth/password-reset/confirm', body)
