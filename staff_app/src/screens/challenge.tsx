import { useEffect, useState } from 'preact/hooks'
import { api, unwrap } from '../api/client'
import { Empty, ErrorNote, Loading, Screen } from '../components/ui'
import { formatDateTime, n, t, useLocale } from '../i18n'
import { useStore } from '../lib/store'
import { useAsync } from '../lib/use-async'
import { me } from '../session'
import { countdown, myPlace } from './challenges'

export default function ChallengeDetail({ id }: { id: number }) {
  useLocale()
  const user = useStore(me)
  const ch = useAsync(() => unwrap(api.GET('/api/v1/challenges/{challenge_id}', { params: { path: { challenge_id: id } } })), [id])
  // Re-render every half minute so the countdown moves; standings reload with the refresh button.
  const [, setNow] = useState(0)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30000)
    return () => clearInterval(timer)
  }, [])
  if (ch.error) return <Screen title={t('challenges.title')}><ErrorNote error={ch.error} onRetry={ch.reload} /></Screen>
  if (!ch.data) return <Screen title={t('challenges.title')}><Loading /></Screen>
  const c = ch.data
  const place = myPlace(c, user)
  return (
    <Screen title={c.title} actions={<button type="button" class="btn btn-secondary btn-small" onClick={ch.reload}>{t('feed.refresh')}</button>}>
      <p class="countdown" data-testid="countdown">{countdown(c)}</p>
      <p>{c.description}</p>
      <p class="meta">{formatDateTime(c.starts_at)} – {formatDateTime(c.ends_at)}</p>
      <p>{t(`challenge.metric_${c.metric}`)} · {t(c.kind === 'team' ? 'challenge.kind_team' : 'challenge.kind_individual')}</p>
      {c.prize_points > 0 && <p class="chip chip-points">{t('challenge.prize', { n: c.prize_points })}</p>}
      {place && <div class="card my-rank"><p>{t('challenge.my_place', { rank: place.rank, value: n(place.value, { maximumFractionDigits: 1 }) })}</p></div>}
      <h2>{t('challenge.standings')}</h2>
      {c.standings.length === 0 && <Empty text={t('challenge.no_standings')} />}
      <ol class="board">
        {c.standings.map((s, i) => {
          const mine = place === s
          return (
            <li key={i} class={mine ? 'board-row me' : 'board-row'}>
              <span class="rank">{n(s.rank)}</span>
              <span class="name">{s.user?.display_name ?? s.team?.name ?? '—'}</span>
              <span class="points">{n(s.value, { maximumFractionDigits: 1 })}</span>
            </li>
          )
        })}
      </ol>
    </Screen>
  )
}
