import { useEffect, useState } from 'preact/hooks'
import { ErrorNote } from '../components/ui'
import { t, useLocale } from '../i18n'
import { getClientConfig } from '../api/endpoints'
import { href } from '../lib/router'
import { passwordFolded, rememberedSso, rememberSso, ssoStartHref, type SsoConfig } from '../lib/sso'
import { useStore } from '../lib/store'
import { online } from '../offline/online'
import { signIn } from '../session'

export function SignIn() {
  useLocale()
  const isOnline = useStore(online)
  const [identifier, setIdentifier] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  // The last answer, until this one arrives: opened offline, the SSO button is still there (and says why it waits).
  const [sso, setSso] = useState<SsoConfig | null>(() => rememberedSso())
  const [adminOpen, setAdminOpen] = useState(false)

  useEffect(() => {
    document.title = `${t('signin.title')} · Stafet`
    getClientConfig().then((config) => {
      setSso(config.sso)
      rememberSso(config.sso)
    }, () => undefined)
  }, [])

  async function submit(e: Event) {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await signIn(identifier, password)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  const start = sso ? ssoStartHref(sso, window.location.origin) : null
  const provider = sso?.provider_name || t('signin.sso_provider_default')
  const folded = start !== null && passwordFolded(sso)
  const showForm = !folded || adminOpen

  return (
    <main class="auth" id="main">
      <div class="auth-brand" aria-hidden="true">Stafet</div>
      <h1>{t('signin.title')}</h1>
      <p class="lead">{t('signin.lead')}</p>
      {start && (isOnline
        // A real navigation (not the app's router): the API sends the browser on to the company's provider.
        ? <a class="btn btn-primary btn-block" href={start} data-testid="sso-button">{t('signin.sso', { provider })}</a>
        : <button type="button" class="btn btn-waiting btn-block" disabled data-testid="sso-button">
            {t('signin.sso_offline', { provider })}
          </button>)}
      {start && !folded && <p class="auth-divider">{t('signin.or_password')}</p>}
      {folded && (
        <button type="button" class="auth-toggle" aria-expanded={adminOpen} aria-controls="password-signin"
          onClick={() => setAdminOpen(!adminOpen)}>{t('signin.admin_toggle')}</button>
      )}
      {showForm && (
        <div id="password-signin">
          {folded && <p class="hint">{t('signin.admin_hint', { provider })}</p>}
          <form onSubmit={submit} class="form">
            {/* One field for both: people who joined from a team poster may have no email, only a username. */}
            <label for="identifier">{t('signin.identifier')}</label>
            <input id="identifier" name="username" type="text" autoComplete="username" autoCapitalize="none"
              autoCorrect="off" spellcheck={false} required maxLength={254} value={identifier}
              aria-describedby="identifier-hint" onInput={(e) => setIdentifier(e.currentTarget.value)} />
            <p class="hint" id="identifier-hint">{t('signin.identifier_hint')}</p>
            <label for="password">{t('signin.password')}</label>
            <input id="password" type="password" autoComplete="current-password" required value={password}
              onInput={(e) => setPassword(e.currentTarget.value)} />
            <ErrorNote error={error} />
            <button type="submit" class={`btn ${start ? 'btn-secondary' : 'btn-primary'} btn-block`} disabled={busy}>
              {busy ? t('status.signing_in') : t('signin.submit')}
            </button>
          </form>
          <p class="auth-links"><a href={href('/reset')}>{t('signin.forgot')}</a></p>
        </div>
      )}
      <p class="hint">{t('signin.help')}</p>
    </main>
  )
}
