/** The organisation's social media policy (issue 17): read it, accept the current version. */
import { api, unwrap } from './client'

/** `version` null: the organisation has no policy (then `accepted` is true and nothing is gated). */
export const getPolicy = () => unwrap(api.GET('/api/v1/policy'))

/** 204; 409 `policy-version-not-current` when a newer version was published meanwhile. */
export const acceptPolicy = (version: number) =>
  unwrap(api.POST('/api/v1/me/policy-acceptance', { body: { version } }))
