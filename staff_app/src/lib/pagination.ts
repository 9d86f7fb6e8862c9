/** Cursor pagination as the contract has it: `{items, next_cursor}`; next_cursor null means the end. */
export interface Page<T> {
  items: T[]
  next_cursor?: string | null
}

export interface Paged<T> {
  items: T[]
  cursor: string | null
  done: boolean
}

export const emptyPaged = <T,>(): Paged<T> => ({ items: [], cursor: null, done: false })

/**
 * Append a page, dropping items already shown: a post published while I scroll shifts the pages, so
 * the next page can repeat the last item of the previous one. With `reset` (pull to refresh) the page
 * replaces what was there.
 */
export function mergePage<T extends { id: number | string }>(current: Paged<T>, page: Page<T>, reset = false): Paged<T> {
  const base = reset ? [] : current.items
  const seen = new Set(base.map((item) => item.id))
  const fresh = page.items.filter((item) => {
    if (seen.has(item.id)) return false
    seen.add(item.id)
    return true
  })
  const cursor = page.next_cursor ?? null
  return { items: [...base, ...fresh], cursor, done: cursor === null }
}

/** Replace one item in place (after sharing or commenting) without reloading the list. */
export function replaceItem<T extends { id: number | string }>(current: Paged<T>, item: T): Paged<T> {
  return { ...current, items: current.items.map((x) => (x.id === item.id ? item : x)) }
}
