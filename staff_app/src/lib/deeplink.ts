/**
 * Push and inbox deep links (`data.deep_link`) → app routes. Only the known stafet:// forms map;
 * anything else returns null so a crafted link can never navigate away from the app.
 */
const BASE = '/app'

export function deepLinkToRoute(link: unknown): string | null {
  if (typeof link !== 'string') return null
  const m = /^stafet:\/\/([a-z]+)(?:\/([A-Za-z0-9_.-]+))?\/?$/.exec(link.trim())
  if (!m) return null
  const [, kind, id] = m
  const numeric = id !== undefined && /^\d+$/.test(id)
  switch (kind) {
    case 'posts':
      return numeric ? `${BASE}/posts/${id}` : null
    case 'challenges':
      return numeric ? `${BASE}/challenges/${id}` : id === undefined ? `${BASE}/challenges` : null
    case 'badges':
      return id !== undefined ? `${BASE}/badges/${encodeURIComponent(id)}` : `${BASE}/me#badges`
    case 'redemptions':
      return numeric ? `${BASE}/rewards#redemption-${id}` : id === undefined ? `${BASE}/rewards#redemptions` : null
    case 'inbox':
      return id === undefined ? `${BASE}/inbox` : null
    case 'feed':
      return id === undefined ? `${BASE}/` : null
    default:
      return null
  }
}

/** Where a notification opens: its deep link, else the inbox. */
export function routeForNotification(data: Record<string, unknown> | undefined | null): string {
  return deepLinkToRoute(data?.deep_link) ?? `${BASE}/inbox`
}
