import { createStore, del, entries, set } from 'idb-keyval'
import type { QueuedWrite, QueueStore } from './queue'

/** The outbox in IndexedDB (database stafet-outbox), so it survives closing the app. */
export function idbQueueStore(): QueueStore {
  const store = createStore('stafet-outbox', 'writes')
  return {
    all: async () => (await entries<string, QueuedWrite>(store)).map(([, w]) => w),
    put: (w) => set(w.id, w, store),
    remove: (id) => del(id, store),
  }
}
