import { en, type MessageKey } from './en'
import { da } from './da'
import { createStore, useStore } from '../lib/store'

export type Locale = 'da' | 'en'
export const LOCALES: Locale[] = ['da', 'en']
const CATALOGS: Record<Locale, Record<MessageKey, string>> = { da, en }
const OVERRIDE_KEY = 'stafet.locale'

/** The browser's preferred languages pick, unless the person chose one in Settings. */
export function pickLocale(preferred: readonly string[], fallback: Locale = 'en'): Locale {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0]
    if (base === 'da' || base === 'en') return base
  }
  return fallback
}

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(OVERRIDE_KEY)
    if (saved === 'da' || saved === 'en') return saved
  } catch { /* storage blocked */ }
  return typeof navigator === 'undefined' ? 'en' : pickLocale(navigator.languages ?? [navigator.language])
}

export const locale = createStore<Locale>(typeof window === 'undefined' ? 'en' : initialLocale())

export function setLocale(next: Locale, remember: boolean): void {
  if (remember) {
    try { localStorage.setItem(OVERRIDE_KEY, next) } catch { /* storage blocked */ }
  }
  locale.set(next)
}

function applyLang(l: Locale) {
  if (typeof document !== 'undefined') document.documentElement.lang = l
}
applyLang(locale.get())
locale.subscribe(applyLang)

export function translate(l: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  let text = CATALOGS[l][key] ?? en[key] ?? key
  if (params) {
    for (const [name, value] of Object.entries(params)) {
      const shown = typeof value === 'number' ? formatNumber(l, value) : value
      text = text.split(`{${name}}`).join(shown)
    }
  }
  return text
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(locale.get(), key, params)
}

/** Pick `key_one` or `key_other` by the locale's plural rules. */
export function tn(key: string, n: number, params?: Record<string, string | number>): string {
  const rule = new Intl.PluralRules(locale.get()).select(n) === 'one' ? 'one' : 'other'
  return t(`${key}_${rule}` as MessageKey, { n, ...params })
}

/** Re-render on a language change. */
export function useLocale(): Locale {
  return useStore(locale)
}

export function formatNumber(l: Locale, n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(l === 'da' ? 'da-DK' : 'en-GB', options).format(n)
}

export function formatDate(iso: string, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' }): string {
  const l = locale.get()
  return new Intl.DateTimeFormat(l === 'da' ? 'da-DK' : 'en-GB', options).format(new Date(iso))
}

export function formatDateTime(iso: string): string {
  return formatDate(iso, { dateStyle: 'medium', timeStyle: 'short' })
}

/** "3 hours ago", "in 2 days" in the locale. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const l = locale.get()
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000)
  const abs = Math.abs(seconds)
  const rtf = new Intl.RelativeTimeFormat(l, { numeric: 'auto' })
  if (abs < 60) return rtf.format(seconds, 'second')
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute')
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour')
  if (abs < 86400 * 30) return rtf.format(Math.round(seconds / 86400), 'day')
  return formatDate(iso)
}

export function n(value: number, options?: Intl.NumberFormatOptions): string {
  return formatNumber(locale.get(), value, options)
}

export type { MessageKey }
