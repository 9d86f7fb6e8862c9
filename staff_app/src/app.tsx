import type { FunctionComponent } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { signedIn } from './api/client'
import { Layout } from './components/shell'
import { ErrorNote, Loading, Toasts } from './components/ui'
import { useLocale } from './i18n'
import { lazy } from './lib/lazy'
import { match, navigate, useLocation } from './lib/router'
import { policyGate } from './lib/policy'
import { SSO_RETURN_PATH } from './lib/sso'
import { useStore } from './lib/store'
import { Feed } from './screens/feed'
import { SignIn } from './screens/signin'
import { loadMe, me } from './session'

const Activate = lazy(() => import('./screens/activate'))
const Reset = lazy(() => import('./screens/reset'))
const Join = lazy(() => import('./screens/join'))
const PolicyDialog = lazy(() => import('./screens/policy'))
const SsoReturn = lazy(() => import('./screens/sso-return'))

/** Screens for people who are not signed in; any other route shows Sign in. SSO_RETURN_PATH: back from the provider. */
const SIGNED_OUT_ROUTES: Record<string, FunctionComponent> = {
  '/activate': Activate, '/reset': Reset, '/join': Join, [SSO_RETURN_PATH]: SsoReturn,
}
const PostDetail = lazy(() => import('./screens/post'))
const ShareFlow = lazy(() => import('./screens/share'))
const Suggest = lazy(() => import('./screens/suggest'))
const MeScreen = lazy(() => import('./screens/me'))
const BadgeScreen = lazy(() => import('./screens/badge'))
const Leaderboard = lazy(() => import('./screens/leaderboard'))
const Challenges = lazy(() => import('./screens/challenges'))
const ChallengeDetail = lazy(() => import('./screens/challenge'))
const Rewards = lazy(() => import('./screens/rewards'))
const Inbox = lazy(() => import('./screens/inbox'))
const Settings = lazy(() => import('./screens/settings'))
const Results = lazy(() => import('./screens/results'))

function Routes({ path }: { path: string }) {
  let m: Record<string, string> | null
  if (path === '/' || path === '') return <Feed />
  if ((m = match('/posts/:id/share', path))) return <ShareFlow id={Number(m.id)} />
  if ((m = match('/posts/:id', path))) return <PostDetail id={Number(m.id)} />
  if (path === '/suggest') return <Suggest />
  if (path === '/me') return <MeScreen />
  if ((m = match('/badges/:code', path))) return <BadgeScreen code={m.code} />
  if (path === '/leaderboard') return <Leaderboard />
  if (path === '/challenges') return <Challenges />
  if ((m = match('/challenges/:id', path))) return <ChallengeDetail id={Number(m.id)} />
  if (path === '/rewards') return <Rewards />
  if (path === '/inbox') return <Inbox />
  if (path === '/settings') return <Settings />
  if (path === '/results') return <Results />
  return <Feed />
}

export function App() {
  const isSignedIn = useStore(signedIn)
  const user = useStore(me)
  const { path } = useLocation()
  const [meError, setMeError] = useState<unknown>(null)
  useLocale()

  const fetchMe = () => { setMeError(null); loadMe().catch(setMeError) }
  useEffect(() => {
    if (isSignedIn && !user) fetchMe()
  }, [isSignedIn, user])

  useEffect(() => {
    // Signed in on the sign-in, activation, reset or join page: go to the feed.
    if (isSignedIn && (path === '/signin' || Object.hasOwn(SIGNED_OUT_ROUTES, path))) navigate('/', true)
  }, [isSignedIn, path])

  // After sign-in, the social media policy comes first if this person has not accepted its current version.
  // Not reachable (offline): the share flow asks again, and the server's 409 is the last word anyway.
  const userId = user?.id
  useEffect(() => {
    if (userId !== undefined) policyGate.ensureAccepted().catch(() => undefined)
  }, [userId])
  const policyPrompt = useStore(policyGate.prompt)

  if (!isSignedIn) {
    const Screen = Object.hasOwn(SIGNED_OUT_ROUTES, path) ? SIGNED_OUT_ROUTES[path] : SignIn
    return <><Screen /><Toasts /></>
  }
  return (
    <>
      <Layout>{user ? <Routes path={path} /> : meError ? <ErrorNote error={meError} onRetry={fetchMe} /> : <Loading />}</Layout>
      {policyPrompt && <PolicyDialog prompt={policyPrompt} />}
      <Toasts />
    </>
  )
}
