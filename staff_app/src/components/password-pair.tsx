import type { FormErrors } from '../lib/onboarding-forms'
import { t } from '../i18n'
import { FieldError } from './ui'

/** New password, twice, with the policy as a hint and each field's problem under it. Reset, join and activation use it. */
export function PasswordPair({ password, repeat, errors, apiError, labels, onPassword, onRepeat }: {
  password: string; repeat: string; errors: FormErrors<'password' | 'repeat'>; apiError: unknown
  labels: { password: string; repeat: string }; onPassword: (v: string) => void; onRepeat: (v: string) => void
}) {
  return (
    <>
      <label for="new_password">{labels.password}</label>
      <input id="new_password" type="password" autoComplete="new-password" required minLength={10} maxLength={256}
        value={password} aria-invalid={errors.password !== undefined}
        aria-describedby={errors.password ? 'new_password-hint new_password-error' : 'new_password-hint'}
        onInput={(e) => onPassword(e.currentTarget.value)} />
      <p class="hint" id="new_password-hint">{t('form.password_hint')}</p>
      {errors.password && <p class="field-error" id="new_password-error">{t(errors.password)}</p>}
      <FieldError error={apiError} field="password" />
      <label for="repeat_password">{labels.repeat}</label>
      <input id="repeat_password" type="password" autoComplete="new-password" required value={repeat}
        aria-invalid={errors.repeat !== undefined} aria-describedby={errors.repeat ? 'repeat_password-error' : undefined}
        onInput={(e) => onRepeat(e.currentTarget.value)} />
      {errors.repeat && <p class="field-error" id="repeat_password-error">{t(errors.repeat)}</p>}
    </>
  )
}
