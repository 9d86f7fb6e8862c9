/** An RFC 9457 problem from the API, or a network failure, as one error type the screens can show. */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  errors?: Record<string, string[]>
  request_id?: string
}

export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem
  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
  }
  /** Messages for one field (422 validation), e.g. fieldErrors('caption'). */
  fieldErrors(field: string): string[] {
    return this.problem.errors?.[field] ?? []
  }
}

/** fetch() rejected: no connection (or the server is unreachable). Writes are queued on this. */
export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super('network')
    this.name = 'NetworkError'
    this.cause = cause
  }
}

export function isNetworkError(e: unknown): e is NetworkError {
  return e instanceof NetworkError
}

/**
 * The problem's kind: the last segment of its `type` URI (https://stafet.dev/problems/policy-not-accepted →
 * 'policy-not-accepted'), or a `slug` member if a server sends one; '' for anything else.
 */
export function problemSlug(error: unknown): string {
  if (!(error instanceof ApiError)) return ''
  const { type, slug } = error.problem as Problem & { slug?: string }
  if (slug) return slug
  if (!type || type === 'about:blank') return ''
  return type.replace(/\/+$/, '').split('/').pop() ?? ''
}
