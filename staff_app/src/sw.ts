/// <reference lib="webworker" />
/**
 * The staff app's service worker (scope /app/). It precaches the app shell so the app opens offline,
 * keeps the last answers of GET /feed, /me and /me/notifications for reading offline, shows pushes
 * (FCM web push, without the Firebase SDK in the worker) and opens their deep link when tapped.
 */
import { clientsClaim } from 'workbox-core'
import { CacheableResponsePlugin } from 'workbox-cacheable-response'
import { ExpirationPlugin } from 'workbox-expiration'
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { NetworkFirst } from 'workbox-strategies'
import { routeForNotification } from './lib/deeplink'

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<string | { url: string; revision: string | null }> }

const API_CACHE = 'stafet-api'
const OFFLINE_READABLE = /^\/api\/v1\/(?:feed|me|me\/notifications)$/

precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()

// Every /app/<route> is the same single-page app.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/app/index.html'), { allowlist: [/^\/app(?:\/|$)/] }))

registerRoute(
  ({ url, request }) => request.method === 'GET' && url.origin === self.location.origin && OFFLINE_READABLE.test(url.pathname),
  new NetworkFirst({
    cacheName: API_CACHE,
    networkTimeoutSeconds: 8,
    // The access token changes every refresh; the cached answer is still mine (the cache is cleared on sign-out).
    matchOptions: { ignoreVary: true },
    plugins: [
      new CacheableResponsePlugin({ statuses: [200] }),
      new ExpirationPlugin({ maxEntries: 20, maxAgeSeconds: 7 * 24 * 3600 }),
      {
        // Tell the page this answer came from the cache because the network failed (it shows the offline banner).
        cachedResponseWillBeUsed: async ({ cachedResponse }) => {
          if (!cachedResponse) return cachedResponse
          const headers = new Headers(cachedResponse.headers)
          headers.set('X-Stafet-Cache', 'offline')
          return new Response(await cachedResponse.blob(), { status: cachedResponse.status, statusText: cachedResponse.statusText, headers })
        },
      },
    ],
  }),
)

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting()
})
clientsClaim()

interface FcmPayload {
  notification?: { title?: string; body?: string; icon?: string }
  data?: Record<string, string>
}

self.addEventListener('push', (event) => {
  let payload: FcmPayload = {}
  try {
    payload = (event.data?.json() ?? {}) as FcmPayload
  } catch {
    payload = { notification: { title: 'Stafet', body: event.data?.text() ?? '' } }
  }
  const data = payload.data ?? {}
  const title = payload.notification?.title ?? data.title ?? 'Stafet'
  event.waitUntil(self.registration.showNotification(title, {
    body: payload.notification?.body ?? data.body ?? '',
    icon: '/app/icons/icon-192.png',
    badge: '/app/icons/icon-192.png',
    tag: data.notification_id ? `n-${data.notification_id}` : undefined,
    data,
  }))
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = routeForNotification(event.notification.data as Record<string, unknown> | null)
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
    const open = windows.find((w) => new URL(w.url).pathname.startsWith('/app'))
    if (open) {
      await open.focus()
      open.postMessage({ type: 'navigate', url })
      return
    }
    await self.clients.openWindow(url)
  })())
})
