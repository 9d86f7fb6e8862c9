import { useEffect, useRef, useState } from 'preact/hooks'
import { api, newIdempotencyKey, unwrap } from '../api/client'
import { isNetworkError } from '../api/problem'
import type { Comment } from '../api/types'
import { MyState, PointsOnOffer, PostImage, networkName } from '../components/postcard'
import { Confirm, Empty, ErrorNote, FieldError, Loading, Screen, toast } from '../components/ui'
import { formatRelative, t, tn, useLocale } from '../i18n'
import { emptyPaged, mergePage, type Paged } from '../lib/pagination'
import { loadPost } from '../lib/post-cache'
import { href } from '../lib/router'
import { useStore } from '../lib/store'
import { useAsync } from '../lib/use-async'
import { online } from '../offline/online'
import { pendingWrites, queueWrite, replayTick } from '../offline/outbox'
import { me } from '../session'

export default function PostDetail({ id }: { id: number }) {
  useLocale()
  const tick = useStore(replayTick)
  const post = useAsync(() => loadPost(id), [id, tick])
  if (post.error) return <Screen title={t('post.title')}><ErrorNote error={post.error} onRetry={post.reload} /></Screen>
  if (!post.data) return <Screen title={t('post.title')}><Loading /></Screen>
  const p = post.data
  return (
    <Screen title={p.title}>
      <article class="post-detail">
        {p.pinned && <p class="pinned">{t('post.pinned')}</p>}
        <PostImage post={p} />
        <p class="meta">{formatRelative(p.published_at)}</p>
        <p class="post-body">{p.body}</p>
        {p.link_url && <p><a href={p.link_url} target="_blank" rel="noopener noreferrer">{t('post.read_story')}</a></p>}
        <p class="networks">{p.networks.map((nw) => <span key={nw} class="chip">{networkName(nw)}</span>)}</p>
        <PointsOnOffer post={p} />
        <MyState post={p} />
        <a class="btn btn-primary btn-block" href={href(`/posts/${p.id}/share`)}>{t('action.share')}</a>
      </article>
      <Comments postId={p.id} postTitle={p.title} count={p.stats.comments} onChange={post.reload} />
    </Screen>
  )
}

function Comments({ postId, postTitle, count, onChange }: { postId: number; postTitle: string; count: number; onChange: () => void }) {
  const user = useStore(me)
  const pending = useStore(pendingWrites).filter((w) => w.kind === 'comment' && w.postId === postId)
  const [list, setList] = useState<Paged<Comment>>(emptyPaged)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<unknown>(null)
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [sendError, setSendError] = useState<unknown>(null)
  const [deleting, setDeleting] = useState<Comment | null>(null)
  const key = useRef<{ key: string; body: string } | null>(null)

  async function load(reset: boolean) {
    setLoading(true)
    try {
      const page = await unwrap(api.GET('/api/v1/posts/{post_id}/comments', {
        params: { path: { post_id: postId }, query: { limit: 20, cursor: reset ? undefined : list.cursor ?? undefined } },
      }))
      setList((cur) => mergePage(cur, page, reset))
      setError(null)
    } catch (e) {
      setError(e)
    } finally {
      setLoading(false)
    }
  }
  useEffect(() => { void load(true) }, [postId, pending.length])

  async function submit(e: Event) {
    e.preventDefault()
    const body = { body: text.trim() }
    if (!body.body || !user) return
    const signature = JSON.stringify(body)
    if (key.current?.body !== signature) key.current = { key: newIdempotencyKey(), body: signature }
    const idempotencyKey = key.current.key
    setBusy(true)
    setSendError(null)
    try {
      if (!online.get()) throw new Error('offline')
      const created = await unwrap(api.POST('/api/v1/posts/{post_id}/comments', {
        params: { path: { post_id: postId }, header: { 'Idempotency-Key': idempotencyKey } }, body,
      }))
      setList((cur) => ({ ...cur, items: [created, ...cur.items.filter((c) => c.id !== created.id)] }))
      setText('')
      key.current = null
      onChange()
    } catch (err) {
      if (isNetworkError(err) || (err instanceof Error && err.message === 'offline')) {
        await queueWrite({ kind: 'comment', userId: user.id, path: `/api/v1/posts/${postId}/comments`, body,
          idempotencyKey, label: postTitle, postId })
        setText('')
        key.current = null
        toast(t('comment.queued'))
      } else {
        setSendError(err)
      }
    } finally {
      setBusy(false)
    }
  }

  async function remove() {
    if (!deleting) return
    try {
      await unwrap(api.DELETE('/api/v1/comments/{comment_id}', { params: { path: { comment_id: deleting.id } } }))
      setList((cur) => ({ ...cur, items: cur.items.filter((c) => c.id !== deleting.id) }))
      toast(t('comment.deleted'))
      onChange()
    } catch (e) {
      setSendError(e)
    } finally {
      setDeleting(null)
    }
  }

  return (
    <section class="comments" aria-labelledby="comments-title">
      <h2 id="comments-title">{tn('post.comments', count)}</h2>
      <form class="form" onSubmit={submit}>
        <label for="comment">{t('comment.label')}</label>
        <textarea id="comment" rows={3} maxLength={2000} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <FieldError error={sendError} field="body" />
        <ErrorNote error={sendError} />
        <button type="submit" class="btn btn-primary" disabled={busy || !text.trim()}>{t('comment.submit')}</button>
      </form>
      {pending.map((w) => (
        <div key={w.id} class="comment comment-pending">
          <p>{(w.body as { body: string }).body}</p>
          <p class="meta">{t('comment.pending')}</p>
        </div>
      ))}
      <ErrorNote error={error} onRetry={() => void load(true)} />
      {list.items.map((c) => (
        <div key={c.id} class="comment">
          <p class="meta"><strong>{c.author.display_name}</strong> · {formatRelative(c.created_at)}</p>
          <p>{c.body}</p>
          {user && c.author.id === user.id && (
            <button type="button" class="btn btn-link" onClick={() => setDeleting(c)}>{t('comment.delete')}</button>
          )}
        </div>
      ))}
      {!loading && list.items.length === 0 && pending.length === 0 && <Empty text={t('comment.none')} />}
      {loading && <Loading />}
      {!list.done && !loading && list.items.length > 0 && (
        <button type="button" class="btn btn-secondary btn-block" onClick={() => void load(false)}>{t('feed.more')}</button>
      )}
      <Confirm open={deleting !== null} title={t('comment.delete_title')} confirmLabel={t('comment.delete')}
        onConfirm={remove} onCancel={() => setDeleting(null)}>
        <p>{t('comment.delete_body')}</p>
      </Confirm>
    </section>
  )
}
