import { useEffect, useRef, useState } from 'preact/hooks'
import { api, newIdempotencyKey, unwrap } from '../api/client'
import type { Reward } from '../api/types'
import { Confirm, Empty, ErrorNote, Loading, Screen, toast } from '../components/ui'
import { formatDate, n, t, useLocale } from '../i18n'
import { useLocation } from '../lib/router'
import { useStore } from '../lib/store'
import { useAsync } from '../lib/use-async'
import { loadMe, me } from '../session'

export default function Rewards() {
  useLocale()
  const user = useStore(me)
  const { hash } = useLocation()
  const catalog = useAsync(() => unwrap(api.GET('/api/v1/rewards', { params: { query: { limit: 100 } } })), [])
  const mine = useAsync(() => unwrap(api.GET('/api/v1/me/redemptions', { params: { query: { limit: 50 } } })), [])
  const [picked, setPicked] = useState<Reward | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const key = useRef<{ key: string; rewardId: number } | null>(null)
  const balance = user?.points.balance ?? 0

  useEffect(() => {
    if (hash && mine.data) document.getElementById(hash)?.scrollIntoView()
  }, [hash, mine.data])

  async function redeem() {
    if (!picked) return
    if (key.current?.rewardId !== picked.id) key.current = { key: newIdempotencyKey(), rewardId: picked.id }
    setBusy(true)
    setError(null)
    try {
      await unwrap(api.POST('/api/v1/rewards/{reward_id}/redemptions', {
        params: { path: { reward_id: picked.id }, header: { 'Idempotency-Key': key.current.key } },
      }))
      toast(t('rewards.redeemed', { name: picked.name }))
      key.current = null
      setPicked(null)
      await Promise.all([mine.reload(), catalog.reload(), loadMe().catch(() => undefined)])
    } catch (e) {
      setError(e)
      setPicked(null)
    } finally {
      setBusy(false)
    }
  }

  function stockText(r: Reward) {
    if (r.stock === null || r.stock === undefined) return t('rewards.unlimited')
    return r.stock > 0 ? t('rewards.in_stock', { n: r.stock }) : t('rewards.sold_out')
  }

  return (
    <Screen title={t('rewards.title')}>
      <p class="big" data-testid="balance">{t('me.balance', { n: balance })}</p>
      <ErrorNote error={error} />
      <ErrorNote error={catalog.error} onRetry={catalog.reload} />
      {catalog.loading && !catalog.data && <Loading />}
      {catalog.data && catalog.data.items.length === 0 && <Empty text={t('rewards.none')} />}
      {catalog.data?.items.map((r) => {
        const soldOut = r.stock !== null && r.stock !== undefined && r.stock <= 0
        const short = r.cost > balance
        return (
          <article key={r.id} class="card" aria-labelledby={`reward-${r.id}`}>
            <h2 id={`reward-${r.id}`}>{r.name}</h2>
            <p>{r.description}</p>
            <p><span class="chip chip-points">{t('rewards.cost', { n: r.cost })}</span> <span class="meta">{stockText(r)}</span></p>
            <button type="button" class="btn btn-primary" disabled={soldOut || short} onClick={() => setPicked(r)}>
              {t('rewards.redeem')}
            </button>
            {short && !soldOut && <p class="meta">{t('rewards.need_more', { n: r.cost - balance })}</p>}
          </article>
        )
      })}
      <section aria-labelledby="redemptions-title" id="redemptions">
        <h2 id="redemptions-title">{t('rewards.mine')}</h2>
        <ErrorNote error={mine.error} onRetry={mine.reload} />
        {mine.data && mine.data.items.length === 0 && <Empty text={t('rewards.none_mine')} />}
        <ul class="list">
          {mine.data?.items.map((r) => (
            <li key={r.id} id={`redemption-${r.id}`} class={hash === `redemption-${r.id}` ? 'list-item highlight' : 'list-item'}>
              <p><strong>{r.reward_name}</strong> · {t('rewards.cost', { n: r.cost })}</p>
              <p class="meta">{formatDate(r.created_at)} · <span class={`status status-${r.status}`}>{t(`rewards.status_${r.status}`)}</span></p>
              {r.note && <p class="note-text">{r.note}</p>}
            </li>
          ))}
        </ul>
      </section>
      <Confirm open={picked !== null} title={t('rewards.confirm_title')} confirmLabel={t('rewards.confirm')}
        busy={busy} onConfirm={redeem} onCancel={() => setPicked(null)}>
        {picked && <p>{t('rewards.confirm_body', { name: picked.name, cost: n(picked.cost), after: n(balance - picked.cost) })}</p>}
      </Confirm>
    </Screen>
  )
}
