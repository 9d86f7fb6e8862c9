import { useState } from 'preact/hooks'
import { api, unwrap } from '../api/client'
import type { Challenge, Me } from '../api/types'
import { Empty, ErrorNote, Loading, Screen, Segmented } from '../components/ui'
import { formatRelative, n, t, useLocale } from '../i18n'
import { href } from '../lib/router'
import { useStore } from '../lib/store'
import { useAsync } from '../lib/use-async'
import { me } from '../session'

type Status = 'active' | 'upcoming' | 'ended'

/** My row in the standings: me in an individual challenge, my team in a team challenge. */
export function myPlace(c: Challenge, user: Me | null) {
  if (!user) return null
  return c.standings.find((s) => (c.kind === 'individual'
    ? s.user?.id === user.id
    : s.team !== undefined && user.teams.some((tm) => tm.id === s.team!.id))) ?? null
}

export function countdown(c: Challenge): string {
  if (c.status === 'upcoming') return t('challenge.starts', { when: formatRelative(c.starts_at) })
  if (c.status === 'active') return t('challenge.ends', { when: formatRelative(c.ends_at) })
  if (c.status === 'cancelled') return t('challenge.cancelled')
  return t('challenge.ended', { when: formatRelative(c.ends_at) })
}

export default function Challenges() {
  useLocale()
  const user = useStore(me)
  const [status, setStatus] = useState<Status>('active')
  const list = useAsync(() => unwrap(api.GET('/api/v1/challenges', { params: { query: { status } } })), [status])
  return (
    <Screen title={t('challenges.title')}>
      <Segmented label={t('challenges.filter')} value={status} onChange={setStatus} options={[
        { value: 'active', label: t('challenges.active') },
        { value: 'upcoming', label: t('challenges.upcoming') },
        { value: 'ended', label: t('challenges.ended') },
      ]} />
      <ErrorNote error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.items.length === 0 && <Empty text={t('challenges.none')} />}
      {list.data?.items.map((c) => {
        const place = myPlace(c, user)
        return (
          <article key={c.id} class="card" aria-labelledby={`ch-${c.id}`}>
            <h2 id={`ch-${c.id}`}><a href={href(`/challenges/${c.id}`)}>{c.title}</a></h2>
            <p class="meta">{countdown(c)}</p>
            <p>{t(`challenge.metric_${c.metric}`)} · {t(c.kind === 'team' ? 'challenge.kind_team' : 'challenge.kind_individual')}</p>
            {c.prize_points > 0 && <p class="chip chip-points">{t('challenge.prize', { n: c.prize_points })}</p>}
            {place && <p><strong>{t('challenge.my_place', { rank: place.rank, value: n(place.value, { maximumFractionDigits: 1 }) })}</strong></p>}
          </article>
        )
      })}
    </Screen>
  )
}
