import { api, unwrap } from '../api/client'
import { isNetworkError } from '../api/problem'
import type { FeedItem } from '../api/types'

/**
 * Posts already seen in the feed, so a story opened from the feed (to share or comment) still shows
 * without a connection: first from memory, then from the service worker's copy of the last feed pages.
 */
const seen = new Map<number, FeedItem>()
const API_CACHE = 'stafet-api'

export function rememberPosts(items: FeedItem[]): void {
  for (const item of items) seen.set(item.id, item)
}

async function fromOfflineFeed(id: number): Promise<FeedItem | undefined> {
  if (typeof caches === 'undefined') return undefined
  try {
    const cache = await caches.open(API_CACHE)
    for (const request of await cache.keys()) {
      if (!new URL(request.url).pathname.endsWith('/api/v1/feed')) continue
      const response = await cache.match(request, { ignoreVary: true })
      const page = (await response?.json()) as { items?: FeedItem[] } | undefined
      const found = page?.items?.find((p) => p.id === id)
      if (found) return found
    }
  } catch { /* no cache */ }
  return undefined
}

/** GET /posts/{id}; without a connection, the copy from the feed. */
export async function loadPost(id: number): Promise<FeedItem> {
  try {
    const post = await unwrap(api.GET('/api/v1/posts/{post_id}', { params: { path: { post_id: id } } }))
    seen.set(post.id, post)
    return post
  } catch (e) {
    if (!isNetworkError(e)) throw e
    const copy = seen.get(id) ?? (await fromOfflineFeed(id))
    if (copy) return copy
    throw e
  }
}
