import { useEffect, useRef, useState } from 'preact/hooks'
import { PasswordPair } from '../components/password-pair'
import { ErrorNote, FieldError } from '../components/ui'
import { t, useLocale } from '../i18n'
import { hasErrors, linkNoLongerWorks, passwordErrors, type FormErrors } from '../lib/onboarding-forms'
import { href, navigate, useLocation } from '../lib/router'
import { activate } from '../session'

/** First sign-in from the invitation link: /app/activate?token=… */
export default function Activate() {
  useLocale()
  const { query } = useLocation()
  const token = query.get('token') ?? ''
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [repeat, setRepeat] = useState('')
  const [shown, setShown] = useState<FormErrors<'password' | 'repeat'>>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  // Expired, already used, or replaced by a newer invitation: say so instead of leaving the form up.
  const expired = linkNoLongerWorks(error, 'invite_token')
  const expiredNote = useRef<HTMLDivElement>(null)
  const live = repeat.length > 0 && repeat !== password ? { ...shown, repeat: 'form.password_mismatch' as const } : shown

  useEffect(() => { document.title = `${t('activate.title')} · Stafet` }, [])
  useEffect(() => { if (expired) expiredNote.current?.focus() }, [expired])

  async function submit(e: Event) {
    e.preventDefault()
    const errors = passwordErrors(password, repeat)
    setShown(errors)
    if (hasErrors(errors)) return
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
      ) : expired ? (
        <div class="note note-error" role="alert" tabIndex={-1} ref={expiredNote} data-testid="invite-expired">
          <h2>{t('activate.expired_title')}</h2>
          <p>{t('activate.expired')}</p>
        </div>
      ) : (
        <form class="form" onSubmit={submit} noValidate>
          <p class="lead">{t('activate.lead')}</p>
          <label for="display_name">{t('activate.display_name')}</label>
          <input id="display_name" autoComplete="name" maxLength={80} value={name}
            onInput={(e) => setName(e.currentTarget.value)} />
          <FieldError error={error} field="display_name" />
          <PasswordPair password={password} repeat={repeat} errors={live} apiError={error}
            labels={{ password: t('activate.password'), repeat: t('activate.repeat') }}
            onPassword={setPassword} onRepeat={setRepeat} />
          <ErrorNote error={error} />
          <button type="submit" class="btn btn-primary btn-block" disabled={busy}>{t('activate.submit')}</button>
        </form>
      )}
      <p class="auth-links"><a href={href('/signin')}>{t('activate.have_account')}</a></p>
    </main>
  )
}
