// The studies list: name, plugin, algorithm, trials by state, best objective
// and improvement over the default configuration, and a Delete button that
// asks for confirmation in the row (DELETE /v1/studies/{id}). Refreshed
// every 10 s.
import { useEffect, useState } from 'preact/hooks';
import { deleteStudy, getBest, listStudies } from '../api.js';
import { fmtFactor, fmtNum } from '../format.js';
import { useInterval, useTokenVersion } from '../hooks.js';
import { Empty, ErrorBox, Loading, StateChip } from '../components/States.jsx';
import { STATES, goalOf, improvement, objectiveName } from '../trials.js';
import { isMultiObjective, objectivesOf } from '../views.js';

const REFRESH_MS = 10000;

async function loadAll() {
  const studies = await listStudies();
  const bests = await Promise.all(
    studies.map((s) =>
      getBest(s.id).catch((e) => {
        if (e.status === 401) throw e;
        return { error: e };
      }),
    ),
  );
  return studies.map((s, i) => ({ study: s, best: bests[i] }));
}

export function StudiesList() {
  const tokenVersion = useTokenVersion();
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);

  const refresh = () =>
    loadAll().then(
      (r) => {
        setRows(r);
        setError(null);
      },
      (e) => setError(e),
    );
  useEffect(() => {
    document.title = 'Studies · bograph';
    refresh();
  }, [tokenVersion]);
  useInterval(refresh, REFRESH_MS, !error || error.status !== 401);

  if (error && !rows) return <ErrorBox error={error}>Could not load the studies.</ErrorBox>;
  if (!rows) return <Loading>Loading studies…</Loading>;
  return (
    <section class="page">
      <h1>Studies</h1>
      {error && <ErrorBox error={error}>Refresh failed; showing the last answer.</ErrorBox>}
      {rows.length === 0 ? (
        <Empty testid="studies-empty">
          <p>No studies yet.</p>
          <p>
            Create one with <code>POST /v1/studies</code>, for example:
          </p>
          <pre>{`curl -X POST localhost:8080/v1/studies -H 'Content-Type: application/json' \\
  -d '{"name": "demo", "plugin": "rocksdb", "budget": 50}'`}</pre>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table class="grid studies" data-testid="studies-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Plugin</th>
                <th>Algorithm</th>
                <th>Objective</th>
                <th>Trials by state</th>
                <th class="num">Best</th>
                <th class="num">Default</th>
                <th class="num">vs default</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map(({ study, best }) => (
                <StudyRow key={study.id} study={study} best={best} onDeleted={refresh} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function StudyRow({ study, best, onDeleted }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState(null);
  const goal = goalOf(study);
  const b = best && best.best ? best.best.objective : null;
  const d = best && best.default ? best.default.objective : null;
  const imp = improvement(goal, b, d);
  const counts = study.counts || {};
  const total = Object.values(counts).reduce((a, c) => a + (typeof c === 'number' ? c : 0), 0);
  return (
    <tr data-study-id={study.id}>
      <td>
        <a href={`#/studies/${encodeURIComponent(study.id)}`} class="study-link">
          {study.name || study.id}
        </a>
        {study.state === 'done' && <span class="tag">done</span>}
      </td>
      <td>{study.plugin || '–'}</td>
      <td>{study.algorithm || 'bograph'}</td>
      <td>
        {isMultiObjective(study) ? (
          objectivesOf(study).map((o, i) => (
            <span key={o.name}>
              {i ? ', ' : ''}
              {o.name} <span class="muted">{o.goal === 'minimize' ? '↓' : '↑'}</span>
            </span>
          ))
        ) : (
          <>
            {objectiveName(study)} <span class="muted">{goal === 'minimize' ? '↓ min' : '↑ max'}</span>
          </>
        )}
      </td>
      <td>
        <div class="chips">
          <span class="total">{fmtNum(total)}</span>
          {STATES.filter((s) => counts[s]).map((s) => (
            <StateChip key={s} state={s} count={fmtNum(counts[s])} />
          ))}
        </div>
      </td>
      <td class="num best">
        {best && best.error ? (
          <span class="muted" title={best.error.message}>
            error
          </span>
        ) : best && Array.isArray(best.pareto) ? (
          <span title="non-dominated trials that meet the constraints">front of {fmtNum(best.pareto.length)}</span>
        ) : (
          fmtNum(b)
        )}
      </td>
      <td class="num">{fmtNum(d)}</td>
      <td class={`num improvement ${imp > 1 ? 'up' : imp !== null && imp < 1 ? 'down' : ''}`}>{fmtFactor(imp)}</td>
      <td class="actions">
        {!confirming ? (
          <button type="button" class="ghost small danger" onClick={() => setConfirming(true)} data-testid="study-delete">
            Delete…
          </button>
        ) : (
          <span class="confirm" data-testid="study-delete-confirm">
            Delete “{study.name || study.id}” and its {fmtNum(total)} trials? This cannot be undone.{' '}
            <button
              type="button"
              class="danger"
              disabled={busy}
              data-testid="study-delete-yes"
              onClick={async () => {
                setBusy(true);
                try {
                  await deleteStudy(study.id);
                  onDeleted();
                } catch (e) {
                  setErr(e);
                  setBusy(false);
                }
              }}
            >
              Delete
            </button>{' '}
            <button type="button" class="ghost" onClick={() => setConfirming(false)} data-testid="study-delete-no">
              Cancel
            </button>
            {err && <span class="error-inline"> {err.message}</span>}
          </span>
        )}
      </td>
    </tr>
  );
}
