// Draws the app icons (a white relay baton on the theme colour) as small PNGs, with no dependencies.
// Run `npm run icons` after changing the design; the PNGs are committed so a build needs no image tools.
import { deflateSync } from 'node:zlib'
import { writeFileSync, mkdirSync } from 'node:fs'

const THEME = [0x0b, 0x5d, 0x4b]
const WHITE = [0xff, 0xff, 0xff]
const ACCENT = [0xf2, 0xb1, 0x34]

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 3 + 1))
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0
    for (let x = 0; x < size; x++) {
      const [r, g, b] = pixel(x / size, y / size)
      const o = y * (size * 3 + 1) + 1 + x * 3
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ])
}
// A baton: a thick diagonal capsule from (a) to (b), with an accent band in the middle.
function baton(scale) {
  const c = 0.5, half = 0.3 * scale, w = 0.09 * scale
  const ax = c - half, ay = c + half, bx = c + half, by = c - half
  return (x, y) => {
    const dx = bx - ax, dy = by - ay
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    const px = ax + t * dx, py = ay + t * dy
    const d = Math.hypot(x - px, y - py)
    if (d > w) return THEME
    return t > 0.42 && t < 0.58 ? ACCENT : WHITE
  }
}
mkdirSync('public/icons', { recursive: true })
writeFileSync('public/icons/icon-192.png', png(192, baton(1)))
writeFileSync('public/icons/icon-512.png', png(512, baton(1)))
// Maskable: the platform may crop to a circle of 80 %, so the baton stays inside the safe zone.
writeFileSync('public/icons/maskable-512.png', png(512, baton(0.7)))
console.log('icons written to public/icons/')
