import { api, newIdempotencyKey, unwrap } from '../api/client'
import { webPushOf, type ClientConfig } from '../api/endpoints'
import { swRegistration } from '../pwa'

export type PushOutcome = 'registered' | 'not-configured' | 'unsupported' | 'denied'

const DEVICE_KEY = 'stafet.webDeviceId'

/**
 * Turn web push on for this browser (only ever from the Settings switch): ask permission, get an FCM
 * token with the Firebase SDK (loaded now, not before) and register it as a `web` device.
 */
export async function enableWebPush(config: ClientConfig | null, locale: string): Promise<PushOutcome> {
  const webPush = webPushOf(config)
  if (!webPush) return 'not-configured'
  if (typeof Notification === 'undefined' || !('serviceWorker' in navigator)) return 'unsupported'
  // Ask first, while we are still inside the tap (Safari only shows the prompt from a user gesture).
  const permission = await Notification.requestPermission()
  if (permission !== 'granted') return 'denied'
  const registration = (await swRegistration) ?? (await navigator.serviceWorker.ready)
  if (!registration) return 'unsupported'
  const { getWebPushToken } = await import('./firebase')
  const token = await getWebPushToken(webPush.firebase, webPush.vapid_key, registration)
  const device = await unwrap(api.POST('/api/v1/devices', {
    params: { header: { 'Idempotency-Key': newIdempotencyKey() } },
    body: {
      token, platform: 'web', locale,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      app_version: import.meta.env.VITE_APP_VERSION ?? null,
    },
  }))
  try { localStorage.setItem(DEVICE_KEY, String(device.id)) } catch { /* storage blocked */ }
  return 'registered'
}

/** Turning push off forgets this browser's device (the preference itself is saved by the caller). */
export async function disableWebPush(): Promise<void> {
  let id: string | null = null
  try { id = localStorage.getItem(DEVICE_KEY) } catch { /* storage blocked */ }
  if (!id) return
  await api.DELETE('/api/v1/devices/{device_id}', { params: { path: { device_id: Number(id) } } }).catch(() => undefined)
  try { localStorage.removeItem(DEVICE_KEY) } catch { /* storage blocked */ }
}
