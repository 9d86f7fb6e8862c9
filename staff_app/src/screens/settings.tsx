import { useEffect, useState } from 'preact/hooks'
import { api, setTokens, unwrap } from '../api/client'
import { getClientConfig, patchLocale, type ClientConfig } from '../api/endpoints'
import type { Network, Preferences } from '../api/types'
import { ErrorNote, FieldError, Loading, Screen, Switch, toast } from '../components/ui'
import { LOCALES, locale, setLocale, t, useLocale, type Locale, type MessageKey } from '../i18n'
import { NETWORK_LABEL } from '../lib/networks'
import { navigate } from '../lib/router'
import { useStore } from '../lib/store'
import { useAsync } from '../lib/use-async'
import { disableWebPush, enableWebPush } from '../push/enable'
import { clearPersonalCaches, me, signOut } from '../session'
import { Sessions } from './settings-sessions'

const CATEGORIES = ['new_content', 'challenges', 'badges', 'rewards', 'reminders'] as const
const NETWORKS: Network[] = ['linkedin', 'x', 'facebook', 'instagram']

export function phoneTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

export default function Settings() {
  const l = useLocale()
  const user = useStore(me)
  const config = useAsync<ClientConfig | null>(() => getClientConfig().catch(() => null), [])
  return (
    <Screen title={t('settings.title')}>
      <section class="card" aria-labelledby="lang-title">
        <h2 id="lang-title">{t('settings.language')}</h2>
        <label for="language">{t('settings.language_label')}</label>
        <select id="language" value={l} onChange={(e) => {
          const next = e.currentTarget.value as Locale
          setLocale(next, true)
          // Stored on the person too, so pushes and mails come in the same language.
          void patchLocale(next).catch(() => undefined)
        }}>
          {LOCALES.map((code) => <option key={code} value={code}>{t(`language.${code}` as MessageKey)}</option>)}
        </select>
      </section>
      <NotificationSettings config={config.data ?? null} />
      {user && <PrivacySettings />}
      {user && <Followers />}
      {user && <Sessions />}
      <DataSettings />
    </Screen>
  )
}

