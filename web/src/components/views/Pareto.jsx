// Pareto front of a study with several objectives: every completed trial
// that meets the constraints as a point over two objectives (menus when
// there are more), the non-dominated ones highlighted and joined; hovering
// a point shows its configuration. Below, the hypervolume of the front over
// the trials. The front is the service's (GET .../best answers "pareto")
// when it has one, else computed here the same way.
import { useMemo, useState } from 'preact/hooks';
import { fmtNum, fmtParam } from '../../format.js';
import { feasible } from '../../trials.js';
import { hypervolumeOverTrials, objectiveValue, objectivesOf, paretoIndices, sampleIndices } from '../../views.js';
import { EChart } from '../EChart.jsx';
import { Empty } from '../States.jsx';

export const PARETO_MAX = 5000;

function configHtml(t) {
  return Object.entries(t.params || {})
    .map(([k, v]) => `${k} = ${fmtParam(v)}`)
    .join('<br>');
}

export function Pareto({ study, trials, version, best, onOpenTrial }) {
  const objs = objectivesOf(study);
  const [ia, setA] = useState(0);
  const [ib, setB] = useState(1);
  const oa = objs[ia] || objs[0];
  const ob = objs[ib] || objs[1];
  const data = useMemo(() => {
    const pts = [];
    const byId = new Map();
    for (const t of trials) {
      if (t.state !== 'completed' || !feasible(study, t)) continue;
      const a = objectiveValue(t, oa.name);
      const b = objectiveValue(t, ob.name);
      if (a === null || b === null) continue;
      pts.push([a, b, t.number, String(t.id)]);
      byId.set(String(t.id), t);
    }
    const front = new Set(paretoIndices(pts, [oa.goal, ob.goal]).map((i) => pts[i][3]));
    const served = best && Array.isArray(best.pareto) && objs.length === 2 ? new Set(best.pareto.map((t) => String(t.id))) : null;
    const onFront = served || front;
    const frontPts = pts.filter((p) => onFront.has(p[3])).sort((x, y) => x[0] - y[0]);
    const rest = pts.filter((p) => !onFront.has(p[3]));
    const shownRest = sampleIndices(rest.length, PARETO_MAX).map((i) => rest[i]);
    const hv = hypervolumeOverTrials(pts, [oa.goal, ob.goal]);
    return { pts, frontPts, rest: shownRest, restTotal: rest.length, hv, byId, served: !!served };
  }, [version, ia, ib, best]);

  const option = useMemo(() => {
    const tip = (p) => {
      const t = data.byId.get(p.value[3]);
      return `Trial #${p.value[2]}${p.seriesName === 'Pareto front' ? ' (on the front)' : ''}<br>${oa.name}: <b>${fmtNum(p.value[0])}</b><br>${ob.name}: <b>${fmtNum(p.value[1])}</b><br>${t ? configHtml(t) : ''}`;
    };
    return {
      animation: false,
      legend: { top: 0, left: '20%', data: ['Pareto front', 'dominated'] },
      grid: [
        { left: 72, right: '46%', top: 60, bottom: 56 },
        { left: '60%', right: 24, top: 60, bottom: 56 },
      ],
      tooltip: { trigger: 'item', formatter: tip, confine: true },
      xAxis: [
        { gridIndex: 0, type: 'value', scale: true, name: `${oa.name} (${oa.goal === 'minimize' ? '↓' : '↑'})`, nameLocation: 'middle', nameGap: 30, axisLabel: { formatter: (v) => fmtNum(v), hideOverlap: true } },
        { gridIndex: 1, type: 'value', name: 'trial', nameLocation: 'middle', nameGap: 30, minInterval: 1 },
      ],
      yAxis: [
        { gridIndex: 0, type: 'value', scale: true, name: `${ob.name} (${ob.goal === 'minimize' ? '↓' : '↑'})`, axisLabel: { formatter: (v) => fmtNum(v) } },
        { gridIndex: 1, type: 'value', scale: true, name: 'hypervolume', axisLabel: { formatter: (v) => fmtNum(v) } },
      ],
      series: [
        { name: 'dominated', type: 'scatter', data: data.rest, symbolSize: data.rest.length > 1000 ? 3 : 6, large: data.rest.length > 1000, progressive: 0, itemStyle: { color: '#9ca3af', opacity: 0.6 } },
        { name: 'Pareto front', type: 'line', step: oa.goal === ob.goal ? 'start' : 'end', data: data.frontPts, symbolSize: 9, showSymbol: true, lineStyle: { color: '#dc2626', width: 1.5, type: 'dashed' }, itemStyle: { color: '#dc2626' }, z: 5 },
        { name: 'hypervolume', type: 'line', xAxisIndex: 1, yAxisIndex: 1, step: 'end', data: data.hv.series, showSymbol: false, lineStyle: { color: '#16a34a', width: 2 }, tooltip: { show: false } },
      ],
    };
  }, [data]);

  if (objs.length < 2) return <Empty>This study has one objective.</Empty>;
  if (!data.pts.length) return <Empty testid="pareto-empty">No completed trial meets the constraints yet.</Empty>;
  const menu = (value, set, testid) => (
    <select value={value} onChange={(e) => set(Number(e.currentTarget.value))} data-testid={testid}>
      {objs.map((o, i) => (
        <option key={o.name} value={i}>
          {o.name}
        </option>
      ))}
    </select>
  );
  return (
    <div class="view" data-testid="view-pareto">
      <p class="caption" data-testid="pareto-caption">
        {objs.length > 2 ? (
          <>
            {menu(ia, setA, 'pareto-a')} against {menu(ib, setB, 'pareto-b')}:{' '}
          </>
        ) : null}
        <strong data-testid="pareto-count">{fmtNum(data.frontPts.length)}</strong> non-dominated trials (red){data.served ? ', as the service reports them' : ''} among{' '}
        {fmtNum(data.pts.length)} completed trials that meet the constraints
        {data.rest.length < data.restTotal ? `; ${fmtNum(data.rest.length)} of the ${fmtNum(data.restTotal)} dominated ones drawn, spread evenly` : ''}. Hover a
        point for its configuration. Right: the hypervolume of the front after each trial, up to the worst value of each objective (
        {data.hv.ref ? `${fmtNum(data.hv.ref[0])}, ${fmtNum(data.hv.ref[1])}` : '–'}).
      </p>
      <EChart option={option} testid="pareto-chart" height={400} onClick={(p) => p.value && p.value[3] && onOpenTrial(p.value[3])} />
    </div>
  );
}
