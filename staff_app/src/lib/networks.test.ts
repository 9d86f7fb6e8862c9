import { describe, expect, it, vi } from 'vitest'
import { captionLength, handOff, shareIntentUrl } from './networks'

const link = 'https://stafet.example/s/Ab3'

describe('handing the share to the network', () => {
  it.each([
    ['linkedin', `https://www.linkedin.com/sharing/share-offsite/?url=${encodeURIComponent(link)}`],
    ['x', `https://twitter.com/intent/tweet?text=${encodeURIComponent('My words & more')}&url=${encodeURIComponent(link)}`],
    ['facebook', `https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(link)}`],
    ['instagram', null],
  ] as const)('%s share page: %s', (network, url) => {
    expect(shareIntentUrl(network, 'My words & more', link)).toBe(url)
  })

  it('uses the Web Share API with the caption and the tracked link where the phone has it', async () => {
    const share = vi.fn(async () => undefined)
    const open = vi.fn()
    expect(await handOff('linkedin', 'Hi', link, { share, open, copy: vi.fn() })).toBe('native')
    expect(share).toHaveBeenCalledWith({ text: 'Hi', url: link })
    expect(open).not.toHaveBeenCalled()
  })

  it('opens the network share page when there is no Web Share', async () => {
    const open = vi.fn()
    expect(await handOff('facebook', 'Hi', link, { open, copy: vi.fn() })).toBe('intent')
    expect(open).toHaveBeenCalledWith(`https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(link)}`)
  })

  it('copies caption and link for Instagram', async () => {
    const copy = vi.fn(async () => undefined)
    expect(await handOff('instagram', 'Hi', link, { open: vi.fn(), copy })).toBe('clipboard')
    expect(copy).toHaveBeenCalledWith(`Hi\n\n${link}`)
  })

  it('a share sheet the person closes is not a failure and opens nothing else', async () => {
    const open = vi.fn()
    const share = vi.fn(async () => { throw new DOMException('closed', 'AbortError') })
    expect(await handOff('x', 'Hi', link, { share, open, copy: vi.fn() })).toBe('cancelled')
    expect(open).not.toHaveBeenCalled()
  })

  it('counts characters like the networks do (an emoji is one)', () => {
    expect(captionLength('Hej 👋🏽')).toBe(6)
    expect(captionLength('æøå')).toBe(3)
  })
})
