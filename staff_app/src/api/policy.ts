/** The organisation's social media policy (issue 17): read it, accept the current version. */
import { request } from './client'
import type { Policy } from './onboarding'

export const getPolicy = () => request<Policy>('GET', '/api/v1/policy')

export const acceptPolicy = (version: number) =>
  request<void>('POST', '/api/v1/me/policy-acceptance', { version })
