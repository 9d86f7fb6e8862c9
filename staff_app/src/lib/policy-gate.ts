/**
 * The social media policy before sharing (issue 17). Until a person has accepted the current version the
 * API answers a share with 409 `policy-not-accepted`; the app shows the policy before the share flow (and
 * after sign-in) so that rarely happens, and when it does (a new version was published meanwhile) it shows
 * the policy then and sends the very same request again.
 */
import type { Policy } from '../api/types'
import { ApiError, problemSlug } from '../api/problem'
import { createStore, type Store } from './store'

export const POLICY_NOT_ACCEPTED = 'policy-not-accepted'

export function isPolicyNotAccepted(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409 && problemSlug(error) === POLICY_NOT_ACCEPTED
}

/** A policy that still needs a yes: there is one, and this person has not accepted its current version. */
export const needsAcceptance = (policy: Policy | null): policy is Policy & { version: number } =>
  policy !== null && policy.version !== null && !policy.accepted

/**
 * Send with the Idempotency-Key made when the person tapped; on `policy-not-accepted`, ask (show the
 * policy) and, once accepted, send again with that same key — so a first attempt the server did record
 * after all is replayed, never doubled. Declined, or any other error: thrown as it came.
 */
export async function withPolicyGate<T>(
  idempotencyKey: string, send: (idempotencyKey: string) => Promise<T>, ask: () => Promise<boolean>,
): Promise<T> {
  try {
    return await send(idempotencyKey)
  } catch (error) {
    if (!isPolicyNotAccepted(error) || !(await ask())) throw error
    return send(idempotencyKey)
  }
}

/** The policy on screen and the answer the screens wait for; accept/decline close it. */
export interface PolicyPrompt {
  policy: Policy & { version: number }
  accept(): void
  decline(): void
  /** A newer version arrived while this one was open (accepting the old one answered 409): show that one. */
  replace(policy: Policy): void
}

export interface PolicyGate {
  prompt: Store<PolicyPrompt | null>
  /** true when sharing may go ahead: no policy, already accepted, or accepted now on the screen. */
  ensureAccepted(options?: { refresh?: boolean }): Promise<boolean>
  /** After the server said `policy-not-accepted`: the version we knew may be old, so look again. */
  askAgain(): Promise<boolean>
  /** Signed out: the next person on this phone has their own answer. */
  forget(): void
}

export function createPolicyGate(load: () => Promise<Policy>): PolicyGate {
  const prompt = createStore<PolicyPrompt | null>(null)
  let known: Policy | null = null
  let open: Promise<boolean> | null = null

  function ask(policy: Policy & { version: number }): Promise<boolean> {
    // One policy screen at a time: a second caller (the feed's share and the outbox) waits for the same answer.
    open ??= new Promise<boolean>((resolve) => {
      const close = (accepted: boolean, shown: Policy) => {
        if (accepted) known = { ...shown, accepted: true }
        prompt.set(null)
        open = null
        resolve(accepted)
      }
      const show = (p: Policy & { version: number }): PolicyPrompt => ({
        policy: p,
        accept: () => close(true, p),
        decline: () => close(false, p),
        replace: (next) => {
          known = next
          if (needsAcceptance(next)) prompt.set(show(next))
          else close(true, next)
        },
      })
      prompt.set(show(policy))
    })
    return open
  }

  async function ensureAccepted(options: { refresh?: boolean } = {}): Promise<boolean> {
    if (open) return open
    if (!known || options.refresh) known = await load()
    return needsAcceptance(known) ? ask(known) : true
  }

  return {
    prompt,
    ensureAccepted,
    askAgain: () => ensureAccepted({ refresh: true }),
    // A policy screen still open (a refused refresh token signed the person out under it) closes unanswered.
    forget: () => { prompt.get()?.decline(); known = null },
  }
}
