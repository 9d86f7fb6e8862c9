import { describe, expect, it } from 'vitest'
import { joinOutcome } from './join'

describe('the answer to POST /auth/join', () => {
  it('202 {status: "pending"}: wait for a lead', () => {
    expect(joinOutcome({ status: 'pending' })).toEqual({ kind: 'pending' })
    expect(joinOutcome(undefined)).toEqual({ kind: 'pending' })
  })

  it('200 token pair (a code that auto-approves): signed in', () => {
    const pair = { access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900, user: { id: 1 } }
    expect(joinOutcome(pair)).toEqual({ kind: 'signed-in', pair })
  })
})
