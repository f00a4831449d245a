// One trial in a side panel: state, the model that proposed it (and why),
// timing, parameters, metrics (most relevant to the objective first, with a
// search box: there may be hundreds) and the raw log, from
// GET /v1/studies/{id}/trials/{tid}. Addressed by the trial's number in the
// study (trialNumber); trialId is its id once the page knows it.
import { Fragment } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { getTrial } from '../api.js';
import { fmtDuration, fmtNum, fmtParam, fmtTime } from '../format.js';
import { feasible, modelOf, objectiveName } from '../trials.js';
import { durationSeconds, metricRelevance, objectivesOf } from '../views.js';
import { ErrorBox, Loading } from './States.jsx';

export function TrialDetail({ study, trialId, trialNumber, trials, version, onClose }) {
  const [trial, setTrial] = useState(null);
  const [error, setError] = useState(null);
  const [metricFilter, setMetricFilter] = useState('');

  useEffect(() => {
    if (trialId === null) return undefined;
    const ac = new AbortController();
    getTrial(study.id, trialId, ac.signal).then(
      (t) => {
        setTrial(t);
        setError(null);
      },
      (e) => e.name !== 'AbortError' && setError(e),
    );
    return () => ac.abort();
  }, [study.id, trialId, version]);

  useEffect(() => {
    const onKey = (e) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  // Relevance of each metric to the (first) objective over the study's
  // trials: |Spearman's rho|; constant metrics (all zero) come last.
  const objName = objectivesOf(study)[0].name;
  const relevance = useMemo(() => metricRelevance(trials || [], objName, 1000), [version, objName]);
  const metrics = useMemo(() => {
    const m = (trial && trial.metrics) || {};
    const f = metricFilter.trim().toLowerCase();
    const r = (k) => (relevance.has(k) ? relevance.get(k) : -1);
    return Object.keys(m)
      .filter((k) => !f || k.toLowerCase().includes(f))
      .sort((a, b) => r(b) - r(a) || a.localeCompare(b))
      .map((k) => [k, m[k], relevance.get(k)]);
  }, [trial, metricFilter, relevance]);

  const logs = trial ? trial.logs ?? trial.log ?? null : null;
  const isCur = trial && trialId !== null && String(trial.id) === String(trialId);
  const dur = isCur ? durationSeconds(trial) : null;

  return (
    <div class="drawer-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <aside class="drawer" data-testid="trial-detail" role="dialog" aria-label={`Trial ${trialId}`}>
        <header>
          <h2>Trial #{isCur && typeof trial.number === 'number' ? trial.number : trialNumber}</h2>
          <button type="button" class="close" onClick={onClose} aria-label="Close" data-testid="trial-close">
            ×
          </button>
        </header>
        {error && <ErrorBox error={error}>Could not load the trial.</ErrorBox>}
        {!error && trialId === null && (trials || []).length > 0 && <ErrorBox error={{ message: `no trial #${trialNumber}` }}>This study has no trial #{trialNumber}.</ErrorBox>}
        {!error && !isCur && (trialId !== null || !(trials || []).length) && <Loading>Loading trial…</Loading>}
        {!error && isCur && (
          <div class="drawer-body">
            <dl class="facts">
              <dt>state</dt>
              <dd>
                <span class={`chip state-${trial.state}`} data-testid="trial-state">
                  {trial.state}
                </span>
                {trial.reason && <span class="reason"> {trial.reason}</span>}
              </dd>
              {trial.objectives && typeof trial.objectives === 'object' ? (
                Object.entries(trial.objectives).map(([k, v]) => (
                  <Fragment key={k}>
                    <dt class="name" title={k}>
                      {k}
                    </dt>
                    <dd class="strong">{fmtNum(v)}</dd>
                  </Fragment>
                ))
              ) : (
                <>
                  <dt class="name" title={objectiveName(study)}>
                    {objectiveName(study)}
                  </dt>
                  <dd class="strong" data-testid="trial-objective">
                    {fmtNum(trial.objective)}
                  </dd>
                </>
              )}
              {trial.state === 'completed' && (study.constraints || []).length > 0 && (
                <>
                  <dt>constraints</dt>
                  <dd data-testid="trial-constraints">
                    {feasible(study, trial)
                      ? 'all met'
                      : (study.constraints || [])
                          .filter((c) => !feasible({ constraints: [c] }, trial))
                          .map((c) => `breaks ${c.metric} ${c.op} ${fmtNum(c.value)}`)
                          .join('; ')}
                  </dd>
                </>
              )}
              <dt>model</dt>
              <dd data-testid="trial-model">{modelOf(trial) || <span class="muted">none (added by hand)</span>}</dd>
              {trial.model_reason && (
                <>
                  <dt>why</dt>
                  <dd data-testid="trial-model-reason">{trial.model_reason}</dd>
                </>
              )}
              <dt>worker</dt>
              <dd>{trial.worker || '–'}</dd>
              <dt>created</dt>
              <dd>{fmtTime(trial.created_at)}</dd>
              <dt>finished</dt>
              <dd>{fmtTime(trial.finished_at)}</dd>
              <dt>duration</dt>
              <dd data-testid="trial-duration">{fmtDuration(dur)}</dd>
              {trial.lease_expires_at && (
                <>
                  <dt>lease until</dt>
                  <dd>{fmtTime(trial.lease_expires_at)}</dd>
                </>
              )}
            </dl>
            <h3>Parameters</h3>
            <table class="kv" data-testid="trial-params">
              <tbody>
                {Object.entries(trial.params || {}).map(([k, v]) => (
                  <tr key={k}>
                    <th>{k}</th>
                    <td>{fmtParam(v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>
              Metrics <span class="muted">({Object.keys(trial.metrics || {}).length})</span>
            </h3>
            {Object.keys(trial.metrics || {}).length > 8 && (
              <input
                class="filter"
                type="search"
                placeholder="Search metrics"
                value={metricFilter}
                onInput={(e) => setMetricFilter(e.currentTarget.value)}
                data-testid="metric-search"
              />
            )}
            {relevance.size > 0 && (
              <p class="hint">Most relevant to {objName} first: |ρ|, the rank correlation with it over the study's completed trials.</p>
            )}
            <table class="kv" data-testid="trial-metrics">
              <tbody>
                {metrics.length === 0 && (
                  <tr>
                    <td class="muted">No metrics.</td>
                  </tr>
                )}
                {metrics.map(([k, v, r]) => (
                  <tr key={k} data-metric={k}>
                    <th>{k}</th>
                    <td>{fmtParam(v)}</td>
                    <td class="rel muted" title="|ρ| with the objective">
                      {r === undefined ? '' : r.toFixed(2)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>
              Raw log {trial.log_format && <span class="muted">({trial.log_format})</span>}
            </h3>
            {logs ? (
              <pre class="log" data-testid="trial-log">
                {logs}
              </pre>
            ) : (
              <p class="muted" data-testid="trial-log-empty">
                No log was reported with this trial.
              </p>
            )}
          </div>
        )}
      </aside>
    </div>
  );
}
