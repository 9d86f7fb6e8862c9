/** Inline icons (no icon font, no remote assets); decorative, so hidden from assistive tech. */
const P = { width: 24, height: 24, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', 'stroke-width': 2,
  'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true', focusable: 'false' } as const

export const IconFeed = () => <svg {...P}><path d="M4 5h16M4 12h16M4 19h10" /></svg>
export const IconFlag = () => <svg {...P}><path d="M5 21V4h11l-2 4 2 4H5" /></svg>
export const IconTrophy = () => <svg {...P}><path d="M8 4h8v5a4 4 0 0 1-8 0zM6 20h12M12 13v7M8 6H4v2a3 3 0 0 0 4 3M16 6h4v2a3 3 0 0 1-4 3" /></svg>
export const IconGift = () => <svg {...P}><path d="M4 10h16v10H4zM3 7h18v3H3zM12 7v13M12 7c-2-4-6-3-5 0M12 7c2-4 6-3 5 0" /></svg>
export const IconUser = () => <svg {...P}><circle cx="12" cy="8" r="4" /><path d="M4 21c1-4 4-6 8-6s7 2 8 6" /></svg>
export const IconBell = () => <svg {...P}><path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 21h4" /></svg>
export const IconRefresh = () => <svg {...P}><path d="M20 11a8 8 0 1 0-2 6M20 4v7h-7" /></svg>
export const IconBack = () => <svg {...P}><path d="M15 5l-7 7 7 7" /></svg>
