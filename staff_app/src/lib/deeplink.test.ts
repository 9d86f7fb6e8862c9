import { describe, expect, it } from 'vitest'
import { deepLinkToRoute, routeForNotification } from './deeplink'

describe('push and inbox deep links open the right screen', () => {
  it.each([
    ['stafet://posts/12', '/app/posts/12'],
    ['stafet://challenges/3', '/app/challenges/3'],
    ['stafet://badges/first_share', '/app/badges/first_share'],
    ['stafet://badges/streak-7', '/app/badges/streak-7'],
    ['stafet://redemptions/41', '/app/rewards#redemption-41'],
    ['stafet://inbox', '/app/inbox'],
    ['stafet://feed', '/app/'],
  ])('%s → %s', (link, route) => {
    expect(deepLinkToRoute(link)).toBe(route)
  })

  it.each([
    ['https://evil.example/app/posts/1'],
    ['javascript:alert(1)'],
    ['stafet://posts/abc'],
    ['stafet://posts/1/../../admin'],
    ['stafet://unknown/1'],
    ['stafet://inbox/7'],
    ['//evil.example'],
    [''],
  ])('%s is not followed', (link) => {
    expect(deepLinkToRoute(link)).toBeNull()
  })

  it('ignores anything that is not a string', () => {
    expect(deepLinkToRoute(undefined)).toBeNull()
    expect(deepLinkToRoute(42)).toBeNull()
  })

  it('a notification without a usable link opens the inbox', () => {
    expect(routeForNotification({ deep_link: 'stafet://posts/5' })).toBe('/app/posts/5')
    expect(routeForNotification({ deep_link: 'https://elsewhere' })).toBe('/app/inbox')
    expect(routeForNotification({})).toBe('/app/inbox')
    expect(routeForNotification(null)).toBe('/app/inbox')
  })
})
