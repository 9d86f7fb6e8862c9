// The JavaScript the first screen needs: the entry chunk and everything it imports statically, gzipped.
// Lazily loaded screens and the Firebase chunk (loaded only when push is turned on) do not count.
// Reads dist/.vite/manifest.json, so run it after `npm run build`. Exits 1 over the budget.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'

const BUDGET_KB = Number(process.env.FIRST_SCREEN_BUDGET_KB ?? 100)
const dist = new URL('../dist/', import.meta.url).pathname
let manifest
try {
  manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'))
} catch {
  console.error('dist/.vite/manifest.json not found: run `npm run build` first.')
  process.exit(2)
}

const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry)
if (entries.length !== 1) {
  console.error(`expected one entry chunk, found ${entries.length}`)
  process.exit(2)
}
const seen = new Set()
const files = []
const css = new Set()
function visit(key) {
  if (seen.has(key)) return
  seen.add(key)
  const chunk = manifest[key]
  if (!chunk) return
  files.push(chunk.file)
  for (const c of chunk.css ?? []) css.add(c)
  for (const dep of chunk.imports ?? []) visit(dep)
}
visit(entries[0][0])

const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length
let total = 0
for (const file of files) {
  const size = gz(file)
  total += size
  console.log(`${(size / 1024).toFixed(1).padStart(7)} kB  ${file}`)
}
const cssTotal = [...css].reduce((sum, f) => sum + gz(f), 0)
const kb = total / 1024
console.log(`first-screen JavaScript: ${kb.toFixed(1)} kB gzipped (budget ${BUDGET_KB} kB); CSS ${(cssTotal / 1024).toFixed(1)} kB`)
if (files.some((f) => /firebase-/.test(f))) {
  console.error('the Firebase chunk is statically imported by the entry: it must load only when push is turned on')
  process.exit(1)
}
if (kb > BUDGET_KB) {
  console.error(`over budget by ${(kb - BUDGET_KB).toFixed(1)} kB`)
  process.exit(1)
}
