import { Workbox } from 'workbox-window'
import { createStore } from './lib/store'
import { navigate } from './lib/router'

/** A new version of the app is installed and waiting: the person chooses when to reload. */
export const updateAvailable = createStore(false)
let wb: Workbox | null = null
export let swRegistration: Promise<ServiceWorkerRegistration | undefined> = Promise.resolve(undefined)

/** Registered from our own script (no inline registration: the CSP allows only same-origin scripts). */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return
  wb = new Workbox(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL })
  wb.addEventListener('waiting', () => updateAvailable.set(true))
  // A notification tapped while the app is open: the worker asks this page to show the deep link.
  navigator.serviceWorker.addEventListener('message', (event) => {
    const data = event.data as { type?: string; url?: string } | null
    if (data?.type === 'navigate' && typeof data.url === 'string' && data.url.startsWith('/app/')) navigate(data.url)
  })
  swRegistration = wb.register()
  // Look for a new version now and then while the app stays open (installed apps live for days).
  setInterval(() => { void wb?.update() }, 60 * 60 * 1000)
}

export function applyUpdate(): void {
  if (!wb) return
  wb.addEventListener('controlling', () => window.location.reload())
  wb.messageSkipWaiting()
}
