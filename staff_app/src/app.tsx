import { useEffect, useState } from 'preact/hooks'
import { signedIn } from './api/client'
import { Layout } from './components/shell'
import { ErrorNote, Loading, Toasts } from './components/ui'
import { useLocale } from './i18n'
import { lazy } from './lib/lazy'
import { match, navigate, useLocation } from './lib/router'
import { useStore } from './lib/store'
import { Feed } from './screens/feed'
import { SignIn } from './screens/signin'
import { loadMe, me } from './session'

const Activate = lazy(() => import('./screens/activate'))
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
    // Signed in on the sign-in or activation page: go to the feed.
    if (isSignedIn && (path === '/signin' || path === '/activate')) navigate('/', true)
  }, [isSignedIn, path])

  if (!isSignedIn) {
    return <>{path === '/activate' ? <Activate /> : <SignIn />}<Toasts /></>
  }
  return (
    <>
      <Layout>{user ? <Routes path={path} /> : meError ? <ErrorNote error={meError} onRetry={fetchMe} /> : <Loading />}</Layout>
      <Toasts />
    </>
  )
}
