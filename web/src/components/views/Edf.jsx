// EDF: the empirical distribution function of the objective over the
// completed trials — for each value, the fraction of trials at or below it.
// At most EDF_POINTS steps are drawn (quantiles), however many trials.
import { useMemo } from 'preact/hooks';
import { fmtNum } from '../../format.js';
import { edf, objectiveValue, spansDecades } from '../../views.js';
import { EChart } from '../EChart.jsx';
import { Empty } from '../States.jsx';

export const EDF_POINTS = 1000;

export function Edf({ trials, version, objective }) {
  const values = useMemo(
    () => trials.filter((t) => t.state === 'completed').map((t) => objectiveValue(t, objective.name)).filter((v) => v !== null),
    [version, objective],
  );
  const points = useMemo(() => edf(values, EDF_POINTS), [values]);
  const log = useMemo(() => spansDecades(values), [values]);
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 64, right: 28, top: 20, bottom: 52 },
      tooltip: { trigger: 'axis', formatter: (ps) => `${objective.name} ≤ ${fmtNum(ps[0].value[0])}: <b>${(ps[0].value[1] * 100).toFixed(1)}%</b> of trials` },
      xAxis: { type: log ? 'log' : 'value', scale: true, name: objective.name + (log ? ' (log scale)' : ''), nameLocation: 'middle', nameGap: 30, axisLabel: { formatter: (v) => fmtNum(v), hideOverlap: true } },
      yAxis: { type: 'value', min: 0, max: 1, name: 'fraction of trials', axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } },
      series: [{ name: 'EDF', type: 'line', step: 'end', data: points, showSymbol: false, lineStyle: { width: 2, color: '#2563eb' }, areaStyle: { color: 'rgba(37,99,235,0.08)' } }],
    }),
    [points, log],
  );
  if (!values.length) return <Empty testid="edf-empty">No completed trials yet.</Empty>;
  return (
    <div class="view" data-testid="view-edf">
      <p class="caption" data-testid="edf-caption">
        Empirical distribution of {objective.name} over {fmtNum(values.length)} completed trials: the fraction of trials whose {objective.name} is at or
        below each value ({objective.goal === 'minimize' ? 'a curve further left is better' : 'a curve further right is better'})
        {values.length > EDF_POINTS ? `; drawn at ${fmtNum(EDF_POINTS)} quantiles` : ''}
        {log ? '; log scale, as the values span more than two decades' : ''}.
      </p>
      <EChart option={option} testid="edf-chart" height={320} />
    </div>
  );
}
