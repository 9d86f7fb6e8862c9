import type { FeedItem, Network } from '../api/types'
import { formatRelative, t, tn } from '../i18n'
import { NETWORK_LABEL } from '../lib/networks'
import { href } from '../lib/router'

export function networkName(n: string): string {
  return NETWORK_LABEL[n as Network] ?? n
}

export function PointsOnOffer({ post }: { post: FeedItem }) {
  const p = post.points_on_offer
  if (!p.share && !p.personal_caption_bonus && !p.comment) return null
  return (
    <p class="points-offer">
      {p.share > 0 && <span class="chip chip-points">{t('post.points_share', { n: p.share })}</span>}
      {p.personal_caption_bonus > 0 && <span class="chip chip-points">{t('post.points_bonus', { n: p.personal_caption_bonus })}</span>}
      {p.comment > 0 && <span class="chip chip-points">{t('post.points_comment', { n: p.comment })}</span>}
    </p>
  )
}

export function MyState({ post }: { post: FeedItem }) {
  if (!post.me.shared_on.length && !post.me.commented) return null
  return (
    <p class="my-state">
      {post.me.shared_on.length > 0 && <span>✓ {t('post.shared_on', { networks: post.me.shared_on.map(networkName).join(', ') })}</span>}
      {post.me.commented && <span>✓ {t('post.you_commented')}</span>}
    </p>
  )
}

export function PostImage({ post }: { post: FeedItem }) {
  const image = post.media.find((m) => m.type === 'image')
  if (!image) return null
  return <img class="post-image" src={image.url} alt="" loading="lazy" decoding="async" />
}

/** One story in the feed: an article whose heading is the post title (browser tests find it by that). */
export function PostCard({ post }: { post: FeedItem }) {
  const titleId = `post-${post.id}-title`
  return (
    <article class="card post-card" aria-labelledby={titleId} data-testid="feed-card">
      {post.pinned && <p class="pinned">{t('post.pinned')}</p>}
      <PostImage post={post} />
      <h2 id={titleId}><a href={href(`/posts/${post.id}`)}>{post.title}</a></h2>
      <p class="meta">{formatRelative(post.published_at)}</p>
      <p class="post-body clamp">{post.body}</p>
      <p class="networks" aria-label={t('post.networks')}>
        {post.networks.map((n) => (
          <span key={n} class={post.me.shared_on.includes(n) ? 'chip chip-done' : 'chip'}>{networkName(n)}</span>
        ))}
      </p>
      <PointsOnOffer post={post} />
      <MyState post={post} />
      <div class="card-actions">
        <a class="btn btn-primary" href={href(`/posts/${post.id}/share`)}>{t('action.share')}</a>
        <a class="btn btn-secondary" href={href(`/posts/${post.id}`)}>{tn('post.comments', post.stats.comments)}</a>
      </div>
    </article>
  )
}
