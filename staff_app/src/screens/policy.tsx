import { useEffect, useRef, useState } from 'preact/hooks'
import { acceptPolicy, getPolicy } from '../api/policy'
import { ApiError } from '../api/problem'
import { ErrorNote, toast } from '../components/ui'
import { formatDate, t, useLocale } from '../i18n'
import type { PolicyPrompt } from '../lib/policy-gate'

/**
 * The social media policy, shown over the app (a modal dialog: focus moves in, the page behind is inert)
 * until the person accepts it or puts it off. Putting it off is fine for reading; sharing asks again.
 */
export default function PolicyDialog({ prompt }: { prompt: PolicyPrompt }) {
  useLocale()
  const { policy } = prompt
  const ref = useRef<HTMLDialogElement>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [updated, setUpdated] = useState(false)

  useEffect(() => {
    const d = ref.current
    if (d && !d.open) d.showModal?.()
    return () => { if (d?.open) d.close() }
  }, [])

  async function accept() {
    setBusy(true)
    setError(null)
    try {
      await acceptPolicy(policy.version)
      toast(t('policy.accepted'))
      prompt.accept()
    } catch (err) {
      // 409: a newer version was published while this one was open; show that one instead.
      if (err instanceof ApiError && err.status === 409) {
        try {
          prompt.replace(await getPolicy())
          setUpdated(true)
          return
        } catch { /* fall through to show the first error */ }
      }
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  const paragraphs = (policy.text ?? '').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean)
  return (
    <dialog ref={ref} class="dialog policy-dialog" aria-labelledby="policy-title" aria-describedby="policy-lead"
      data-testid="policy" onCancel={(e) => { e.preventDefault(); prompt.decline() }}>
      <h2 id="policy-title">{t('policy.title')}</h2>
      <p class="hint" id="policy-lead">{t('policy.lead')}</p>
      {policy.published_at && (
        <p class="meta">{t('policy.version', { version: String(policy.version), date: formatDate(policy.published_at) })}</p>
      )}
      {updated && <p class="note note-info" role="status">{t('policy.updated')}</p>}
      {/* Focusable so the text scrolls from the keyboard too; a region so screen readers can find it. */}
      <div class="policy-text" role="region" aria-label={t('policy.text_label')} tabIndex={0}>
        {paragraphs.map((p, i) => <p key={i}>{p}</p>)}
      </div>
      <ErrorNote error={error} />
      <div class="dialog-actions">
        <button type="button" class="btn btn-secondary" onClick={() => prompt.decline()}>{t('policy.later')}</button>
        <button type="button" class="btn btn-primary" onClick={accept} disabled={busy}>{t('policy.accept')}</button>
      </div>
    </dialog>
  )
}
