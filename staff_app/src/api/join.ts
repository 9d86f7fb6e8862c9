/** Joining a team with the code from its poster (issue 17): pending until a lead approves, or straight in. */
import { request } from './client'
import type { JoinOutcome, JoinRequest, TokenPair } from './onboarding'

/** 202 {status: "pending"} → wait for a lead; 200 token pair (the code auto-approves) → signed in. */
export function joinOutcome(body: unknown): JoinOutcome {
  if (body && typeof body === 'object' && 'access_token' in body && 'refresh_token' in body) {
    return { kind: 'signed-in', pair: body as TokenPair }
  }
  return { kind: 'pending' }
}

export const join = async (body: JoinRequest): Promise<JoinOutcome> =>
  joinOutcome(await request<unknown>('POST', '/api/v1/auth/join', body))
