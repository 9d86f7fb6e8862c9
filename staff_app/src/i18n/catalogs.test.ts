import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { da } from './da'
import { en } from './en'
import { pickLocale, translate } from './index'

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : []
  })
}

describe('the Danish and English catalogs are complete', () => {
  it('have exactly the same keys', () => {
    expect(Object.keys(da).sort()).toEqual(Object.keys(en).sort())
  })

  it('have no empty text', () => {
    for (const [lang, catalog] of Object.entries({ da, en })) {
      const empty = Object.entries(catalog).filter(([, text]) => !text.trim()).map(([key]) => `${lang}:${key}`)
      expect(empty).toEqual([])
    }
  })

  it('use the same placeholders in both languages', () => {
    const mismatched = Object.keys(en).filter((key) =>
      placeholders(en[key as keyof typeof en]).join() !== placeholders(da[key as keyof typeof da]).join())
    expect(mismatched).toEqual([])
  })

  it('contain every key the screens ask for', () => {
    const root = new URL('..', import.meta.url).pathname
    const used = new Set<string>()
    for (const file of sourceFiles(root)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([a-z_]+\.[a-z_]+)'/g)) used.add(m[1])
      for (const m of readFileSync(file, 'utf8').matchAll(/\btn\(\s*'([a-z_]+\.[a-z_]+)'/g)) {
        used.add(`${m[1]}_one`)
        used.add(`${m[1]}_other`)
      }
    }
    expect(used.size).toBeGreaterThan(100)
    expect([...used].filter((key) => !(key in en))).toEqual([])
  })

  it('fill placeholders and format numbers for the locale', () => {
    expect(translate('en', 'me.balance', { n: 1234 })).toBe('1,234 points')
    expect(translate('da', 'me.balance', { n: 1234 })).toBe('1.234 point')
  })
})

describe('the browser language picks the app language', () => {
  it.each([
    [['da-DK', 'en'], 'da'],
    [['en-US'], 'en'],
    [['de-DE', 'da'], 'da'],
    [['sv-SE', 'de'], 'en'],
    [[], 'en'],
  ])('%j → %s', (preferred, expected) => {
    expect(pickLocale(preferred as string[])).toBe(expected)
  })
})
