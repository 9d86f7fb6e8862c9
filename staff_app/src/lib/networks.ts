import type { Network } from '../api/types'

/** Character limits when the server does not say (client-config caption_max_length wins). */
export const DEFAULT_MAX_LENGTH: Record<Network, number> = {
  linkedin: 3000,
  x: 280,
  facebook: 63206,
  instagram: 2200,
}

export const NETWORK_LABEL: Record<Network, string> = {
  linkedin: 'LinkedIn',
  x: 'X',
  facebook: 'Facebook',
  instagram: 'Instagram',
}

/**
 * The network's own share page, or null when it has none (Instagram: copy and paste in its app).
 * The networks pre-fill only the link (LinkedIn, Facebook) or text + link (X); the person posts it.
 */
export function shareIntentUrl(network: Network, caption: string, url: string): string | null {
  const u = encodeURIComponent(url)
  switch (network) {
    case 'linkedin':
      return `https://www.linkedin.com/sharing/share-offsite/?url=${u}`
    case 'x':
      return `https://twitter.com/intent/tweet?text=${encodeURIComponent(caption)}&url=${u}`
    case 'facebook':
      return `https://www.facebook.com/sharer/sharer.php?u=${u}`
    default:
      return null
  }
}

export type Handoff = 'native' | 'intent' | 'clipboard' | 'cancelled'

export interface HandoffEnv {
  share?: (data: ShareData) => Promise<void>
  canShare?: (data: ShareData) => boolean
  open: (url: string) => void
  copy: (text: string) => Promise<void>
}

/** Hand the caption and tracked link to the network: Web Share, else its share page, else the clipboard. */
export async function handOff(network: Network, caption: string, trackedUrl: string, env: HandoffEnv): Promise<Handoff> {
  const data: ShareData = { text: caption, url: trackedUrl }
  if (env.share && (!env.canShare || env.canShare(data))) {
    try {
      await env.share(data)
      return 'native'
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return 'cancelled'
      // NotAllowedError etc.: fall through to the next way.
    }
  }
  const intent = shareIntentUrl(network, caption, trackedUrl)
  if (intent) {
    env.open(intent)
    return 'intent'
  }
  await env.copy(caption ? `${caption}\n\n${trackedUrl}` : trackedUrl)
  return 'clipboard'
}

/** Counted like the networks count: by code points, not UTF-16 units (an emoji is one character). */
export function captionLength(caption: string): number {
  return [...caption].length
}
