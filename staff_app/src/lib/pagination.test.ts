import { describe, expect, it } from 'vitest'
import { emptyPaged, mergePage, replaceItem } from './pagination'

const post = (id: number, title = `post ${id}`) => ({ id, title })

describe('cursor pagination of the feed', () => {
  it('appends the next page after the first and remembers its cursor', () => {
    const first = mergePage(emptyPaged<{ id: number; title: string }>(), { items: [post(1), post(2)], next_cursor: 'c2' })
    const second = mergePage(first, { items: [post(3), post(4)], next_cursor: 'c3' })
    expect(second.items.map((p) => p.id)).toEqual([1, 2, 3, 4])
    expect(second.cursor).toBe('c3')
    expect(second.done).toBe(false)
  })

  it('shows a post once when a new story shifted the pages and the next page repeats one', () => {
    const first = mergePage(emptyPaged<{ id: number; title: string }>(), { items: [post(9), post(8), post(7)], next_cursor: 'a' })
    const second = mergePage(first, { items: [post(7), post(6), post(5)], next_cursor: 'b' })
    expect(second.items.map((p) => p.id)).toEqual([9, 8, 7, 6, 5])
  })

  it('drops a duplicate inside one page too', () => {
    const page = mergePage(emptyPaged<{ id: number; title: string }>(), { items: [post(1), post(1, 'again'), post(2)], next_cursor: null })
    expect(page.items).toEqual([post(1), post(2)])
  })

  it('is done when next_cursor is null, and stays done with an empty last page', () => {
    const first = mergePage(emptyPaged<{ id: number; title: string }>(), { items: [post(1)], next_cursor: 'x' })
    const last = mergePage(first, { items: [], next_cursor: null })
    expect(last.done).toBe(true)
    expect(last.cursor).toBeNull()
    expect(last.items.map((p) => p.id)).toEqual([1])
  })

  it('pull to refresh replaces the list with the new first page', () => {
    const loaded = mergePage(mergePage(emptyPaged<{ id: number; title: string }>(), { items: [post(2), post(1)], next_cursor: 'a' }),
      { items: [post(0)], next_cursor: null })
    const refreshed = mergePage(loaded, { items: [post(3), post(2)], next_cursor: 'n' }, true)
    expect(refreshed.items.map((p) => p.id)).toEqual([3, 2])
    expect(refreshed.cursor).toBe('n')
    expect(refreshed.done).toBe(false)
  })

  it('replaces one item in place (my state after sharing) without moving it', () => {
    const list = mergePage(emptyPaged<{ id: number; title: string }>(), { items: [post(1), post(2), post(3)], next_cursor: null })
    expect(replaceItem(list, post(2, 'shared')).items).toEqual([post(1), post(2, 'shared'), post(3)])
  })
})
