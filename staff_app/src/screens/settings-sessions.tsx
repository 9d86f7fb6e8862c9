import { useState } from 'preact/hooks'
import type { SessionApp, SessionInfo } from '../api/types'
import { listSessions, logoutAll, revokeSession } from '../api/sessions'
import { Confirm, ErrorNote, Loading, toast } from '../components/ui'
import { formatRelative, t, type MessageKey } from '../i18n'
import { navigate } from '../lib/router'
import { useAsync } from '../lib/use-async'
import { signOut, signOutLocally } from '../session'

/** The contract's app names, as people call them. */
const APP_LABEL: Record<SessionApp, MessageKey> = {
  staff_app: 'sessions.app_staff_app',
  console: 'sessions.app_console',
  other: 'sessions.app_other',
}

/** Settings → where I am signed in: each session with a Sign out, and Sign out everywhere. */
export function Sessions() {
  const sessions = useAsync(listSessions, [])
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState<SessionInfo['id'] | 'all' | null>(null)
  const [confirmAll, setConfirmAll] = useState(false)

  async function end(session: SessionInfo) {
    setError(null)
    setBusy(session.id)
    try {
      if (session.current) {
        // This phone: the ordinary sign-out (ends this session and forgets everything personal here).
        await signOut()
        navigate('/signin', true)
        return
      }
      await revokeSession(session.id)
      sessions.setData((sessions.data ?? []).filter((s) => s.id !== session.id))
      toast(t('sessions.signed_out'))
    } catch (e) {
      setError(e)
    } finally {
      setBusy(null)
    }
  }

  async function everywhere() {
    setError(null)
    setBusy('all')
    try {
      await logoutAll()
      // The server has ended this session too: only the phone's copy is left to forget.
      await signOutLocally()
      navigate('/signin', true)
      toast(t('sessions.everywhere_done'))
    } catch (e) {
      setError(e)
      setConfirmAll(false)
    } finally {
      setBusy(null)
    }
  }

  const list = sessions.data
  return (
    <section class="card" aria-labelledby="sessions-title" data-testid="sessions">
      <h2 id="sessions-title">{t('sessions.title')}</h2>
      <p class="hint">{t('sessions.lead')}</p>
      {sessions.error ? <ErrorNote error={sessions.error} onRetry={sessions.reload} /> : !list ? <Loading /> : (
        <ul class="list">
          {[...list].sort((a, b) => Number(b.current) - Number(a.current)).map((s) => {
            const device = s.device || t('sessions.unknown_device')
            return (
              <li key={s.id} class="list-item session-row" data-testid="session">
                <div>
                  <p>
                    <strong>{device}</strong>
                    {s.current && <span class="tag">{t('sessions.this_device')}</span>}
                  </p>
                  <p class="meta">{t(APP_LABEL[s.app])}</p>
                  <p class="meta">
                    {t('sessions.last_used', { when: formatRelative(s.last_used_at) })}
                  </p>
                </div>
                <button type="button" class="btn btn-secondary btn-small" disabled={busy !== null}
                  aria-label={t('sessions.sign_out_label', { device })} onClick={() => void end(s)}>
                  {t('sessions.sign_out')}
                </button>
              </li>
            )
          })}
        </ul>
      )}
      <ErrorNote error={error} />
      <button type="button" class="btn btn-secondary btn-block" disabled={busy !== null} onClick={() => setConfirmAll(true)}>
        {t('sessions.everywhere')}
      </button>
      <Confirm open={confirmAll} title={t('sessions.everywhere')} confirmLabel={t('sessions.everywhere')}
        busy={busy === 'all'} onConfirm={() => void everywhere()} onCancel={() => setConfirmAll(false)}>
        <p>{t('sessions.everywhere_confirm')}</p>
      </Confirm>
    </section>
  )
}
