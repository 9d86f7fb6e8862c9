import { useRef, useState } from 'preact/hooks'
import { api, newIdempotencyKey, unwrap } from '../api/client'
import { Empty, ErrorNote, FieldError, Loading, Screen, toast } from '../components/ui'
import { formatDate, t, useLocale } from '../i18n'
import { useAsync } from '../lib/use-async'

export default function Suggest() {
  useLocale()
  const mine = useAsync(() => unwrap(api.GET('/api/v1/me/suggestions', { params: { query: { limit: 50 } } })), [])
  const [title, setTitle] = useState('')
  const [body, setBody] = useState('')
  const [link, setLink] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const key = useRef<{ key: string; body: string } | null>(null)

  async function submit(e: Event) {
    e.preventDefault()
    const payload = { title: title.trim(), body: body.trim(), link_url: link.trim() || null, image_url: null }
    const signature = JSON.stringify(payload)
    if (key.current?.body !== signature) key.current = { key: newIdempotencyKey(), body: signature }
    setBusy(true)
    setError(null)
    try {
      await unwrap(api.POST('/api/v1/posts/suggestions', {
        params: { header: { 'Idempotency-Key': key.current.key } }, body: payload,
      }))
      setTitle(''); setBody(''); setLink('')
      key.current = null
      toast(t('suggest.sent'))
      await mine.reload()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Screen title={t('suggest.title')}>
      <p class="lead">{t('suggest.lead')}</p>
      <form class="form" onSubmit={submit}>
        <label for="s-title">{t('suggest.field_title')}</label>
        <input id="s-title" required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        <FieldError error={error} field="title" />
        <label for="s-body">{t('suggest.field_body')}</label>
        <textarea id="s-body" required rows={6} maxLength={5000} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        <FieldError error={error} field="body" />
        <label for="s-link">{t('suggest.field_link')}</label>
        <input id="s-link" type="url" inputMode="url" placeholder="https://" value={link}
          onInput={(e) => setLink(e.currentTarget.value)} />
        <FieldError error={error} field="link_url" />
        <ErrorNote error={error} />
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>{t('suggest.submit')}</button>
      </form>
      <section aria-labelledby="my-suggestions">
        <h2 id="my-suggestions">{t('suggest.mine')}</h2>
        <ErrorNote error={mine.error} onRetry={mine.reload} />
        {mine.loading && !mine.data && <Loading />}
        {mine.data && mine.data.items.length === 0 && <Empty text={t('suggest.none')} />}
        <ul class="list">
          {mine.data?.items.map((s) => (
            <li key={s.id} class="list-item">
              <p><strong>{s.title}</strong></p>
              <p class="meta">{formatDate(s.created_at)} · <span class={`status status-${s.status}`}>{t(`suggest.status_${s.status}`)}</span></p>
              {s.note && <p class="note-text">{t('suggest.note', { note: s.note })}</p>}
            </li>
          ))}
        </ul>
      </section>
    </Screen>
  )
}
