/**
 * Types of the issue 17 endpoints (sign-in by username, password reset, join codes, the social media
 * policy, my sessions), hand-typed until the contract has them: once mobile_contract/openapi.json lists
 * these operations, replace each type with its generated `components['schemas'][…]` and the calls in
 * reset.ts, join.ts, policy.ts and sessions.ts with the typed client.
 */
import type { TokenPair } from './types'

export type { TokenPair }

/** POST /api/v1/auth/login: one of email or username, and the password. */
export type LoginBody = { email: string; password: string } | { username: string; password: string }

/** POST /api/v1/auth/password-reset (always 202, whether or not the address has an account). */
export interface PasswordResetRequest {
  email: string
}

/** POST /api/v1/auth/password-reset/confirm → 200 TokenPair. */
export interface PasswordResetConfirm {
  token: string
  password: string
}

/** POST /api/v1/auth/join: an email or a username is required, not both. */
export interface JoinRequest {
  code: string
  display_name: string
  password: string
  email?: string
  username?: string
}

/** 202 from POST /auth/join: the team's leads approve (or decline) the person first. */
export interface JoinPending {
  status: 'pending'
}

/** What the join screen does next: wait for a lead, or go straight in (a code that auto-approves). */
export type JoinOutcome = { kind: 'pending' } | { kind: 'signed-in'; pair: TokenPair }

/** GET /api/v1/policy: `version` null means the organisation has no policy (nothing to accept). */
export interface Policy {
  version: number | null
  text: string | null
  published_at: string | null
  accepted: boolean
}

/** GET /api/v1/me/sessions: one signed-in device or browser. */
export interface SessionInfo {
  id: number | string
  device: string | null
  app: string | null
  created_at: string
  last_used_at: string | null
  current: boolean
}
