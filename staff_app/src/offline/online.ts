import { createStore } from '../lib/store'

/**
 * Online as far as the person is concerned: the browser says so and our last request got through.
 * navigator.onLine alone misses "connected to Wi-Fi with no internet", so failed fetches count too.
 */
export const online = createStore<boolean>(typeof navigator === 'undefined' ? true : navigator.onLine)

export function reportNetworkFailure(): void {
  online.set(false)
}

export function reportNetworkSuccess(): void {
  if (!online.get()) online.set(true)
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => online.set(true))
  window.addEventListener('offline', () => online.set(false))
}

/** While a failed request says "offline" but the browser says online, look again now and then. */
let probe: ReturnType<typeof setInterval> | null = null
online.subscribe((isOnline) => {
  if (isOnline) {
    if (probe !== null) clearInterval(probe)
    probe = null
  } else if (probe === null && typeof window !== 'undefined') {
    probe = setInterval(() => {
      if (!navigator.onLine) return
      fetch('/healthz', { cache: 'no-store' }).then((r) => { if (r.ok) online.set(true) }, () => undefined)
    }, 15000)
  }
})
