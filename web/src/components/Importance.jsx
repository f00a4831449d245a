// Parameter importance. The service's model-based importance when it has one
// (GET /v1/studies/{id}/importance), otherwise a rank correlation computed
// here; either way the method is named on the page.
import { memo } from 'preact/compat';
import { useMemo } from 'preact/hooks';
import { fmtNum } from '../format.js';
import { CLIENT_METHOD, computeImportance } from '../importance.js';
import { isScored } from '../trials.js';
import { Empty } from './States.jsx';
import { distinctLabels } from '../views.js';

const METHOD_NAMES = {
  'gp-ard-lengthscale': 'GP ARD length-scales (1 / length-scale, normalised)',
  'gp-lengthscale': 'GP ARD length-scales (1 / length-scale, normalised)',
  'gp-ard': 'GP ARD length-scales (1 / length-scale, normalised)',
  sobol: 'Sobol variance decomposition of the GP mean (first order)',
  fanova: 'functional ANOVA of the surrogate model',
};

function ImportanceImpl({ study, trials, version, server }) {
  const client = useMemo(() => {
    if (server && Array.isArray(server.importance) && server.importance.length > 0) return null;
    return computeImportance(study.parameters || [], trials.filter(isScored));
  }, [study, version, server]);

  let items;
  let method;
  let note;
  if (!client) {
    items = [...server.importance].sort((a, b) => (b.value ?? -1) - (a.value ?? -1));
    method = METHOD_NAMES[server.method] ? `${METHOD_NAMES[server.method]} [${server.method}]` : server.method || 'model';
    note = `From the service's model${
      typeof server.at_trial === 'number' ? `, fitted to ${fmtNum(server.at_trial)} completed trials` : ''
    }.${
      server.description ? ` ${server.description}` : ''
    }`;
  } else {
    items = client;
    method = CLIENT_METHOD;
    const n = trials.filter(isScored).length;
    note = `Computed in the browser over ${fmtNum(n)} completed trials (the service reports no model-based importance for this study).`;
  }
  const known = items.filter((i) => typeof i.value === 'number');
  // Correlations are drawn on their absolute 0..1 scale (a weak ρ stays a
  // short bar); the service's shares are drawn relative to the largest.
  const max = client ? 1 : Math.max(1e-12, ...known.map((i) => Math.abs(i.value)));
  // Long names are cut in the middle, so two never read the same.
  const labels = distinctLabels(items.map((i) => i.name), 26);

  return (
    <div class="importance" data-testid="importance">
      <p class="method">
        Method: <strong data-testid="importance-method">{method}</strong>
      </p>
      {known.length === 0 ? (
        <Empty testid="importance-empty">Not enough completed trials to rank the parameters (at least 3 needed).</Empty>
      ) : (
        <ul class="bars">
          {items.map((i) => (
            <li key={i.name} data-param={i.name}>
              <span class="bar-label" title={i.name}>
                {labels.get(i.name)}
              </span>
              <span class="bar-track">
                <span
                  class={`bar-fill ${typeof i.signed === 'number' && i.signed < 0 ? 'neg' : ''}`}
                  style={{ width: `${typeof i.value === 'number' ? (100 * Math.abs(i.value)) / max : 0}%` }}
                />
              </span>
              <span class="bar-value">
                {typeof i.value !== 'number'
                  ? 'n/a'
                  : typeof i.signed === 'number'
                    ? `ρ ${i.signed >= 0 ? '+' : '−'}${Math.abs(i.signed).toFixed(2)}`
                    : i.value.toFixed(2)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p class="hint">{note}</p>
    </div>
  );
}

// Re-rendered only when its props change, not on every render of the page.
export const Importance = memo(ImportanceImpl);
