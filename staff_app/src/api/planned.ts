/**
 * Shapes of the endpoints issue 16 adds to the contract, typed by hand until they reach
 * mobile_contract/openapi.json (branch i16-backend). Delete this file once the generated types have them.
 */
import { request } from './client'
import type { Network } from './types'

export type Period = 'week' | 'month' | 'all_time'
export type Locale = 'da' | 'en'

export interface CaptionCheck {
  personal: boolean
  points_on_offer: number
  caption_max_length: number | null
}

export interface Impact {
  period: { key: Period; start: string; end: string | null }
  shares: number
  clicks: number
  estimated_reach: number
  streak_days: number
  rank: number | null
  on_leaderboard: boolean
}

export interface Results {
  period: { key: Period; start: string; end: string | null }
  participation: { eligible: number; active: number; rate: number }
  shares: number
  clicks: number
  estimated_reach: number
  top_posts: { id: number; title: string; shares: number; clicks: number }[]
}

export interface WebPushConfig {
  firebase: { apiKey: string; authDomain: string; projectId: string; messagingSenderId: string; appId: string }
  vapid_key: string
}

export interface ClientConfig {
  languages: Locale[]
  default_language: Locale
  web_push: WebPushConfig | null
  sso: { enabled: boolean; start_url: string | null }
  networks: Network[]
  caption_max_length: Partial<Record<Network, number>>
}

export const captionCheck = (postId: number, body: { network: Network; caption: string }, signal?: AbortSignal) =>
  request<CaptionCheck>('POST', `/api/v1/posts/${postId}/caption-check`, body, {}, signal)

export const getImpact = (period: Period) => request<Impact>('GET', `/api/v1/me/impact?period=${period}`)

export const getResults = (period: Period) => request<Results>('GET', `/api/v1/results?period=${period}`)

export const getClientConfig = () => request<ClientConfig>('GET', '/api/v1/client-config')

export const patchLocale = (locale: Locale) => request<unknown>('PATCH', '/api/v1/me', { locale })
