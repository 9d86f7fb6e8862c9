/** Joining a team with the code from its poster (issue 17): pending until a lead approves, or straight in. */
import { api, CLIENT_HEADER, unwrap } from './client'
import type { JoinBody, JoinPending, TokenPair } from './types'

/** What the join screen does next: wait for a lead of `team`, or go straight in (a code that auto-approves). */
export type JoinOutcome = { kind: 'pending'; team: JoinPending['team'] } | { kind: 'signed-in'; pair: TokenPair }

/** 200 is a token pair (the code approves by itself); 202 is `{status: "pending", team}`. */
export function joinOutcome(status: number, body: TokenPair | JoinPending): JoinOutcome {
  if (status === 200) return { kind: 'signed-in', pair: body as TokenPair }
  return { kind: 'pending', team: (body as JoinPending).team }
}

export async function join(body: JoinBody): Promise<JoinOutcome> {
  const answer = await api.POST('/api/v1/auth/join', { body, params: { header: CLIENT_HEADER } })
  return joinOutcome(answer.response.status, await unwrap(Promise.resolve(answer)))
}
