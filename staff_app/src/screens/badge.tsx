import { api, unwrap } from '../api/client'
import { ErrorNote, Loading, Screen } from '../components/ui'
import { formatDate, t, useLocale } from '../i18n'
import { href } from '../lib/router'
import { useAsync } from '../lib/use-async'

/** One badge (the target of stafet://badges/{code}): what it is for and whether I have it. */
export default function BadgeScreen({ code }: { code: string }) {
  useLocale()
  const badges = useAsync(() => unwrap(api.GET('/api/v1/badges')), [])
  const badge = badges.data?.items.find((b) => b.code === code)
  return (
    <Screen title={badge?.name ?? t('badges.title')}>
      <ErrorNote error={badges.error} onRetry={badges.reload} />
      {badges.loading && !badges.data && <Loading />}
      {badges.data && !badge && <p class="note note-info">{t('badges.unknown')}</p>}
      {badge && (
        <div class="card">
          <p class="big">{badge.earned_at ? '🏅' : '○'}</p>
          <p>{badge.description}</p>
          <p><strong>{badge.earned_at ? t('badges.earned_on', { date: formatDate(badge.earned_at) }) : t('badges.not_yet')}</strong></p>
        </div>
      )}
      <a class="btn btn-secondary btn-block" href={href('/me#badges')}>{t('badges.all')}</a>
    </Screen>
  )
}
