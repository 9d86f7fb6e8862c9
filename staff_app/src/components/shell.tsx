import type { ComponentChildren } from 'preact'
import { useEffect } from 'preact/hooks'
import { api, unwrap } from '../api/client'
import { t, tn, useLocale } from '../i18n'
import { handOff } from '../lib/networks'
import { href, useLocation } from '../lib/router'
import { createStore, useStore } from '../lib/store'
import { failedWrites, pendingWrites, replayTick, sentShares } from '../offline/outbox'
import { online } from '../offline/online'
import { applyUpdate, updateAvailable } from '../pwa'
import { IconBell, IconFeed, IconFlag, IconGift, IconTrophy, IconUser } from './icons'
import { toast } from './ui'
import type { Network } from '../api/types'

export const unreadCount = createStore<number>(0)

export async function refreshUnread(): Promise<void> {
  try {
    const page = await unwrap(api.GET('/api/v1/me/notifications', { params: { query: { unread: true, limit: 100 } } }))
    unreadCount.set(page.items.length)
  } catch {
    // Offline or signed out: keep the last count.
  }
}

const TABS = [
  { path: '/', key: 'tab.feed', Icon: IconFeed, match: (p: string) => p === '/' || p.startsWith('/posts') || p === '/suggest' },
  { path: '/challenges', key: 'tab.challenges', Icon: IconFlag, match: (p: string) => p.startsWith('/challenges') },
  { path: '/leaderboard', key: 'tab.leaderboard', Icon: IconTrophy, match: (p: string) => p.startsWith('/leaderboard') },
  { path: '/rewards', key: 'tab.rewards', Icon: IconGift, match: (p: string) => p.startsWith('/rewards') },
  { path: '/me', key: 'tab.me', Icon: IconUser,
    match: (p: string) => ['/me', '/settings', '/results', '/inbox'].includes(p) || p.startsWith('/badges') },
] as const

export function TabBar() {
  const { path } = useLocation()
  useLocale()
  return (
    <nav class="tabbar" aria-label={t('nav.main')}>
      {TABS.map(({ path: to, key, Icon, match }) => (
        <a key={to} href={href(to)} aria-current={match(path) ? 'page' : undefined}>
          <Icon />
          <span>{t(key)}</span>
        </a>
      ))}
    </nav>
  )
}

export function TopBar() {
  const unread = useStore(unreadCount)
  useLocale()
  const { path } = useLocation()
  useEffect(() => { void refreshUnread() }, [path])
  const label = unread > 0 ? tn('inbox.unread', unread) : t('inbox.title')
  return (
    <header class="topbar">
      <a class="brand" href={href('/')}>Stafet</a>
      <a class="icon-btn" href={href('/inbox')} aria-label={label} data-testid="inbox-link">
        <IconBell />
        {unread > 0 && <span class="badge-count" aria-hidden="true">{unread > 99 ? '99+' : unread}</span>}
      </a>
    </header>
  )
}

export function OfflineBanner() {
  const isOnline = useStore(online)
  const pending = useStore(pendingWrites)
  useLocale()
  if (isOnline && pending.length === 0) return null
  return (
    <div class={isOnline ? 'banner banner-info' : 'banner banner-offline'} role="status" data-testid="offline-banner">
      {!isOnline && <strong>{t('offline.banner')}</strong>}{' '}
      {pending.length > 0 && <span>{tn('offline.pending', pending.length)}</span>}
    </div>
  )
}

export function UpdatePrompt() {
  const available = useStore(updateAvailable)
  useLocale()
  if (!available) return null
  return (
    <div class="banner banner-info" role="status">
      <span>{t('update.available')}</span>{' '}
      <button type="button" class="btn btn-small" onClick={() => applyUpdate()}>{t('update.reload')}</button>
    </div>
  )
}

/** What happened to writes made offline: failures stay until dismissed; recorded shares offer the hand-off. */
export function OutboxNotices() {
  const failed = useStore(failedWrites)
  const shares = useStore(sentShares)
  const tick = useStore(replayTick)
  useLocale()
  useEffect(() => { if (tick > 0) toast(t('offline.sent')) }, [tick])
  if (!failed.length && !shares.length) return null
  return (
    <div class="outbox-notices">
      {failed.map((f) => (
        <div key={f.write.id} class="note note-error" role="alert">
          <p>{t(f.write.kind === 'share' ? 'offline.failed_share' : 'offline.failed_comment', { title: f.write.label })}</p>
          {f.detail && <p>{f.detail}</p>}
          <button type="button" class="btn btn-secondary"
            onClick={() => failedWrites.set((all) => all.filter((x) => x.write.id !== f.write.id))}>
            {t('action.dismiss')}
          </button>
        </div>
      ))}
      {shares.map((s) => (
        <div key={s.id} class="note note-info">
          <p>{t('offline.share_recorded')}</p>
          <button type="button" class="btn btn-primary" onClick={async () => {
            await handOff(s.network as Network, s.caption ?? '', s.tracked_url, browserHandoff())
            sentShares.set((all) => all.filter((x) => x.id !== s.id))
          }}>{t('share.post_now')}</button>
        </div>
      ))}
    </div>
  )
}

export function browserHandoff() {
  return {
    share: typeof navigator.share === 'function' ? (d: ShareData) => navigator.share(d) : undefined,
    canShare: typeof navigator.canShare === 'function' ? (d: ShareData) => navigator.canShare(d) : undefined,
    open: (url: string) => { window.open(url, '_blank', 'noopener,noreferrer') },
    copy: (text: string) => navigator.clipboard.writeText(text),
  }
}

export function Layout({ children }: { children: ComponentChildren }) {
  return (
    <div class="layout">
      <a class="skip-link" href="#main">{t('nav.skip')}</a>
      <TopBar />
      <OfflineBanner />
      <UpdatePrompt />
      <OutboxNotices />
      <main id="main" tabIndex={-1}>{children}</main>
      <TabBar />
    </div>
  )
}