function NotificationSettings({ config }: { config: ClientConfig | null }) {
  const prefs = useAsync(() => unwrap(api.GET('/api/v1/me/notification-preferences')), [])
  const [draft, setDraft] = useState<Preferences | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [pushNote, setPushNote] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (prefs.data) setDraft({ ...prefs.data, timezone: phoneTimezone() })
  }, [prefs.data])

  if (prefs.error) return <ErrorNote error={prefs.error} onRetry={prefs.reload} />
  if (!draft) return <Loading />

  async function save(next: Preferences, message = t('settings.saved')) {
    setBusy(true)
    setError(null)
    try {
      const saved = await unwrap(api.PUT('/api/v1/me/notification-preferences', { body: next }))
      setDraft({ ...saved })
      toast(message)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  async function togglePush(on: boolean) {
    if (!draft) return
    setPushNote(null)
    if (on) {
      try {
        const outcome = await enableWebPush(config, locale.get())
        if (outcome === 'not-configured') setPushNote(t('push.not_configured'))
        if (outcome === 'unsupported') setPushNote(t('push.unsupported'))
        if (outcome === 'denied') setPushNote(t('push.denied'))
        if (outcome === 'registered') setPushNote(t('push.registered'))
      } catch (e) {
        setError(e)
        setPushNote(t('push.failed'))
      }
    } else {
      await disableWebPush()
    }
    await save({ ...draft, push_enabled: on }, on ? t('push.on') : t('push.off'))
  }

  const quiet = draft.quiet_hours as { start: string; end: string } | null
  return (
    <section class="card" aria-labelledby="notif-title">
      <h2 id="notif-title">{t('settings.notifications')}</h2>
      <Switch id="push" label={t('settings.push')} description={t('settings.push_desc')} checked={draft.push_enabled}
        disabled={busy} onChange={(v) => void togglePush(v)} />
      {pushNote && <p class="note note-info" role="status" data-testid="push-note">{pushNote}</p>}
      <form class="form" onSubmit={(e) => { e.preventDefault(); void save(draft) }}>
        <fieldset>
          <legend>{t('settings.categories')}</legend>
          {CATEGORIES.map((c) => (
            <Switch key={c} id={`cat-${c}`} label={t(`category.${c}`)} checked={draft.categories[c]}
              onChange={(v) => setDraft({ ...draft, categories: { ...draft.categories, [c]: v } })} />
          ))}
        </fieldset>
        <fieldset>
          <legend>{t('settings.quiet_hours')}</legend>
          <Switch id="quiet" label={t('settings.quiet_on')} checked={quiet !== null}
            onChange={(v) => setDraft({ ...draft, quiet_hours: v ? { start: '22:00', end: '07:00' } : null })} />
          {quiet && (
            <div class="row">
              <div>
                <label for="quiet-start">{t('settings.quiet_from')}</label>
                <input id="quiet-start" type="time" value={quiet.start} required
                  onInput={(e) => setDraft({ ...draft, quiet_hours: { ...quiet, start: e.currentTarget.value } })} />
              </div>
              <div>
                <label for="quiet-end">{t('settings.quiet_to')}</label>
                <input id="quiet-end" type="time" value={quiet.end} required
                  onInput={(e) => setDraft({ ...draft, quiet_hours: { ...quiet, end: e.currentTarget.value } })} />
              </div>
            </div>
          )}
          <label for="tz">{t('settings.timezone')}</label>
          <input id="tz" value={draft.timezone} aria-describedby="tz-hint"
            onInput={(e) => setDraft({ ...draft, timezone: e.currentTarget.value })} />
          <p class="hint" id="tz-hint">{t('settings.timezone_hint', { tz: phoneTimezone() })}</p>
          <FieldError error={error} field="timezone" />
        </fieldset>
        <label for="max">{t('settings.max_per_day')}</label>
        <input id="max" type="number" inputMode="numeric" min={0} max={20} value={draft.max_per_day}
          onInput={(e) => setDraft({ ...draft, max_per_day: Number(e.currentTarget.value) })} />
        <FieldError error={error} field="max_per_day" />
        <ErrorNote error={error} />
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>{t('settings.save_notifications')}</button>
      </form>
    </section>
  )
}

function PrivacySettings() {
  const user = useStore(me)!
  const [error, setError] = useState<unknown>(null)
  async function patch(settings: { gamification_enabled?: boolean; leaderboard_visible?: boolean }) {
    setError(null)
    try {
      const updated = await unwrap(api.PATCH('/api/v1/me', { body: { settings } }))
      me.set(updated)
      toast(t('settings.saved'))
    } catch (e) {
      setError(e)
    }
  }
  return (
    <section class="card" aria-labelledby="privacy-title">
      <h2 id="privacy-title">{t('settings.privacy')}</h2>
      <Switch id="gamification" label={t('settings.gamification')} description={t('settings.gamification_desc')}
        checked={user.settings.gamification_enabled} onChange={(v) => void patch({ gamification_enabled: v })} />
      <Switch id="leaderboard" label={t('settings.leaderboard')} description={t('settings.leaderboard_desc')}
        checked={user.settings.leaderboard_visible} onChange={(v) => void patch({ leaderboard_visible: v })} />
      <ErrorNote error={error} />
    </section>
  )
}

function Followers() {
  const user = useStore(me)!
  const initial = Object.fromEntries(user.social_profiles.map((p) => [p.network, String(p.follower_count)]))
  const [values, setValues] = useState<Record<string, string>>(initial)
  const [error, setError] = useState<unknown>(null)
  async function save(e: Event) {
    e.preventDefault()
    setError(null)
    const social_profiles = NETWORKS.filter((nw) => (values[nw] ?? '').trim() !== '')
      .map((nw) => ({ network: nw, follower_count: Number(values[nw]) }))
    try {
      me.set(await unwrap(api.PATCH('/api/v1/me', { body: { social_profiles } })))
      toast(t('settings.saved'))
    } catch (err) {
      setError(err)
    }
  }
  return (
    <section class="card" aria-labelledby="followers-title">
      <h2 id="followers-title">{t('settings.followers')}</h2>
      <p class="hint">{t('settings.followers_desc')}</p>
      <form class="form" onSubmit={save}>
        {NETWORKS.map((nw) => (
          <div key={nw}>
            <label for={`followers-${nw}`}>{NETWORK_LABEL[nw]}</label>
            <input id={`followers-${nw}`} type="number" inputMode="numeric" min={0} max={10000000} value={values[nw] ?? ''}
              onInput={(e) => setValues({ ...values, [nw]: e.currentTarget.value })} />
          </div>
        ))}
        <ErrorNote error={error} />
        <button type="submit" class="btn btn-primary btn-block">{t('settings.save_followers')}</button>
      </form>
    </section>
  )
}

function DataSettings() {
  const [confirmText, setConfirmText] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const word = t('settings.delete_word')

  async function download() {
    setError(null)
    try {
      const data = await unwrap(api.GET('/api/v1/me/export'))
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' })
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = `stafet-my-data-${new Date().toISOString().slice(0, 10)}.json`
      document.body.appendChild(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10000)
    } catch (e) {
      setError(e)
    }
  }

  async function erase(e: Event) {
    e.preventDefault()
    if (confirmText.trim() !== word) return
    setBusy(true)
    setError(null)
    try {
      await unwrap(api.DELETE('/api/v1/me'))
      setTokens(null)
      me.set(null)
      await clearPersonalCaches()
      navigate('/signin', true)
      toast(t('settings.deleted'))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class="card" aria-labelledby="data-title">
      <h2 id="data-title">{t('settings.data')}</h2>
      <ErrorNote error={error} />
      <button type="button" class="btn btn-secondary btn-block" onClick={download}>{t('settings.download')}</button>
      <button type="button" class="btn btn-secondary btn-block" onClick={() => void signOut().then(() => navigate('/signin', true))}>
        {t('settings.sign_out')}
      </button>
      <form class="form danger-zone" onSubmit={erase}>
        <h3>{t('settings.delete_title')}</h3>
        <p>{t('settings.delete_desc')}</p>
        <label for="delete-confirm">{t('settings.delete_type', { word })}</label>
        <input id="delete-confirm" autoComplete="off" value={confirmText} onInput={(e) => setConfirmText(e.currentTarget.value)} />
        <button type="submit" class="btn btn-danger btn-block" disabled={busy || confirmText.trim() !== word}>
          {t('settings.delete_button')}
        </button>
      </form>
    </section>
  )
}

