import { useState } from 'preact/hooks'
import { api, unwrap } from '../api/client'
import type { Notification } from '../api/types'
import { refreshUnread } from '../components/shell'
import { Empty, ErrorNote, Loading, Screen } from '../components/ui'
import { formatRelative, t, useLocale } from '../i18n'
import { routeForNotification } from '../lib/deeplink'
import { navigate } from '../lib/router'
import { useAsync } from '../lib/use-async'

export default function Inbox() {
  useLocale()
  const list = useAsync(() => unwrap(api.GET('/api/v1/me/notifications', { params: { query: { limit: 50 } } })), [])
  const [error, setError] = useState<unknown>(null)
  const items = list.data?.items ?? []

  async function open(item: Notification) {
    if (!item.read_at) {
      await api.POST('/api/v1/me/notifications/{notification_id}/read', { params: { path: { notification_id: item.id } } })
        .catch(() => undefined)
      void refreshUnread()
    }
    navigate(routeForNotification(item.data))
  }

  async function readAll() {
    try {
      await unwrap(api.POST('/api/v1/me/notifications/read-all'))
      await list.reload()
      void refreshUnread()
    } catch (e) {
      setError(e)
    }
  }

  return (
    <Screen title={t('inbox.title')} actions={items.some((i) => !i.read_at) &&
      <button type="button" class="btn btn-secondary btn-small" onClick={readAll}>{t('inbox.read_all')}</button>}>
      <ErrorNote error={error ?? list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading />}
      {list.data && items.length === 0 && <Empty text={t('inbox.empty')} />}
      <ul class="list">
        {items.map((item) => (
          <li key={item.id}>
            <button type="button" class={item.read_at ? 'inbox-item' : 'inbox-item unread'} onClick={() => void open(item)}>
              <span class="inbox-title">{!item.read_at && <span class="dot" aria-label={t('inbox.unread_label')} />}{item.title}</span>
              <span class="inbox-body">{item.body}</span>
              <span class="meta">{formatRelative(item.created_at)}</span>
            </button>
          </li>
        ))}
      </ul>
    </Screen>
  )
}
