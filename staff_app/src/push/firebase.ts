/**
 * The only module that imports the Firebase JS SDK. It is loaded with import() when the person turns
 * push on, and bundled alone as firebase-[hash].js (vite.config.ts) so it never weighs on the first
 * screen and browser tests can route that file to a stub with the same export.
 */
import { initializeApp, getApps } from 'firebase/app'
import { getMessaging, getToken, isSupported } from 'firebase/messaging'

export interface FirebaseWebConfig {
  apiKey: string
  authDomain?: string
  projectId: string
  messagingSenderId: string
  appId: string
}

/** An FCM registration token for this browser, tied to our own service worker (scope /app/). */
export async function getWebPushToken(
  firebase: FirebaseWebConfig, vapidKey: string, serviceWorkerRegistration: ServiceWorkerRegistration,
): Promise<string> {
  if (!(await isSupported())) throw new Error('unsupported')
  const app = getApps().find((a) => a.name === 'stafet') ?? initializeApp(firebase, 'stafet')
  return getToken(getMessaging(app), { vapidKey, serviceWorkerRegistration })
}
