import { useEffect, useState } from 'preact/hooks'
import { api, unwrap } from '../api/client'
import { getImpact, type Period } from '../api/endpoints'
import type { LedgerEntry } from '../api/types'
import { Empty, ErrorNote, Loading, Screen, Segmented } from '../components/ui'
import { formatDate, formatRelative, n, t, useLocale } from '../i18n'
import { emptyPaged, mergePage, type Paged } from '../lib/pagination'
import { href, useLocation } from '../lib/router'
import { useStore } from '../lib/store'
import { useAsync } from '../lib/use-async'
import { loadMe, me } from '../session'

export function periodOptions(): { value: Period; label: string }[] {
  return [
    { value: 'week', label: t('period.week') },
    { value: 'month', label: t('period.month') },
    { value: 'all_time', label: t('period.all_time') },
  ]
}

export default function MeScreen() {
  useLocale()
  const user = useStore(me)
  const { hash } = useLocation()
  useEffect(() => { void loadMe().catch(() => undefined) }, [])
  useEffect(() => {
    if (hash) document.getElementById(hash)?.scrollIntoView()
  }, [hash])
  if (!user) return <Screen title={t('me.title')}><Loading /></Screen>
  const { balance, lifetime, level } = user.points
  const gamified = user.settings.gamification_enabled
  return (
    <Screen title={user.display_name} actions={<a class="btn btn-secondary btn-small" href={href('/settings')}>{t('settings.title')}</a>}>
      {!gamified && <p class="note note-info">{t('me.gamification_off')}</p>}
      <section class="card stats" aria-labelledby="points-title">
        <h2 id="points-title">{t('me.points')}</h2>
        <p class="big" data-testid="balance">{t('me.balance', { n: balance })}</p>
        <p class="meta">{t('me.lifetime', { n: lifetime })}</p>
        <p><strong>{t('me.level', { number: level.number, name: level.name })}</strong></p>
        {level.next_level_at !== null && level.next_level_at !== undefined ? (
          <>
            <progress max={level.next_level_at} value={Math.min(lifetime, level.next_level_at)}
              aria-label={t('me.progress_label')} />
            <p class="meta">{t('me.to_next', { n: Math.max(0, level.next_level_at - lifetime), level: level.number + 1 })}</p>
          </>
        ) : <p class="meta">{t('me.top_level')}</p>}
      </section>
      <Impact />
      <Badges />
      <nav class="link-list" aria-label={t('me.more')}>
        <a href={href('/inbox')}>{t('inbox.title')}</a>
        <a href={href('/results')}>{t('results.title')}</a>
        <a href={href('/suggest')}>{t('suggest.title')}</a>
        <a href={href('/settings')}>{t('settings.title')}</a>
      </nav>
      <Ledger />
    </Screen>
  )
}

function Impact() {
  const [period, setPeriod] = useState<Period>('week')
  const impact = useAsync(() => getImpact(period), [period])
  const d = impact.data
  return (
    <section class="card" aria-labelledby="impact-title">
      <h2 id="impact-title">{t('impact.title')}</h2>
      <Segmented label={t('period.label')} value={period} options={periodOptions()} onChange={setPeriod} />
      <ErrorNote error={impact.error} onRetry={impact.reload} />
      {!d && impact.loading && <Loading />}
      {d && (
        <dl class="figures">
          <div><dt>{t('impact.shares')}</dt><dd>{n(d.shares)}</dd></div>
          <div><dt>{t('impact.clicks')}</dt><dd>{n(d.clicks)}</dd></div>
          <div><dt>{t('impact.reach')}</dt><dd>{n(d.estimated_reach)}</dd></div>
          <div><dt>{t('impact.streak')}</dt><dd>{t('impact.streak_days', { n: d.streak_days })}</dd></div>
          <div><dt>{t('impact.rank')}</dt><dd>{d.on_leaderboard && d.rank !== null ? `#${n(d.rank)}` : t('impact.not_ranked')}</dd></div>
        </dl>
      )}
      {d && d.estimated_reach > 0 && <p class="meta">{t('impact.reach_explained')}</p>}
    </section>
  )
}

function Badges() {
  const badges = useAsync(() => unwrap(api.GET('/api/v1/badges')), [])
  const items = badges.data?.items ?? []
  const earned = items.filter((b) => b.earned_at)
  const toEarn = items.filter((b) => !b.earned_at)
  return (
    <section class="card" id="badges" aria-labelledby="badges-title">
      <h2 id="badges-title">{t('badges.title')}</h2>
      <ErrorNote error={badges.error} onRetry={badges.reload} />
      {badges.loading && !badges.data && <Loading />}
      <h3>{t('badges.earned')}</h3>
      {badges.data && earned.length === 0 && <Empty text={t('badges.none_yet')} />}
      <ul class="badge-grid">
        {earned.map((b) => (
          <li key={b.code}><a href={href(`/badges/${encodeURIComponent(b.code)}`)} class="badge badge-earned">
            <span class="badge-name">{b.name}</span>
            <span class="meta">{formatDate(b.earned_at!)}</span>
          </a></li>
        ))}
      </ul>
      <h3>{t('badges.to_earn')}</h3>
      <ul class="list">
        {toEarn.map((b) => (
          <li key={b.code} class="list-item">
            <a href={href(`/badges/${encodeURIComponent(b.code)}`)}><strong>{b.name}</strong></a>
            <p class="meta">{b.description}</p>
          </li>
        ))}
      </ul>
    </section>
  )
}

function Ledger() {
  const [list, setList] = useState<Paged<LedgerEntry>>(emptyPaged)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<unknown>(null)
  async function load(reset: boolean) {
    setLoading(true)
    try {
      const page = await unwrap(api.GET('/api/v1/me/points', {
        params: { query: { limit: 20, cursor: reset ? undefined : list.cursor ?? undefined } },
      }))
      setList((cur) => mergePage(cur, page, reset))
      setError(null)
    } catch (e) {
      setError(e)
    } finally {
      setLoading(false)
    }
  }
  useEffect(() => { void load(true) }, [])
  return (
    <section class="card" aria-labelledby="ledger-title">
      <h2 id="ledger-title">{t('ledger.title')}</h2>
      <ErrorNote error={error} onRetry={() => void load(true)} />
      {!loading && list.items.length === 0 && !error && <Empty text={t('ledger.none')} />}
      <ul class="list">
        {list.items.map((e) => (
          <li key={e.id} class="list-item ledger-row">
            <span>
              {t(`ledger.action_${e.action}`)}
              {e.reason && <span class="meta"> · {e.reason}</span>}
              <span class="meta"> · {formatRelative(e.created_at)}</span>
            </span>
            <span class={e.amount >= 0 ? 'amount plus' : 'amount minus'}>{e.amount > 0 ? '+' : ''}{n(e.amount)}</span>
          </li>
        ))}
      </ul>
      {loading && <Loading />}
      {!list.done && !loading && list.items.length > 0 && (
        <button type="button" class="btn btn-secondary btn-block" onClick={() => void load(false)}>{t('feed.more')}</button>
      )}
    </section>
  )
}
