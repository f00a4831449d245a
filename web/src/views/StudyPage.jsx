// The study page: summary, notes, convergence (with the trials per model),
// parameter importance, the learned graph (and its knowledge editor), the
// views (Pareto front, contour, slice, EDF, timeline), parallel coordinates
// and the trials table, kept live by polling for trials changed since the
// last seen seq (never a full reload). Trial URLs carry the per-study trial
// number the page shows (#/studies/ID/trials/NUMBER).
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getBest, getImportance, getStructure, getStudy } from '../api.js';
import { fmtFactor, fmtNum } from '../format.js';
import { useInterval, useNow, useTokenVersion } from '../hooks.js';
import { TrialStore, STATES, countByState, goalOf, improvement, objectiveName } from '../trials.js';
import { Convergence } from '../components/Convergence.jsx';
import { Importance } from '../components/Importance.jsx';
import { ModelSummary } from '../components/ModelSummary.jsx';
import { ParallelCoords } from '../components/ParallelCoords.jsx';
import { KnowledgePanel } from '../components/KnowledgePanel.jsx';
import { Notes } from '../components/Notes.jsx';
import { StudyViews } from '../components/StudyViews.jsx';
import { isMultiObjective, objectivesOf } from '../views.js';
import { TrialDetail } from '../components/TrialDetail.jsx';
import { TrialsTable } from '../components/TrialsTable.jsx';
import { ErrorBox, Loading, StateChip } from '../components/States.jsx';

const POLL_MS = 3000;
const EXTRAS_MS = 15000; // structure and importance: at most this often

