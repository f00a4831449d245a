// One line under the convergence chart: how many trials each model proposed
// ("suggestions: bograph 22, gp 8 · added by hand 3"), so that a glance tells
// whether a bograph study's graph model is answering or the plain GP is.
import { memo } from 'preact/compat';
import { useMemo } from 'preact/hooks';
import { fmtNum } from '../format.js';
import { countByModel } from '../trials.js';

function ModelSummaryImpl({ study, trials, version }) {
  const counts = useMemo(() => countByModel(trials), [trials, version]);
  if (counts.models.length === 0 && counts.none === 0) return null;
  // A bograph study whose suggestions all came from the plain GP fallback so far.
  const gp = counts.models.find((e) => e.model === 'gp');
  const noGraph = (study.algorithm || 'bograph') === 'bograph' && gp && !counts.models.some((e) => e.model === 'bograph');
  return (
    <p class="hint model-summary" data-testid="model-summary">
      {counts.models.length > 0 && (
        <span>
          suggestions:{' '}
          {counts.models.map((e, i) => (
            <span key={e.model}>
              {i > 0 && ', '}
              <span class={`model-count model-${e.model}`} data-model={e.model} data-count={e.count} title={e.reason || undefined}>
                {e.model} {fmtNum(e.count)}
              </span>
            </span>
          ))}
        </span>
      )}
      {counts.models.length > 0 && counts.none > 0 && ' · '}
      {counts.none > 0 && (
        <span class="model-count" data-model="" data-count={counts.none} title="imported with POST /v1/studies/{id}/trials: no model proposed them">
          added by hand {fmtNum(counts.none)}
        </span>
      )}
      {noGraph && (
        <span class="model-note" data-testid="model-note">
          {' '}
          (the graph model has not answered yet{gp.reason ? `: ${gp.reason}` : ''})
        </span>
      )}
    </p>
  );
}

export const ModelSummary = memo(ModelSummaryImpl);
