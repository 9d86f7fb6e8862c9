/** My sessions (issue 17): where I am signed in, and signing out one or all of them. */
import { api, unwrap } from './client'
import type { SessionInfo } from './types'

/** Live sessions, most recently used first. */
export const listSessions = async (): Promise<SessionInfo[]> => (await unwrap(api.GET('/api/v1/me/sessions'))).items

/** 204; someone else's or an unknown id is 404. */
export const revokeSession = (id: SessionInfo['id']) =>
  unwrap(api.DELETE('/api/v1/me/sessions/{session_id}', { params: { path: { session_id: id } } }))

/** 204: every session of mine ends, this one too. */
export const logoutAll = () => unwrap(api.POST('/api/v1/auth/logout-all'))
