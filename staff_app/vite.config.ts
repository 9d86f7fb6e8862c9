import { defineConfig } from 'vitest/config'
import { VitePWA } from 'vite-plugin-pwa'

// The Firebase SDK and our wrapper go into one chunk named firebase-[hash].js: it loads only when
// someone turns push on, never counts toward the first screen, and browser tests can route it to a stub.
const FIREBASE = /[\\/]node_modules[\\/](?:firebase|@firebase)[\\/]|[\\/]src[\\/]push[\\/]firebase\.ts$/

export default defineConfig({
  base: '/app/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    target: 'es2022',
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [{ name: 'firebase', test: FIREBASE }],
        },
      },
    },
  },
  server: {
    // `npm run dev` talks to a local Stafet (make run) on the same origin, as in production.
    proxy: { '/api': 'http://127.0.0.1:5000', '/s': 'http://127.0.0.1:5000' },
  },
  plugins: [
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      // No inline script: the CSP is script-src 'self'. src/pwa.ts registers the worker itself.
      injectRegister: false,
      registerType: 'prompt',
      scope: '/app/',
      base: '/app/',
      includeManifestIcons: false,
      injectManifest: {
        // The Firebase chunk is fetched on demand, not precached for everyone.
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
        globIgnores: ['**/firebase-*.js'],
      },
      manifest: {
        name: 'Stafet',
        short_name: 'Stafet',
        description: 'Share your workplace stories in your own words',
        lang: 'da',
        start_url: '/app/',
        scope: '/app/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: '#0b5d4b',
        background_color: '#ffffff',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      devOptions: { enabled: false },
    }),
  ],
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
})
