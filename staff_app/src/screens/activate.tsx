import { useEffect, useState } from 'preact/hooks'
import { ErrorNote, FieldError } from '../components/ui'
import { t, useLocale } from '../i18n'
import { navigate, useLocation } from '../lib/router'
import { activate } from '../session'

/** First sign-in from the invitation link: /app/activate?token=… */
export default function Activate() {
  useLocale()
  const { query } = useLocation()
  const token = query.get('token') ?? ''
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [repeat, setRepeat] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const mismatch = repeat.length > 0 && repeat !== password

  useEffect(() => { document.title = `${t('activate.title')} · Stafet` }, [])

  async function submit(e: Event) {
    e.preventDefault()
    if (mismatch) return
    setBusy(true)
    setError(null)
    try {
      await activate(token, password, name.trim() || undefined)
      navigate('/', true)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class="auth" id="main">
      <div class="auth-brand" aria-hidden="true">Stafet</div>
      <h1>{t('activate.title')}</h1>
      {!token ? (
        <p class="note note-error" role="alert">{t('activate.no_token')}</p>
      ) : (
        <form class="form" onSubmit={submit}>
          <p class="lead">{t('activate.lead')}</p>
          <label for="display_name">{t('activate.display_name')}</label>
          <input id="display_name" autoComplete="name" maxLength={80} value={name}
            onInput={(e) => setName(e.currentTarget.value)} />
          <FieldError error={error} field="display_name" />
          <label for="new_password">{t('activate.password')}</label>
          <input id="new_password" type="password" autoComplete="new-password" required value={password}
            onInput={(e) => setPassword(e.currentTarget.value)} />
          <FieldError error={error} field="password" />
          <label for="repeat_password">{t('activate.repeat')}</label>
          <input id="repeat_password" type="password" autoComplete="new-password" required value={repeat}
            aria-invalid={mismatch} aria-describedby={mismatch ? 'mismatch' : undefined}
            onInput={(e) => setRepeat(e.currentTarget.value)} />
          {mismatch && <p class="field-error" id="mismatch">{t('activate.mismatch')}</p>}
          <ErrorNote error={error} />
          <button type="submit" class="btn btn-primary btn-block" disabled={busy || mismatch}>{t('activate.submit')}</button>
        </form>
      )}
      <p><a href="/app/signin">{t('activate.have_account')}</a></p>
    </main>
  )
}
