/** Where the session's tokens live: localStorage, so an installed app stays signed in between launches. */
export interface Tokens {
  access: string
  refresh: string
}

export interface TokenStorage {
  load(): Tokens | null
  save(tokens: Tokens | null): void
}

const KEY = 'stafet.tokens'

export const localTokenStorage: TokenStorage = {
  load() {
    try {
      const raw = localStorage.getItem(KEY)
      return raw ? (JSON.parse(raw) as Tokens) : null
    } catch {
      return null
    }
  },
  save(tokens) {
    if (tokens) localStorage.setItem(KEY, JSON.stringify(tokens))
    else localStorage.removeItem(KEY)
  },
}

export function memoryTokenStorage(initial: Tokens | null = null): TokenStorage {
  let tokens = initial
  return { load: () => tokens, save: (t) => { tokens = t } }
}
