import type { ComponentType, FunctionComponent } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ErrorNote, Loading } from '../components/ui'

/** Load a screen's code when it is first shown, so the first screen stays small. */
export function lazy<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): FunctionComponent<P> {
  let loaded: ComponentType<P> | null = null
  let pending: Promise<void> | null = null
  return (props: P) => {
    const [, setReady] = useState(0)
    const [failed, setFailed] = useState(false)
    useEffect(() => {
      if (loaded) return
      pending ??= load().then((m) => { loaded = m.default })
      pending.then(() => setReady((n) => n + 1), () => { pending = null; setFailed(true) })
    }, [])
    if (failed) return <ErrorNote error={new Error('chunk')} onRetry={() => window.location.reload()} />
    if (!loaded) return <Loading />
    const C = loaded
    return <C {...props} />
  }
}
