import { getPolicy } from '../api/policy'
import { createPolicyGate } from './policy-gate'

/** The app's one policy gate: App shows `policyGate.prompt`, the share flow and the outbox wait on it. */
export const policyGate = createPolicyGate(getPolicy)
