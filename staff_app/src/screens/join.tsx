import { useEffect, useRef, useState } from 'preact/hooks'
import { join } from '../api/join'
import { PasswordPair } from '../components/password-pair'
import { ErrorNote, FieldError } from '../components/ui'
import { t, useLocale } from '../i18n'
import { hasErrors, joinBody, validateJoin, type FormErrors, type JoinField, type JoinForm, type JoinVia } from '../lib/onboarding-forms'
import { href, navigate, useLocation } from '../lib/router'
import { acceptTokenPair } from '../session'

/**
 * /app/join?code=… from a team's poster: for staff without a work email too. The person waits for a lead
 * to approve them, unless the code lets them straight in. A revoked, expired or used-up code answers with a
 * problem whose `detail` says which, and that is shown as it is.
 */
export default function Join() {
  useLocale()
  const { query } = useLocation()
  const code = (query.get('code') ?? '').trim()
  const [form, setForm] = useState<JoinForm>({ displayName: '', via: 'email', email: '', username: '', password: '', repeat: '' })
  const [shown, setShown] = useState<FormErrors<JoinField>>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [pending, setPending] = useState<JoinForm | null>(null)
  const pendingNote = useRef<HTMLDivElement>(null)
  const set = (change: Partial<JoinForm>) => setForm((old) => ({ ...old, ...change }))
  const live = form.repeat.length > 0 && form.repeat !== form.password
    ? { ...shown, repeat: 'form.password_mismatch' as const } : shown

  useEffect(() => { document.title = `${t('join.title')} · Stafet` }, [])
  useEffect(() => { if (pending) pendingNote.current?.focus() }, [pending])

  async function submit(e: Event) {
    e.preventDefault()
    const errors = validateJoin(form)
    setShown(errors)
    if (hasErrors(errors)) {
      const first = (['display_name', 'email', 'username', 'password', 'repeat'] as const).find((f) => errors[f])
      document.getElementById(first === 'password' ? 'new_password' : first === 'repeat' ? 'repeat_password' : `join-${first}`)?.focus()
      return
    }
    setBusy(true)
    setError(null)
    try {
      const outcome = await join(joinBody(code, form))
      if (outcome.kind === 'signed-in') {
        acceptTokenPair(outcome.pair)
        navigate('/', true)
      } else {
        setPending(form)
      }
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  if (pending) {
    return (
      <main class="auth" id="main">
        <div class="auth-brand" aria-hidden="true">Stafet</div>
        <h1>{t('join.pending_title')}</h1>
        <div class="note note-info" role="status" tabIndex={-1} ref={pendingNote} data-testid="join-pending">
          <p>{pending.via === 'username'
            ? t('join.pending_username', { username: pending.username.trim().toLowerCase() })
            : t('join.pending_email', { email: pending.email.trim() })}</p>
        </div>
        <a class="btn btn-primary btn-block" href={href('/signin')}>{t('join.to_signin')}</a>
      </main>
    )
  }

  const fieldProps = (field: JoinField) => ({
    id: `join-${field}`,
    'aria-invalid': shown[field] !== undefined,
    'aria-describedby': [field === 'username' ? 'join-username-hint' : '', shown[field] ? `join-${field}-error` : '']
      .filter(Boolean).join(' ') || undefined,
  })
  const fieldError = (field: JoinField) => shown[field] &&
    <p class="field-error" id={`join-${field}-error`}>{t(shown[field]!)}</p>

  return (
    <main class="auth" id="main">
      <div class="auth-brand" aria-hidden="true">Stafet</div>
      <h1>{t('join.title')}</h1>
      {!code ? (
        <p class="note note-error" role="alert">{t('join.no_code')}</p>
      ) : (
        <form class="form" onSubmit={submit} noValidate>
          <p class="lead">{t('join.lead')}</p>
          <label for="join-display_name">{t('join.display_name')}</label>
          <input {...fieldProps('display_name')} autoComplete="name" required maxLength={80} value={form.displayName}
            onInput={(e) => set({ displayName: e.currentTarget.value })} />
          {fieldError('display_name')}
          <FieldError error={error} field="display_name" />
          <fieldset>
            <legend>{t('join.how')}</legend>
            <p class="hint" id="join-how-hint">{t('join.no_email_hint')}</p>
            <div class="choice">
              {(['email', 'username'] as JoinVia[]).map((via) => (
                <label key={via}>
                  <input type="radio" name="join-via" value={via} checked={form.via === via}
                    aria-describedby="join-how-hint" onChange={() => set({ via })} />
                  {via === 'email' ? t('join.via_email') : t('join.via_username')}
                </label>
              ))}
            </div>
          </fieldset>
          {form.via === 'email' ? (
            <>
              <label for="join-email">{t('join.email')}</label>
              <input {...fieldProps('email')} type="email" inputMode="email" autoComplete="email" autoCapitalize="none"
                required maxLength={254} value={form.email} onInput={(e) => set({ email: e.currentTarget.value })} />
              {fieldError('email')}
              <FieldError error={error} field="email" />
            </>
          ) : (
            <>
              <label for="join-username">{t('join.username')}</label>
              <input {...fieldProps('username')} type="text" autoComplete="username" autoCapitalize="none" autoCorrect="off"
                spellcheck={false} required maxLength={32} value={form.username}
                onInput={(e) => set({ username: e.currentTarget.value })} />
              <p class="hint" id="join-username-hint">{t('join.username_hint')}</p>
              {fieldError('username')}
              <FieldError error={error} field="username" />
            </>
          )}
          <PasswordPair password={form.password} repeat={form.repeat} errors={live} apiError={error}
            labels={{ password: t('join.password'), repeat: t('join.repeat') }}
            onPassword={(password) => set({ password })} onRepeat={(repeat) => set({ repeat })} />
          <ErrorNote error={error} />
          <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
            {busy ? t('status.sending') : t('join.submit')}
          </button>
        </form>
      )}
      <p class="auth-links"><a href={href('/signin')}>{t('join.have_account')}</a></p>
    </main>
  )
}
