/** My sessions (issue 17): where I am signed in, and signing out one or all of them. */
import { request } from './client'
import type { SessionInfo } from './onboarding'

/** The list, or a page of it: both shapes are accepted until the contract settles it. */
export async function listSessions(): Promise<SessionInfo[]> {
  const body = await request<SessionInfo[] | { items: SessionInfo[] }>('GET', '/api/v1/me/sessions')
  return Array.isArray(body) ? body : body.items
}

export const revokeSession = (id: SessionInfo['id']) =>
  request<void>('DELETE', `/api/v1/me/sessions/${encodeURIComponent(String(id))}`)

export const logoutAll = () => request<void>('POST', '/api/v1/auth/logout-all')
