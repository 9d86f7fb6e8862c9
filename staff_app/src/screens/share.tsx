import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { api, newIdempotencyKey, unwrap } from '../api/client'
import { captionCheck, getClientConfig, type CaptionCheck, type ClientConfig } from '../api/endpoints'
import { isNetworkError } from '../api/problem'
import type { FeedItem, Me, Network, Share } from '../api/types'
import { networkName } from '../components/postcard'
import { browserHandoff } from '../components/shell'
import { ErrorNote, Loading, Screen, toast } from '../components/ui'
import { n, t, useLocale } from '../i18n'
import { createCaptionHinter } from '../lib/caption-hint'
import { policyGate } from '../lib/policy'
import { isPolicyNotAccepted, withPolicyGate } from '../lib/policy-gate'
import { loadPost } from '../lib/post-cache'
import { captionLength, DEFAULT_MAX_LENGTH, handOff, type Handoff } from '../lib/networks'
import { back, href } from '../lib/router'
import { useAsync } from '../lib/use-async'
import { online } from '../offline/online'
import { queueWrite } from '../offline/outbox'
import { loadMe, me } from '../session'

/** How long and how often to look for the tallied points after sharing (the tally runs in the background). */
const POLL_EVERY_MS = 2000
const POLL_FOR_MS = 30000

/** Watch GET /me until the lifetime points move past where they were; stops by itself. */
function usePointsArrival(active: boolean, before: Me | null) {
  const [gained, setGained] = useState<number | null>(null)
  useEffect(() => {
    if (!active || !before) return
    let stopped = false
    const started = Date.now()
    const tick = async () => {
      if (stopped) return
      try {
        const now = await loadMe()
        const diff = now.points.lifetime - before.points.lifetime
        if (diff > 0) { setGained(diff); return }
      } catch { /* offline for a moment: try again */ }
      if (Date.now() - started < POLL_FOR_MS) setTimeout(tick, POLL_EVERY_MS)
    }
    const first = setTimeout(tick, POLL_EVERY_MS)
    return () => { stopped = true; clearTimeout(first) }
  }, [active, before])
  return gained
}

export default function ShareFlow({ id }: { id: number }) {
  useLocale()
  const post = useAsync(() => loadPost(id), [id])
  const config = useAsync<ClientConfig | null>(() => getClientConfig().catch(() => null), [])
  if (post.error) return <Screen title={t('share.title')}><ErrorNote error={post.error} onRetry={post.reload} /></Screen>
  if (!post.data) return <Screen title={t('share.title')}><Loading /></Screen>
  return <ShareSteps post={post.data} config={config.data ?? null} />
}

