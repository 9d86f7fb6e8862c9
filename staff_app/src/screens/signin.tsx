import { useEffect, useState } from 'preact/hooks'
import { ErrorNote } from '../components/ui'
import { t, useLocale } from '../i18n'
import { getClientConfig, type ClientConfig } from '../api/endpoints'
import { href } from '../lib/router'
import { signIn } from '../session'

export function SignIn() {
  useLocale()
  const [identifier, setIdentifier] = useState('')
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
      await signIn(identifier, password)
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
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? t('status.signing_in') : t('signin.submit')}
        </button>
      </form>
      <p class="auth-links"><a href={href('/reset')}>{t('signin.forgot')}</a></p>
      {config?.sso.enabled && config.sso.start_url && (
        <a class="btn btn-secondary btn-block" href={config.sso.start_url}>{t('signin.sso')}</a>
      )}
      <p class="hint">{t('signin.help')}</p>
    </main>
  )
}
