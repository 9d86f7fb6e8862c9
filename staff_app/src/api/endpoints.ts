/** The calls issue 16 added to the contract, typed from the generated schema like the rest. */
import { api, unwrap } from './client'
import type { components } from './schema'
import type { Network } from './types'

type S = components['schemas']
export type CaptionCheck = S['CaptionCheckResult']
export type Impact = S['Impact']
export type Results = S['Results']
export type ClientConfig = S['ClientConfig']
export type WebPushConfig = S['WebPush']
export type Period = S['ReportPeriod']['key']
export type Locale = NonNullable<S['MePatch']['locale']>

export const captionCheck = (postId: number, body: { network: Network; caption: string }, signal?: AbortSignal) =>
  unwrap(api.POST('/api/v1/posts/{post_id}/caption-check', { params: { path: { post_id: postId } }, body, signal }))

export const getImpact = (period: Period) => unwrap(api.GET('/api/v1/me/impact', { params: { query: { period } } }))

export const getResults = (period: Period) => unwrap(api.GET('/api/v1/results', { params: { query: { period } } }))

export const getClientConfig = () => unwrap(api.GET('/api/v1/client-config'))

export const patchLocale = (locale: Locale) => unwrap(api.PATCH('/api/v1/me', { body: { locale } }))

/** The Firebase web config, or null when this installation has no web push. */
export function webPushOf(config: ClientConfig | null): WebPushConfig | null {
  const wp = config?.web_push
  return wp && typeof wp === 'object' && 'vapid_key' in wp && 'firebase' in wp ? (wp as WebPushConfig) : null
}