function ShareSteps({ post, config }: { post: FeedItem; config: ClientConfig | null }) {
  const [network, setNetwork] = useState<Network | null>(post.networks.length === 1 ? (post.networks[0] as Network) : null)
  const [caption, setCaption] = useState('')
  const [hint, setHint] = useState<CaptionCheck | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [share, setShare] = useState<Share | null>(null)
  const [queued, setQueued] = useState(false)
  const [handoff, setHandoff] = useState<Handoff | null>(null)
  const [pointsBefore, setPointsBefore] = useState<Me | null>(null)
  // The key is made when the person taps Share and reused while the body stays the same (a retry after a
  // lost response then replays instead of sharing twice); an edited caption is a new request with a new key.
  const key = useRef<{ key: string; body: string } | null>(null)
  const gained = usePointsArrival(share !== null, pointsBefore)

  const maxLength = network
    ? (hint?.caption_max_length ?? config?.caption_max_length?.[network] ?? DEFAULT_MAX_LENGTH[network])
    : null
  const length = captionLength(caption)
  const tooLong = maxLength !== null && length > maxLength

  const hinter = useMemo(() => createCaptionHinter<CaptionCheck>({
    check: (text, signal) => captionCheck(post.id, { network: network!, caption: text }, signal),
    onHint: (h) => setHint(h),
    onError: () => setHint(null),
  }), [post.id, network])
  useEffect(() => () => hinter.cancel(), [hinter])

  // The policy before the share flow: put off, the person goes back to where they came from.
  useEffect(() => {
    policyGate.ensureAccepted().then((ok) => { if (!ok) back('/') }, () => undefined)
  }, [])

  function pick(next: Network) {
    setNetwork(next)
    const suggested = post.suggested_captions[next] ?? ''
    setCaption(suggested)
    setHint(null)
  }

  useEffect(() => {
    if (network && !share) hinter.update(caption)
  }, [caption, hinter])

  async function submit(e: Event) {
    e.preventDefault()
    if (!network || tooLong) return
    const body = { network, caption: caption.trim() ? caption : null }
    const signature = JSON.stringify(body)
    if (key.current?.body !== signature) key.current = { key: newIdempotencyKey(), body: signature }
    const idempotencyKey = key.current.key
    setBusy(true)
    setError(null)
    const user = me.get()
    try {
      if (!online.get()) throw new Error('offline')
      // A 409 policy-not-accepted (a new version since we looked) shows the policy and, once accepted,
      // sends the same share again with the same key.
      const created = await withPolicyGate(idempotencyKey, (k) => unwrap(api.POST('/api/v1/posts/{post_id}/shares', {
        params: { path: { post_id: post.id }, header: { 'Idempotency-Key': k } },
        body,
      })), () => policyGate.askAgain())
      setPointsBefore(user)
      setShare(created)
    } catch (err) {
      if ((isNetworkError(err) || (err instanceof Error && err.message === 'offline')) && user) {
        await queueWrite({ kind: 'share', userId: user.id, path: `/api/v1/posts/${post.id}/shares`, body,
          idempotencyKey, label: post.title, postId: post.id })
        setQueued(true)
      } else {
        setError(err)
      }
    } finally {
      setBusy(false)
    }
  }

  async function postIt() {
    if (!share) return
    const how = await handOff(share.network as Network, caption, share.tracked_url, browserHandoff())
    setHandoff(how)
    if (how === 'clipboard') toast(t('share.copied'))
  }

  if (queued) {
    return (
      <Screen title={t('share.title')}>
        <div class="note note-info" role="status">
          <p>{t('share.queued')}</p>
        </div>
        <button type="button" class="btn btn-secondary btn-block" onClick={() => back('/')}>{t('action.back')}</button>
      </Screen>
    )
  }

  if (share) {
    const net = share.network as Network
    return (
      <Screen title={t('share.ready_title')}>
        <h2 class="sub">{post.title}</h2>
        <p>{t('share.ready_lead', { network: networkName(net) })}</p>
        <button type="button" class="btn btn-primary btn-block" onClick={postIt} data-testid="handoff">
          {net === 'instagram' ? t('share.copy_for_instagram') : t('share.post_on', { network: networkName(net) })}
        </button>
        {(net === 'instagram' || handoff === 'clipboard') && <p class="note note-info">{t('share.instagram_help')}</p>}
        <label for="tracked">{t('share.tracked_link')}</label>
        <div class="copy-row">
          <input id="tracked" readOnly value={share.tracked_url} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" class="btn btn-secondary" onClick={async () => {
            await navigator.clipboard.writeText(share.tracked_url)
            toast(t('share.link_copied'))
          }}>{t('action.copy')}</button>
        </div>
        <div class="note note-info" role="status" aria-live="polite" data-testid="points-status">
          {gained !== null
            ? <p><strong>{t('share.points_added', { n: gained })}</strong></p>
            : share.points_pending > 0
              ? <p>{t('share.points_pending', { n: share.points_pending })}</p>
              : <p>{t('share.no_points')}</p>}
        </div>
        <a class="btn btn-secondary btn-block" href={href('/')}>{t('share.back_to_feed')}</a>
      </Screen>
    )
  }

  const offer = post.points_on_offer
  return (
    <Screen title={t('share.title')}>
      <h2 class="sub">{post.title}</h2>
      <form class="form" onSubmit={submit}>
        <fieldset>
          <legend>{t('share.pick_network')}</legend>
          <div class="network-picker">
            {post.networks.map((nw) => (
              <label key={nw} class="network-option">
                <input type="radio" name="network" value={nw} checked={network === nw} onChange={() => pick(nw as Network)} />
                <span>{networkName(nw)}</span>
                {post.me.shared_on.includes(nw) && <span class="hint">{t('share.already_shared')}</span>}
              </label>
            ))}
          </div>
        </fieldset>
        {network && (
          <>
            <label for="caption">{t('share.caption_label', { network: networkName(network) })}</label>
            <textarea id="caption" rows={7} value={caption} aria-describedby="caption-counter caption-hint"
              aria-invalid={tooLong} onInput={(e) => setCaption(e.currentTarget.value)} />
            <p id="caption-counter" class={tooLong ? 'counter counter-over' : 'counter'}>
              {maxLength !== null ? t('share.counter', { n: length, max: maxLength }) : n(length)}
            </p>
            <div id="caption-hint" class="caption-hint" role="status" aria-live="polite" data-testid="caption-hint">
              {hint === null
                ? offer.personal_caption_bonus > 0 && <p>{t('share.hint_intro', { n: offer.personal_caption_bonus })}</p>
                : hint.personal
                  ? <p class="hint-good">{t('share.hint_personal', { n: hint.points_on_offer })}</p>
                  : <p>{t('share.hint_suggested', { n: hint.points_on_offer, bonus: offer.personal_caption_bonus })}</p>}
            </div>
            {isPolicyNotAccepted(error)
              ? <p class="note note-error" role="alert">{t('policy.needed')}</p>
              : <ErrorNote error={error} />}
            <button type="submit" class="btn btn-primary btn-block" disabled={busy || tooLong}>
              {busy ? t('status.sending') : t('action.share')}
            </button>
          </>
        )}
      </form>
    </Screen>
  )
}
