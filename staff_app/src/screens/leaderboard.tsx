import { useState } from 'preact/hooks'
import { api, unwrap } from '../api/client'
import type { Period } from '../api/endpoints'
import { Empty, ErrorNote, Loading, Screen, Segmented } from '../components/ui'
import { n, t, useLocale } from '../i18n'
import { href } from '../lib/router'
import { useStore } from '../lib/store'
import { useAsync } from '../lib/use-async'
import { me } from '../session'
import { periodOptions } from './me'

type Scope = 'org' | 'team' | 'teams'

export default function Leaderboard() {
  useLocale()
  const user = useStore(me)
  const [scope, setScope] = useState<Scope>('org')
  const [period, setPeriod] = useState<Period>('week')
  const teams = user?.teams ?? []
  const [teamId, setTeamId] = useState<number | null>(teams[0]?.id ?? null)
  const board = useAsync(async () => {
    if (scope === 'teams') return { kind: 'teams' as const, data: await unwrap(api.GET('/api/v1/leaderboard/teams', { params: { query: { period } } })) }
    const query = scope === 'team' && teamId !== null ? { scope, period, team_id: teamId, limit: 50 } : { scope: 'org' as const, period, limit: 50 }
    return { kind: 'people' as const, data: await unwrap(api.GET('/api/v1/leaderboard', { params: { query } })) }
  }, [scope, period, teamId])

  const scopes: { value: Scope; label: string }[] = [
    { value: 'org', label: t('board.org') },
    ...(teams.length ? [{ value: 'team' as Scope, label: t('board.team') }] : []),
    { value: 'teams', label: t('board.teams') },
  ]
  const hidden = user ? !user.settings.leaderboard_visible : false
  const left = user ? !user.settings.gamification_enabled : false

  return (
    <Screen title={t('board.title')}>
      <Segmented label={t('board.scope')} value={scope} options={scopes} onChange={setScope} />
      {scope === 'team' && teams.length > 1 && (
        <>
          <label for="team">{t('board.pick_team')}</label>
          <select id="team" value={teamId ?? ''} onChange={(e) => setTeamId(Number(e.currentTarget.value))}>
            {teams.map((tm) => <option key={tm.id} value={tm.id}>{tm.name}</option>)}
          </select>
        </>
      )}
      <Segmented label={t('period.label')} value={period} options={periodOptions()} onChange={setPeriod} />
      {left && <p class="note note-info">{t('board.left_note')} <a href={href('/settings')}>{t('settings.title')}</a></p>}
      {!left && hidden && <p class="note note-info" data-testid="hidden-note">{t('board.hidden_note')}</p>}
      <ErrorNote error={board.error} onRetry={board.reload} />
      {board.loading && !board.data && <Loading />}
      {board.data?.kind === 'people' && (
        <>
          {board.data.data.me && 'rank' in board.data.data.me && (
            <div class="card my-rank" data-testid="my-rank">
              <p>{t('board.my_rank', { rank: board.data.data.me.rank as number, points: board.data.data.me.points as number })}</p>
            </div>
          )}
          {board.data.data.entries.length === 0 && <Empty text={t('board.empty')} />}
          <ol class="board">
            {board.data.data.entries.map((e) => (
              <li key={e.user.id} class={user && e.user.id === user.id ? 'board-row me' : 'board-row'}>
                <span class="rank">{n(e.rank)}</span>
                <span class="name">{e.user.display_name}</span>
                <span class="points">{t('board.points', { n: e.points })}</span>
              </li>
            ))}
          </ol>
        </>
      )}
      {board.data?.kind === 'teams' && (
        <>
          <p class="meta">{t('board.teams_explained')}</p>
          <ol class="board">
            {board.data.data.entries.map((e) => (
              <li key={e.team.id} class={teams.some((tm) => tm.id === e.team.id) ? 'board-row me' : 'board-row'}>
                <span class="rank">{n(e.rank)}</span>
                <span class="name">{e.team.name}</span>
                <span class="points">{t('board.per_member', { n: n(e.points_per_member, { maximumFractionDigits: 1 }) })}</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </Screen>
  )
}
