import { createStore, useStore } from './store'

/** A small History-API router: the app lives under /app/ and the server answers index.html for any route. */
export const BASE = '/app'

export interface Location {
  path: string // without the /app prefix, always starting with '/'
  query: URLSearchParams
  hash: string
}

function read(): Location {
  const { pathname, search, hash } = window.location
  let path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname
  if (!path.startsWith('/')) path = `/${path}`
  return { path, query: new URLSearchParams(search), hash: hash.replace(/^#/, '') }
}

export const location = createStore<Location>(
  typeof window === 'undefined' ? { path: '/', query: new URLSearchParams(), hash: '' } : read(),
)

/** Go to an app route: '/posts/3' or a full '/app/posts/3' (deep links map to the latter). */
export function navigate(to: string, replace = false): void {
  const url = to.startsWith(BASE) ? to : `${BASE}${to.startsWith('/') ? to : `/${to}`}`
  if (replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  location.set(read())
  if (!url.includes('#')) window.scrollTo(0, 0)
}

export function back(fallback = '/'): void {
  if (history.length > 1) history.back()
  else navigate(fallback, true)
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => location.set(read()))
  // Same-app links (<a href="/app/...">) navigate without a page load.
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    const a = (e.target as Element | null)?.closest?.('a')
    if (!a || a.target || a.hasAttribute('download')) return
    const href = a.getAttribute('href')
    if (!href || !href.startsWith(`${BASE}/`) && href !== BASE) return
    e.preventDefault()
    navigate(href)
  })
}

export function useLocation(): Location {
  return useStore(location)
}

/** Match '/posts/:id' against a path; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean)
  const s = path.split('/').filter(Boolean)
  if (p.length !== s.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i])
    else if (p[i] !== s[i]) return null
  }
  return params
}

export const href = (path: string) => `${BASE}${path}`
