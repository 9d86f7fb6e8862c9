import { useEffect, useRef, useState } from 'preact/hooks'
import { confirmPasswordReset, requestPasswordReset } from '../api/reset'
import { PasswordPair } from '../components/password-pair'
import { ErrorNote, FieldError, toast } from '../components/ui'
import { t, useLocale, type MessageKey } from '../i18n'
import { emailError, hasErrors, linkNoLongerWorks, validateReset, type FormErrors } from '../lib/onboarding-forms'
import { href, navigate, useLocation } from '../lib/router'
import { acceptTokenPair } from '../session'

/**
 * /app/reset: without a token, ask for a link by email (the answer is the same whether or not the address
 * has an account); with ?token=… from the mail or a lead's QR code, choose a new password and be signed in.
 */
export default function Reset() {
  useLocale()
  const { query } = useLocation()
  const token = query.get('token') ?? ''
  useEffect(() => { document.title = `${t('reset.title')} · Stafet` }, [])
  return (
    <main class="auth" id="main">
      <div class="auth-brand" aria-hidden="true">Stafet</div>
      <h1>{t('reset.title')}</h1>
      {token ? <NewPassword token={token} /> : <AskForLink />}
      <p class="auth-links"><a href={href('/signin')}>{t('reset.back_to_signin')}</a></p>
    </main>
  )
}

function AskForLink() {
  const [email, setEmail] = useState('')
  const [invalid, setInvalid] = useState<MessageKey | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const [sent, setSent] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const done = useRef<HTMLParagraphElement>(null)

  useEffect(() => { if (sent) done.current?.focus() }, [sent])

  async function submit(e: Event) {
    e.preventDefault()
    const problem = emailError(email)
    setInvalid(problem)
    if (problem) return
    setBusy(true)
    setError(null)
    try {
      await requestPasswordReset({ email: email.trim() })
      setSent(true)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  if (sent) {
    return (
      <>
        <p class="note note-info" role="status" tabIndex={-1} ref={done} data-testid="reset-sent">{t('reset.sent')}</p>
        <p class="hint">{t('reset.no_email')}</p>
      </>
    )
  }
  return (
    <form class="form" onSubmit={submit} noValidate>
      <p class="lead">{t('reset.request_lead')}</p>
      <label for="reset-email">{t('reset.email')}</label>
      <input id="reset-email" type="email" inputMode="email" autoComplete="email" autoCapitalize="none" required
        maxLength={254} value={email} aria-invalid={invalid !== undefined}
        aria-describedby={invalid ? 'reset-email-error' : undefined} onInput={(e) => setEmail(e.currentTarget.value)} />
      {invalid && <p class="field-error" id="reset-email-error">{t(invalid)}</p>}
      <FieldError error={error} field="email" />
      <ErrorNote error={error} />
      <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
        {busy ? t('status.sending') : t('reset.send')}
      </button>
      <p class="hint">{t('reset.no_email')}</p>
    </form>
  )
}

function NewPassword({ token }: { token: string }) {
  const [password, setPassword] = useState('')
  const [repeat, setRepeat] = useState('')
  const [shown, setShown] = useState<FormErrors<'password' | 'repeat'>>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const dead = linkNoLongerWorks(error, 'token')
  const deadNote = useRef<HTMLDivElement>(null)
  // The mismatch shows while typing the second password; the rest once the person tries to save.
  const live = repeat.length > 0 && repeat !== password ? { ...shown, repeat: 'form.password_mismatch' as const } : shown

  useEffect(() => { if (dead) deadNote.current?.focus() }, [dead])

  async function submit(e: Event) {
    e.preventDefault()
    const errors = validateReset({ password, repeat })
    setShown(errors)
    if (hasErrors(errors)) return
    setBusy(true)
    setError(null)
    try {
      acceptTokenPair(await confirmPasswordReset({ token, password }))
      toast(t('reset.saved'))
      navigate('/', true)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  if (dead) {
    return (
      <div class="note note-error" role="alert" tabIndex={-1} ref={deadNote} data-testid="link-dead">
        <h2>{t('reset.link_dead_title')}</h2>
        <p>{t('reset.link_dead')}</p>
        <a class="btn btn-primary btn-block" href={href('/reset')}>{t('reset.ask_again')}</a>
      </div>
    )
  }
  return (
    <form class="form" onSubmit={submit} noValidate>
      <p class="lead">{t('reset.new_lead')}</p>
      <PasswordPair password={password} repeat={repeat} errors={live} apiError={error}
        labels={{ password: t('reset.password'), repeat: t('reset.repeat') }}
        onPassword={setPassword} onRepeat={setRepeat} />
      <ErrorNote error={error} />
      <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
        {busy ? t('status.sending') : t('reset.submit')}
      </button>
    </form>
  )
}
