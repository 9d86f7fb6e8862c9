import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { ApiError, isNetworkError, problemSlug } from '../api/problem'
import { t } from '../i18n'
import type { MessageKey } from '../i18n/en'
import { createStore, useStore } from '../lib/store'

/**
 * The refusals staff meet, in the person's language: the API's details are English only. A kind not
 * listed here shows the API's detail, so a new refusal on the server still says something useful.
 */
const REFUSALS: Record<string, MessageKey> = {
  'invalid-credentials': 'error.invalid_credentials',
  'awaiting-approval': 'error.awaiting_approval',
  'account-inactive': 'error.account_inactive',
  'invalid-invite': 'error.invalid_invite',
  'invalid-reset-token': 'error.invalid_reset_token',
  'join-code-not-found': 'error.join_code_not_found',
  'join-code-revoked': 'error.join_code_revoked',
  'join-code-expired': 'error.join_code_expired',
  'join-code-used-up': 'error.join_code_used_up',
  'email-taken': 'error.email_taken',
  'username-taken': 'error.username_taken',
  'password-login-off': 'error.password_login_off',
  'session-ended': 'error.session_ended',
  'out-of-stock': 'error.out_of_stock',
  'insufficient-balance': 'error.insufficient_balance',
  'rate-limited': 'error.rate_limited',
}

/** The words to show for any error: the catalog's for a known refusal, else the API's own detail
 * (RFC 9457), or a plain offline message. */
export function errorText(error: unknown): string {
  if (isNetworkError(error)) return t('error.offline')
  if (error instanceof ApiError) {
    // A plain 401 is an ended session; a 401 with its own kind (wrong password, spent invitation, account
    // waiting for approval) says what happened in its detail, and that is what the person needs to read.
    const slug = problemSlug(error)
    if (error.status === 401 && (!slug || slug === 'unauthorized')) return t('error.signed_out')
    const known = REFUSALS[slug]
    if (known) return t(known)
    return error.problem.detail || error.problem.title || t('error.generic')
  }
  return t('error.generic')
}

export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null
  const fields = error instanceof ApiError ? Object.entries(error.problem.errors ?? {}) : []
  return (
    <div class="note note-error" role="alert">
      <p>{errorText(error)}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map(([field, messages]) => <li key={field}><strong>{field}</strong>: {messages.join(' ')}</li>)}
        </ul>
      )}
      {onRetry && <button type="button" class="btn btn-secondary" onClick={onRetry}>{t('action.retry')}</button>}
    </div>
  )
}

export function FieldError({ error, field }: { error: unknown; field: string }) {
  if (!(error instanceof ApiError)) return null
  const messages = error.fieldErrors(field)
  if (!messages.length) return null
  return <p class="field-error" id={`err-${field}`}>{messages.join(' ')}</p>
}

export function Loading({ label }: { label?: string }) {
  return <p class="loading" role="status" aria-live="polite">{label ?? t('status.loading')}</p>
}

export function Screen({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = `${title} · Stafet`
    // After a route change, focus moves to the new screen's heading so screen readers announce it.
    heading.current?.focus({ preventScroll: true })
  }, [title])
  return (
    <section class="screen" aria-labelledby="screen-title">
      <div class="screen-head">
        <h1 id="screen-title" tabIndex={-1} ref={heading}>{title}</h1>
        {actions && <div class="screen-actions">{actions}</div>}
      </div>
      {children}
    </section>
  )
}

export function Segmented<T extends string>({ label, value, options, onChange }: {
  label: string; value: T; options: { value: T; label: string }[]; onChange: (v: T) => void
}) {
  return (
    <div class="segmented" role="group" aria-label={label}>
      {options.map((o) => (
        <button key={o.value} type="button" aria-pressed={o.value === value} onClick={() => onChange(o.value)}>
          {o.label}
        </button>
      ))}
    </div>
  )
}

export function Switch({ id, label, checked, onChange, description, disabled }: {
  id: string; label: string; checked: boolean; onChange: (v: boolean) => void; description?: string; disabled?: boolean
}) {
  return (
    <div class="switch-row">
      <label for={id}>
        <span class="switch-label">{label}</span>
        {description && <span class="hint" id={`${id}-desc`}>{description}</span>}
      </label>
      <input id={id} type="checkbox" role="switch" class="switch" checked={checked} disabled={disabled}
        aria-describedby={description ? `${id}-desc` : undefined}
        onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)} />
    </div>
  )
}

/** A native modal dialog: focus moves in, Escape closes, the page behind is inert. */
export function Confirm({ open, title, children, confirmLabel, onConfirm, onCancel, busy }: {
  open: boolean; title: string; children: ComponentChildren; confirmLabel: string
  onConfirm: () => void; onCancel: () => void; busy?: boolean
}) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const d = ref.current
    if (!d) return
    if (open && !d.open) d.showModal?.()
    if (!open && d.open) d.close()
  }, [open])
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="dialog-title" onCancel={(e) => { e.preventDefault(); onCancel() }}>
      <h2 id="dialog-title">{title}</h2>
      <div>{children}</div>
      <div class="dialog-actions">
        <button type="button" class="btn btn-secondary" onClick={onCancel}>{t('action.cancel')}</button>
        <button type="button" class="btn btn-primary" onClick={onConfirm} disabled={busy}>{confirmLabel}</button>
      </div>
    </dialog>
  )
}

export interface Toast { id: number; text: string }
export const toasts = createStore<Toast[]>([])
let toastSeq = 0

export function toast(text: string, ms = 5000): void {
  const id = ++toastSeq
  toasts.set((all) => [...all, { id, text }])
  setTimeout(() => toasts.set((all) => all.filter((x) => x.id !== id)), ms)
}

export function Toasts() {
  const all = useStore(toasts)
  return (
    <div class="toasts" role="status" aria-live="polite">
      {all.map((x) => <p key={x.id} class="toast">{x.text}</p>)}
    </div>
  )
}

export function Empty({ text }: { text: string }) {
  return <p class="empty">{text}</p>
}
