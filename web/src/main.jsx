// Entry point: hash routing (#/, #/studies/ID, #/studies/ID/trials/TID) so the
// service's static file handler needs no rewrites, and the page shell.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { Header } from './components/Header.jsx';
import { StudiesList } from './views/StudiesList.jsx';
import { Loading, ErrorBox } from './components/States.jsx';

// The study page carries the chart and graph libraries (about 1 MB): it is a
// separate chunk, fetched when a study is first opened, so the studies list
// loads at once.
let studyPageModule = null;
function LazyStudyPage(props) {
  const [mod, setMod] = useState(studyPageModule);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (mod) return;
    import('./views/StudyPage.jsx').then(
      (m) => {
        studyPageModule = m;
        setMod(m);
      },
      (e) => setError(e),
    );
  }, []);
  if (error) return <ErrorBox error={error}>Could not load the study page's code.</ErrorBox>;
  if (!mod) return <Loading>Loading…</Loading>;
  const StudyPage = mod.StudyPage;
  return <StudyPage {...props} />;
}

export function parseRoute(hash) {
  const parts = (hash || '').replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'studies' && parts[1]) {
    // #/studies/ID/trials/N: N is the trial's number in the study, as shown.
    if (parts[2] === 'trials' && parts[3]) return { view: 'study', study: parts[1], trial: parts[3] };
    return { view: 'study', study: parts[1], trial: null };
  }
  if (parts.length === 0 || parts[0] === 'studies') return { view: 'studies' };
  return { view: 'unknown', path: hash };
}

function App() {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  let body;
  if (route.view === 'studies') body = <StudiesList />;
  else if (route.view === 'study') body = <LazyStudyPage key={route.study} studyId={route.study} trialNumber={route.trial} />;
  else
    body = (
      <div class="state-box error">
        No page at <code>{route.path}</code>. <a href="#/">Back to the studies</a>.
      </div>
    );
  return (
    <>
      <Header />
      <main>{body}</main>
    </>
  );
}

const root = document.getElementById('app');
root.textContent = ''; // drop the boot message
render(<App />, root);
