// The study's views in tabs, one drawn at a time: contour, slice, EDF,
// timeline, and the Pareto front for studies with several objectives (then a
// menu picks which objective the other views show).
import { memo } from 'preact/compat';
import { useState } from 'preact/hooks';
import { isMultiObjective, objectivesOf } from '../views.js';
import { Contour } from './views/Contour.jsx';
import { Edf } from './views/Edf.jsx';
import { Pareto } from './views/Pareto.jsx';
import { Slice } from './views/Slice.jsx';
import { Timeline } from './views/Timeline.jsx';

const TABS = [
  ['pareto', 'Pareto front'],
  ['contour', 'Contour'],
  ['slice', 'Slice'],
  ['edf', 'EDF'],
  ['timeline', 'Timeline'],
];

function StudyViewsImpl({ study, trials, version, best, onOpenTrial }) {
  const multi = isMultiObjective(study);
  const tabs = TABS.filter(([k]) => k !== 'pareto' || multi);
  const [tab, setTab] = useState(tabs[0][0]);
  const objs = objectivesOf(study);
  const [oi, setOi] = useState(0);
  const objective = objs[oi] || objs[0];
  return (
    <div class="study-views">
      <div class="tabs" role="tablist">
        {tabs.map(([k, label]) => (
          <button key={k} type="button" role="tab" aria-selected={tab === k} class={tab === k ? 'tab on' : 'tab'} onClick={() => setTab(k)} data-testid={`view-tab-${k}`}>
            {label}
          </button>
        ))}
        {multi && tab !== 'pareto' && tab !== 'timeline' && (
          <label class="tab-extra">
            objective{' '}
            <select value={oi} onChange={(e) => setOi(Number(e.currentTarget.value))} data-testid="views-objective">
              {objs.map((o, i) => (
                <option key={o.name} value={i}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {tab === 'pareto' && <Pareto study={study} trials={trials} version={version} best={best} onOpenTrial={onOpenTrial} />}
      {tab === 'contour' && <Contour study={study} trials={trials} version={version} objective={objective} />}
      {tab === 'slice' && <Slice study={study} trials={trials} version={version} objective={objective} onOpenTrial={onOpenTrial} />}
      {tab === 'edf' && <Edf trials={trials} version={version} objective={objective} />}
      {tab === 'timeline' && <Timeline study={study} trials={trials} version={version} onOpenTrial={onOpenTrial} />}
    </div>
  );
}

export const StudyViews = memo(StudyViewsImpl);