export function StudyPage({ studyId, trialNumber }) {
  const tokenVersion = useTokenVersion();
  const store = useRef(null);
  const [study, setStudy] = useState(null);
  const [best, setBest] = useState(null);
  const [structure, setStructure] = useState(undefined); // undefined: not fetched; null: none
  const [structureError, setStructureError] = useState(null);
  const [importance, setImportance] = useState(null);
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState(null);
  const [pollError, setPollError] = useState(null);
  const [live, setLive] = useState(true);
  const [updatedAt, setUpdatedAt] = useState(null);
  const [flash, setFlash] = useState(null);
  const busy = useRef(false);
  const extrasAt = useRef(0);
  const extrasDue = useRef(false); // knowledge saved: refetch the graph at the next change

  const loadExtras = useCallback(async () => {
    extrasAt.current = Date.now();
    const [s, imp] = await Promise.allSettled([getStructure(studyId), getImportance(studyId)]);
    if (s.status === 'fulfilled') {
      setStructure(s.value);
      setStructureError(null);
    } else {
      setStructureError(s.reason);
      setStructure((x) => (x === undefined ? null : x));
    }
    if (imp.status === 'fulfilled') setImportance(imp.value);
  }, [studyId]);

  // First load: the study, then every trial in pages, then the extras.
  useEffect(() => {
    let gone = false;
    const ac = new AbortController();
    store.current = new TrialStore(studyId);
    setLoaded(false);
    setError(null);
    (async () => {
      try {
        const s = await getStudy(studyId, ac.signal);
        if (gone) return;
        setStudy(s);
        document.title = `${s.name || s.id} · bograph`;
        const [b] = await Promise.all([
          getBest(studyId, ac.signal).catch(() => null),
          store.current.fetchChanges(ac.signal, (n) => !gone && setProgress(n)),
        ]);
        if (gone) return;
        setBest(b);
        setVersion(store.current.version);
        setLoaded(true);
        setUpdatedAt(Date.now());
        loadExtras();
      } catch (e) {
        if (!gone && e.name !== 'AbortError') setError(e);
      }
    })();
    return () => {
      gone = true;
      ac.abort();
    };
  }, [studyId, tokenVersion]);

  const poll = async () => {
    if (!loaded || busy.current) return;
    busy.current = true;
    try {
      const changed = await store.current.fetchChanges();
      if (changed > 0) {
        const [s, b] = await Promise.all([getStudy(studyId), getBest(studyId).catch(() => null)]);
        setStudy(s);
        setBest(b);
        setFlash(new Set(store.current.lastChanged));
        setVersion(store.current.version);
        if (Date.now() - extrasAt.current > EXTRAS_MS || extrasDue.current) {
          extrasDue.current = false;
          loadExtras();
        }
      }
      setPollError(null);
      setUpdatedAt(Date.now());
    } catch (e) {
      setPollError(e);
    } finally {
      busy.current = false;
    }
  };
  useInterval(poll, POLL_MS, live && loaded);

  // Opened by id (charts and table hold ids), addressed by number.
  const openTrial = useCallback(
    (tid) => {
      const t = store.current && store.current.byId.get(String(tid));
      const n = t && typeof t.number === 'number' ? t.number : tid;
      location.hash = `#/studies/${encodeURIComponent(studyId)}/trials/${encodeURIComponent(n)}`;
    },
    [studyId],
  );
  const closeTrial = useCallback(() => {
    location.hash = `#/studies/${encodeURIComponent(studyId)}`;
  }, [studyId]);

  const trials = useMemo(() => (store.current ? store.current.all() : []), [version, loaded]);
  const trialId = useMemo(() => {
    if (trialNumber === null || trialNumber === undefined) return null;
    const t = trials.find((x) => String(x.number) === String(trialNumber));
    return t ? String(t.id) : null;
  }, [trials, trialNumber]);
  const onKnowledgeSaved = useCallback((s) => {
    setStudy(s);
    extrasDue.current = true;
    loadExtras();
  }, [loadExtras]);
  const counts = useMemo(() => countByState(trials), [trials]);

  if (error) {
    return (
      <ErrorBox error={error}>
        {error.status === 404 ? `There is no study ${studyId}.` : 'Could not load the study.'} <a href="#/">Back to the studies</a>.
      </ErrorBox>
    );
  }
  if (!study || !loaded) {
    return <Loading>{study ? `Loading trials… ${fmtNum(progress)} so far` : 'Loading study…'}</Loading>;
  }

  const goal = goalOf(study);
  const multi = isMultiObjective(study);
  const bestT = best && best.best;
  const defT = best && best.default;
  const imp = improvement(goal, bestT && bestT.objective, defT && defT.objective);

  return (
    <section class="page study" data-testid="study-page">
      <div class="study-head">
        <div>
          <p class="crumbs">
            <a href="#/">Studies</a> /
          </p>
          <h1 data-testid="study-name">{study.name || study.id}</h1>
          <p class="tags">
            <span class="tag">id {study.id}</span>
            {study.plugin && <span class="tag">plugin {study.plugin}</span>}
            <span class="tag">algorithm {study.algorithm || 'bograph'}</span>
            {multi ? (
              objectivesOf(study).map((o) => (
                <span class="tag" key={o.name}>
                  {o.goal} {o.name}
                </span>
              ))
            ) : (
              <span class="tag">
                {goal} {objectiveName(study)}
              </span>
            )}
            {(study.constraints || []).map((c) => (
              <span class="tag" key={`${c.metric}${c.op}${c.value}`}>
                {c.metric} {c.op} {fmtNum(c.value)}
              </span>
            ))}
            {study.budget ? <span class="tag">budget {fmtNum(study.budget)}</span> : null}
            {study.state && <span class={`tag study-${study.state}`}>{study.state}</span>}
          </p>
        </div>
        <LiveIndicator live={live} setLive={setLive} pollError={pollError} updatedAt={updatedAt} />
      </div>
      {pollError && pollError.status === 401 && <ErrorBox error={pollError} />}

      <div class="cards">
        <div class="card">
          <h3>Trials</h3>
          <p class="big" data-testid="trial-count">
            {fmtNum(trials.length)}
          </p>
          <p class="chips">
            {STATES.filter((s) => counts[s]).map((s) => (
              <StateChip key={s} state={s} count={fmtNum(counts[s])} />
            ))}
          </p>
        </div>
        {multi ? (
          <div class="card">
            <h3>Pareto front</h3>
            <p class="big" data-testid="pareto-size">
              {fmtNum(best && Array.isArray(best.pareto) ? best.pareto.length : null)}
            </p>
            <p class="muted">non-dominated trials that meet the constraints</p>
          </div>
        ) : (
        <div class="card">
          <h3>Best {objectiveName(study)}</h3>
          <p class="big" data-testid="best-value">
            {fmtNum(bestT ? bestT.objective : null)}
          </p>
          <p class="muted">
            {bestT ? (
              <a href={`#/studies/${encodeURIComponent(study.id)}/trials/${bestT.number}`}>trial #{bestT.number}</a>
            ) : (
              'no completed trial meets the constraints yet'
            )}
          </p>
        </div>
        )}
        <div class="card">
          <h3>Default configuration</h3>
          <p class="big">{fmtNum(defT ? defT.objective : null)}</p>
          <p class="muted">
            {defT ? (
              <a href={`#/studies/${encodeURIComponent(study.id)}/trials/${defT.number}`}>trial #{defT.number}</a>
            ) : (
              'not run yet'
            )}
          </p>
        </div>
        {!multi && (
        <div class="card">
          <h3>Improvement over default</h3>
          <p class={`big ${imp > 1 ? 'up' : imp !== null && imp < 1 ? 'down' : ''}`} data-testid="improvement">
            {fmtFactor(imp)}
          </p>
          <p class="muted">{goal === 'minimize' ? 'lower is better' : 'higher is better'}</p>
        </div>
        )}
      </div>

      <div class="panel" id="notes">
        <h2>Notes</h2>
        <Notes study={study} onSaved={setStudy} />
      </div>

      <div class="row2">
        <div class="panel" id="convergence">
          <h2>Convergence</h2>
          <Convergence
            study={study}
            trials={trials}
            version={version}
            defaultObjective={defT && typeof defT.objective === 'number' ? defT.objective : null}
            onOpenTrial={openTrial}
          />
          <ModelSummary study={study} trials={trials} version={version} />
        </div>
        <div class="panel" id="importance">
          <h2>Parameter importance</h2>
          <Importance study={study} trials={trials} version={version} server={importance} />
        </div>
      </div>

      <div class="panel" id="structure">
        <h2>Learned structure</h2>
        {structureError && <ErrorBox error={structureError}>Could not load the structure.</ErrorBox>}
        {structure === undefined ? <Loading>Loading structure…</Loading> : <KnowledgePanel study={study} structure={structure} onSaved={onKnowledgeSaved} />}
      </div>

      <div class="panel" id="views">
        <h2>Views</h2>
        <StudyViews study={study} trials={trials} version={version} best={best} onOpenTrial={openTrial} />
      </div>

      <div class="panel" id="parallel">
        <h2>Parallel coordinates</h2>
        <ParallelCoords study={study} trials={trials} version={version} defaultTrial={defT} />
      </div>

      <div class="panel" id="trials">
        <h2>Trials</h2>
        <TrialsTable study={study} trials={trials} version={version} flash={flash} onOpenTrial={openTrial} />
      </div>

      {trialNumber !== null && trialNumber !== undefined && (
        <TrialDetail study={study} trialId={trialId} trialNumber={trialNumber} trials={trials} version={version} onClose={closeTrial} />
      )}
    </section>
  );
}

/* "live · updated 2 s ago": its own component so the clock re-renders only it. */
function LiveIndicator({ live, setLive, pollError, updatedAt }) {
  const now = useNow(1000);
  const ago = updatedAt ? Math.max(0, Math.round((now - updatedAt) / 1000)) : null;
  return (
    <div class={`live ${live ? 'on' : 'off'} ${pollError ? 'err' : ''}`} data-testid="live">
      <span class="dot" />
      {pollError ? (
        <span title={pollError.message}>update failed{ago !== null ? ` (last ok ${ago} s ago)` : ''}</span>
      ) : live ? (
        <span>live · updated {ago ?? '–'} s ago</span>
      ) : (
        <span>paused</span>
      )}
      <button type="button" class="ghost" onClick={() => setLive((x) => !x)}>
        {live ? 'Pause' : 'Resume'}
      </button>
    </div>
  );
}
