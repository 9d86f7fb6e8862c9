import { useState } from 'preact/hooks'
import { getResults, type Period } from '../api/endpoints'
import { Empty, ErrorNote, Loading, Screen, Segmented } from '../components/ui'
import { n, t, useLocale } from '../i18n'
import { href } from '../lib/router'
import { useAsync } from '../lib/use-async'
import { periodOptions } from './me'

/** Our results: the whole organisation's participation and reach (nothing personal). */
export default function Results() {
  useLocale()
  const [period, setPeriod] = useState<Period>('month')
  const results = useAsync(() => getResults(period), [period])
  const d = results.data
  return (
    <Screen title={t('results.title')}>
      <Segmented label={t('period.label')} value={period} options={periodOptions()} onChange={setPeriod} />
      <ErrorNote error={results.error} onRetry={results.reload} />
      {!d && results.loading && <Loading />}
      {d && (
        <>
          <dl class="figures">
            <div><dt>{t('results.participation')}</dt><dd>{n(d.participation.rate, { style: 'percent', maximumFractionDigits: 0 })}</dd></div>
            <div><dt>{t('results.active')}</dt><dd>{t('results.active_of', { active: d.participation.active, eligible: d.participation.eligible })}</dd></div>
            <div><dt>{t('impact.shares')}</dt><dd>{n(d.shares)}</dd></div>
            <div><dt>{t('results.clicks')}</dt><dd>{n(d.clicks)}</dd></div>
            <div><dt>{t('impact.reach')}</dt><dd>{n(d.estimated_reach)}</dd></div>
          </dl>
          <h2>{t('results.top')}</h2>
          {d.top_posts.length === 0 && <Empty text={t('results.no_top')} />}
          <ol class="list">
            {d.top_posts.map((p) => (
              <li key={p.id} class="list-item">
                <a href={href(`/posts/${p.id}`)}>{p.title}</a>
                <p class="meta">{t('results.post_figures', { shares: p.shares, clicks: p.clicks })}</p>
              </li>
            ))}
          </ol>
        </>
      )}
    </Screen>
  )
}
