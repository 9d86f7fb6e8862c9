import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, isNetworkError, problemSlug } from '../api/problem'
import { errorText, Loading } from '../components/ui'
import { t, useLocale } from '../i18n'
import type { MessageKey } from '../i18n/en'
import { href, location, navigate } from '../lib/router'
import { readSsoReturn, SSO_RETURN_PATH, ssoRefusal } from '../lib/sso'
import { signInWithSso } from '../session'

type Refusal = { key: MessageKey; detail: string | null } | { offline: true }

/**
 * /app/signed-in: where the API sends the browser back after the company's sign-in. With `?code=` the code is
 * exchanged and the session kept exactly as a password sign-in keeps it (the app then goes on to the feed, the
 * policy first when it is due); with `?error=` the person reads what happened, in their language.
 */
export default function SsoReturn() {
  useLocale()
  // Read once: the address bar loses the code straight away.
  const [arrived] = useState(() => readSsoReturn(location.get().query))
  const [refusal, setRefusal] = useState<Refusal | null>(() =>
    arrived.kind === 'error' ? ssoRefusal(arrived.error, arrived.description) : null)
  const heading = useRef<HTMLHeadingElement>(null)

  function exchange(code: string) {
    setRefusal(null)
    // Signed in: the app leaves this route for the feed, as after any sign-in.
    signInWithSso(code).catch((err: unknown) => {
      if (isNetworkError(err)) setRefusal({ offline: true })
      else setRefusal(ssoRefusal(problemSlug(err), err instanceof ApiError ? errorText(err) : ''))
    })
  }

  useEffect(() => {
    document.title = `${t('sso.title')} · Stafet`
    if (arrived.kind === 'none') {
      navigate('/signin', true) // reloaded after the code was used, or opened by hand: nothing to finish here
      return
    }
    // The code works once: off the address bar (and history) before it is sent, so a reload does not reuse it.
    navigate(SSO_RETURN_PATH, true)
    if (arrived.kind === 'code') exchange(arrived.code)
  }, [])

  useEffect(() => { if (refusal) heading.current?.focus() }, [refusal])

  if (!refusal) {
    return (
      <main class="auth" id="main">
        <div class="auth-brand" aria-hidden="true">Stafet</div>
        <h1>{t('sso.title')}</h1>
        <Loading label={t('sso.signing_in')} />
      </main>
    )
  }
  return (
    <main class="auth" id="main">
      <div class="auth-brand" aria-hidden="true">Stafet</div>
      <h1 tabIndex={-1} ref={heading}>{t('sso.refused_title')}</h1>
      <div class="note note-error" role="alert" data-testid="sso-refused">
        {'offline' in refusal
          ? <p>{t('error.offline')}</p>
          : <>
              <p>{t(refusal.key)}</p>
              {refusal.detail && <p>{t('sso.error_detail', { detail: refusal.detail })}</p>}
            </>}
      </div>
      {'offline' in refusal && arrived.kind === 'code' && (
        <button type="button" class="btn btn-secondary btn-block" onClick={() => exchange(arrived.code)}>
          {t('action.retry')}
        </button>
      )}
      <a class="btn btn-primary btn-block" href={href('/signin')}>{t('sso.to_signin')}</a>
    </main>
  )
}
