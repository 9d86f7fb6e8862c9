import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { api, unwrap } from '../api/client'
import type { FeedItem } from '../api/types'
import { IconRefresh } from '../components/icons'
import { PostCard } from '../components/postcard'
import { Empty, ErrorNote, Loading, Screen } from '../components/ui'
import { t, useLocale } from '../i18n'
import { emptyPaged, mergePage, type Paged } from '../lib/pagination'
import { rememberPosts } from '../lib/post-cache'
import { href } from '../lib/router'
import { useStore } from '../lib/store'
import { replayTick } from '../offline/outbox'

const PAGE = 20

/** Pull-to-refresh: a downward drag at the top of the page past this many pixels reloads. */
const PULL_THRESHOLD = 70

export function Feed() {
  useLocale()
  const [feed, setFeed] = useState<Paged<FeedItem>>(emptyPaged)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [pull, setPull] = useState(0)
  const busy = useRef(false)
  const sentinel = useRef<HTMLDivElement>(null)
  const tick = useStore(replayTick)

  const load = useCallback(async (reset: boolean) => {
    if (busy.current) return
    busy.current = true
    setLoading(true)
    setError(null)
    try {
      const cursor = reset ? undefined : feed.cursor ?? undefined
      const page = await unwrap(api.GET('/api/v1/feed', { params: { query: { limit: PAGE, cursor } } }))
      rememberPosts(page.items)
      setFeed((current) => mergePage(current, page, reset))
    } catch (e) {
      setError(e)
    } finally {
      busy.current = false
      setLoading(false)
    }
  }, [feed.cursor])

  useEffect(() => { void load(true) }, [tick])

  // Infinite scroll: load the next page when the end of the list comes into view.
  useEffect(() => {
    const el = sentinel.current
    if (!el || feed.done || typeof IntersectionObserver === 'undefined') return
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && feed.items.length > 0) void load(false)
    }, { rootMargin: '400px' })
    io.observe(el)
    return () => io.disconnect()
  }, [feed.done, feed.items.length, load])

  // Pull to refresh on touch screens; the refresh button does the same for everyone.
  useEffect(() => {
    let startY: number | null = null
    let distance = 0
    const start = (e: TouchEvent) => { startY = window.scrollY <= 0 ? e.touches[0].clientY : null; distance = 0 }
    const move = (e: TouchEvent) => {
      if (startY === null) return
      distance = Math.max(0, e.touches[0].clientY - startY)
      setPull(Math.min(distance, PULL_THRESHOLD * 1.5))
    }
    const end = () => {
      if (startY !== null && distance > PULL_THRESHOLD) void load(true)
      startY = null
      setPull(0)
    }
    window.addEventListener('touchstart', start, { passive: true })
    window.addEventListener('touchmove', move, { passive: true })
    window.addEventListener('touchend', end)
    return () => {
      window.removeEventListener('touchstart', start)
      window.removeEventListener('touchmove', move)
      window.removeEventListener('touchend', end)
    }
  }, [load])

  const pinned = feed.items.filter((p) => p.pinned)
  const rest = feed.items.filter((p) => !p.pinned)

  return (
    <Screen title={t('feed.title')} actions={
      <button type="button" class="icon-btn" onClick={() => void load(true)} aria-label={t('feed.refresh')} disabled={loading}>
        <IconRefresh />
      </button>
    }>
      {pull > 0 && (
        <p class="pull-hint" style={{ height: `${pull}px` }} aria-hidden="true">
          {pull > PULL_THRESHOLD ? t('feed.release') : t('feed.pull')}
        </p>
      )}
      <a class="btn btn-secondary btn-block suggest-link" href={href('/suggest')}>{t('suggest.cta')}</a>
      <ErrorNote error={error} onRetry={() => void load(feed.items.length === 0)} />
      {[...pinned, ...rest].map((post) => <PostCard key={post.id} post={post} />)}
      {!loading && !error && feed.done && feed.items.length === 0 && <Empty text={t('feed.empty')} />}
      {loading && <Loading />}
      <div ref={sentinel} aria-hidden="true" />
      {!feed.done && !loading && feed.items.length > 0 && (
        <button type="button" class="btn btn-secondary btn-block" onClick={() => void load(false)}>{t('feed.more')}</button>
      )}
      {feed.done && feed.items.length > 0 && <p class="end">{t('feed.end')}</p>}
    </Screen>
  )
}
