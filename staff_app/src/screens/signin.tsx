import { useEffect, useState } from 'preact/hooks'
import { ErrorNote } from '../components/ui'
import { t, useLocale } from '../i18n'
import { getClientConfig, type ClientConfig } from '../api/endpoints'
import { signIn } from '../session'

export function SignIn() {
  useLocale()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [config, setConfig] = useState<ClientConfig | null>(null)

  useEffect(() => {
    document.title = `${t('signin.title')} · Stafet`
    getClientConfig().then(setConfig, () => undefined)
  }, [])

  async function submit(e: Event) {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await signIn(email.trim(), password)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class="auth" id="main">
      <div class="auth-brand" aria-hidden="true">Stafet</div>
      <h1>{t('signin.title')}</h1>
      <p class="lead">{t('signin.lead')}</p>
      <form onSubmit={submit} class="form">
        <label for="email">{t('signin.email')}</label>
        <input id="email" type="email" autoComplete="username" inputMode="email" required value={email}
          onInput={(e) => setEmail(e.currentTarget.value)} />
        <label for="password">{t('signin.password')}</label>
        <input id="password" type="password" autoComplete="current-password" required value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} />
        <ErrorNote error={error} />
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? t('status.signing_in') : t('signin.submit')}
        </button>
      </form>
      {config?.sso.enabled && config.sso.start_url && (
        <a class="btn btn-secondary btn-block" href={config.sso.start_url}>{t('signin.sso')}</a>
      )}
      <p class="hint">{t('signin.help')}</p>
    </main>
  )
}
