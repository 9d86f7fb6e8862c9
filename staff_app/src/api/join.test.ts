import { describe, expect, it } from 'vitest'
import { joinOutcome } from './join'
import type { Me, TokenPair } from './types'

describe('the answer to POST /auth/join', () => {
  it('202 {status: "pending", team}: wait for a lead of that team', () => {
    const team = { id: 3, name: 'Stores North' }
    expect(joinOutcome(202, { status: 'pending', team })).toEqual({ kind: 'pending', team })
  })

  it('200 token pair (a code that auto-approves): signed in', () => {
    const pair: TokenPair = {
      access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900, user: { id: 1 } as Me,
    }
    expect(joinOutcome(200, pair)).toEqual({ kind: 'signed-in', pair })
  })
})
