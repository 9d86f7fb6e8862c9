/**
 * The rules the sign-in, reset, join and activation forms check before sending, so a person hears about
 * a short password or a malformed username at once instead of after a round trip. The server checks
 * the same rules again; its answer (problem `detail` and field `errors`) is what the screens show then.
 */
import type { JoinBody, LoginBody } from '../api/types'
import { ApiError, problemSlug } from '../api/problem'
import type { MessageKey } from '../i18n'

/** The password policy of the API (api/services/passwords.py): 10 to 256 characters. */
export const PASSWORD_MIN = 10
export const PASSWORD_MAX = 256
export const DISPLAY_NAME_MAX = 80
export const EMAIL_MAX = 254
/** The API's USERNAME_PATTERN (api/services/accounts.py): 3–32 of letters, digits, '.', '_', '-'. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$/
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export type IdentifierKind = 'email' | 'username'

/** The sign-in field takes either: an address has an "@", a username never does. */
export function identifierKind(identifier: string): IdentifierKind {
  return identifier.includes('@') ? 'email' : 'username'
}

export function loginBody(identifier: string, password: string): LoginBody {
  const id = identifier.trim()
  return identifierKind(id) === 'email' ? { email: id, password } : { username: id, password }
}

/** A message key per field that is not right yet; an empty object means the form can be sent. */
export type FormErrors<F extends string> = Partial<Record<F, MessageKey>>

/** Characters as Python's len() counts them (code points), so "10 characters" means the same on both sides. */
const length = (text: string) => [...text].length

export function passwordErrors(password: string, repeat: string): FormErrors<'password' | 'repeat'> {
  const errors: FormErrors<'password' | 'repeat'> = {}
  if (length(password) < PASSWORD_MIN) errors.password = 'form.password_short'
  else if (length(password) > PASSWORD_MAX) errors.password = 'form.password_long'
  if (repeat !== password) errors.repeat = 'form.password_mismatch'
  return errors
}

export function emailError(email: string): MessageKey | undefined {
  const value = email.trim()
  if (!EMAIL_SHAPE.test(value) || value.length > EMAIL_MAX) return 'form.email_invalid'
  return undefined
}

export function usernameError(username: string): MessageKey | undefined {
  return USERNAME_PATTERN.test(username.trim()) ? undefined : 'form.username_invalid'
}

export interface ResetForm {
  password: string
  repeat: string
}

export function validateReset(form: ResetForm): FormErrors<'password' | 'repeat'> {
  return passwordErrors(form.password, form.repeat)
}

export type JoinVia = 'email' | 'username'

export interface JoinForm {
  displayName: string
  via: JoinVia
  email: string
  username: string
  password: string
  repeat: string
}

export type JoinField = 'display_name' | 'email' | 'username' | 'password' | 'repeat'

export function validateJoin(form: JoinForm): FormErrors<JoinField> {
  const errors: FormErrors<JoinField> = { ...passwordErrors(form.password, form.repeat) }
  const name = form.displayName.trim()
  if (!name) errors.display_name = 'form.name_required'
  else if (length(name) > DISPLAY_NAME_MAX) errors.display_name = 'form.name_long'
  if (form.via === 'email') {
    const e = emailError(form.email)
    if (e) errors.email = e
  } else {
    const e = usernameError(form.username)
    if (e) errors.username = e
  }
  return errors
}

/** The body of POST /auth/join: the one way of signing in the person chose, never both. */
export function joinBody(code: string, form: JoinForm): JoinBody {
  const body: JoinBody = { code, display_name: form.displayName.trim(), password: form.password }
  if (form.via === 'email') body.email = form.email.trim()
  else body.username = form.username.trim()
  return body
}

export const hasErrors = (errors: object) => Object.keys(errors).length > 0

/**
 * The link (invitation, reset) is spent, expired, replaced or wrong: the screen says so and offers a new
 * one rather than asking the person to fix the form. A deactivated account is a different story (its
 * `detail` says whom to ask), and 422 is about the form unless it names the token field.
 */
export function linkNoLongerWorks(error: unknown, tokenField: string): boolean {
  if (!(error instanceof ApiError)) return false
  if (problemSlug(error) === 'account-inactive') return false
  if ([400, 401, 404, 410].includes(error.status)) return true
  return error.status === 422 && error.fieldErrors(tokenField).length > 0
}
