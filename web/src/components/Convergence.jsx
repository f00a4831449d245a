// Convergence: the objective of every completed trial by trial number, the
// best so far (among trials that meet the constraints) as a step line, and the
// default configuration's result as a dashed reference line.
import { memo } from 'preact/compat';
import { useMemo, useState } from 'preact/hooks';
import { fmtNum } from '../format.js';
import { better, feasible, goalOf, isScored, objectiveName } from '../trials.js';
import { EChart } from './EChart.jsx';
import { isMultiObjective, spansDecades } from '../views.js';
import { Empty } from './States.jsx';

export function convergenceData(study, trials) {
  const goal = goalOf(study);
  const ok = [];
  const bad = [];
  const best = [];
  let cur = null;
  for (const t of trials) {
    if (!isScored(t)) continue;
    const x = typeof t.number === 'number' ? t.number : Number(t.id);
    const point = [x, t.objective, String(t.id)];
    if (feasible(study, t)) {
      ok.push(point);
      if (cur === null || better(goal, t.objective, cur)) cur = t.objective;
      best.push([x, cur]);
    } else {
      bad.push(point);
    }
  }
  return { ok, bad, best };
}

function ConvergenceImpl({ study, trials, version, defaultObjective, onOpenTrial }) {
  const data = useMemo(() => convergenceData(study, trials), [study, version]);
  // A log axis, offered when every value is positive, keeps one bad outlier
  // from flattening the rest of the run; it is chosen by itself when the
  // values span more than two decades (the box then says so), until the
  // user ticks or unticks it.
  const [logScale, setLogScale] = useState(null); // null: automatic
  const positive = useMemo(
    () => data.ok.every((p) => p[1] > 0) && data.bad.every((p) => p[1] > 0) && !(typeof defaultObjective === 'number' && defaultObjective <= 0),
    [data, defaultObjective],
  );
  const autoLog = useMemo(
    () => positive && spansDecades([...data.ok.map((p) => p[1]), ...data.bad.map((p) => p[1]), ...(typeof defaultObjective === 'number' ? [defaultObjective] : [])]),
    [data, positive, defaultObjective],
  );
  const useLog = positive && (logScale === null ? autoLog : logScale);
  const option = useMemo(() => {
    const name = objectiveName(study);
    const n = data.ok.length + data.bad.length;
    const big = n > 2000;
    const hasDef = typeof defaultObjective === 'number';
    const yExtent = (v) => {
      let lo = v.min;
      let hi = v.max;
      if (hasDef) {
        lo = Math.min(lo, defaultObjective);
        hi = Math.max(hi, defaultObjective);
      }
      return { lo, hi, pad: (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1 };
    };
    return {
      animation: false,
      grid: { left: 64, right: 24, top: 48, bottom: 48 },
      legend: { top: 0, right: 8, data: ['objective', 'best so far', ...(data.bad.length ? ['violates constraints'] : [])] },
      tooltip: {
        trigger: 'item',
        formatter: (p) => `Trial #${p.value[0]}<br>${p.seriesName}: <b>${fmtNum(p.value[1])}</b>`,
      },
      xAxis: {
        type: 'value',
        name: 'trial',
        nameLocation: 'middle',
        nameGap: 28,
        minInterval: 1,
        min: 0,
        // Room after the last trial so its point is not cut by the edge.
        max: (v) => Math.ceil(v.max + Math.max(1, v.max * 0.02)),
        axisLabel: { showMaxLabel: false },
      },
      yAxis: useLog
        ? {
            type: 'log',
            name,
            minorTick: { show: true, splitNumber: 9 },
            minorSplitLine: { show: true, lineStyle: { color: '#f1f5f9' } },
            min: (v) => (hasDef ? Math.min(v.min, defaultObjective) : v.min) / 1.15,
            max: (v) => (hasDef ? Math.max(v.max, defaultObjective) : v.max) * 1.15,
            axisLabel: { formatter: (v) => fmtNum(v), showMinLabel: false, showMaxLabel: false },
          }
        : {
            type: 'value',
            name,
            scale: true,
            min: (v) => {
              const e = yExtent(v);
              return e.lo - e.pad;
            },
            max: (v) => {
              const e = yExtent(v);
              return e.hi + e.pad;
            },
            axisLabel: { formatter: (v) => fmtNum(v), showMinLabel: false, showMaxLabel: false },
          },
      // Ctrl+wheel zooms; a plain wheel keeps scrolling the page.
      dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none', zoomOnMouseWheel: 'ctrl', moveOnMouseWheel: false }],
      series: [
        {
          name: 'objective',
          type: 'scatter',
          data: data.ok,
          symbolSize: big ? 3 : 7,
          large: big,
          progressive: 0, // see ParallelCoords.jsx
          itemStyle: { color: '#3b82f6', opacity: big ? 0.5 : 0.8 },
        },
        {
          name: 'best so far',
          type: 'line',
          step: 'end',
          data: data.best,
          showSymbol: false,
          lineStyle: { width: 2.5, color: '#16a34a' },
          itemStyle: { color: '#16a34a' },
          markLine: hasDef
            ? {
                silent: true,
                symbol: 'none',
                lineStyle: { type: 'dashed', color: '#b45309', width: 1.5 },
                label: { formatter: `default ${fmtNum(defaultObjective)}`, position: 'insideEndTop', color: '#b45309' },
                data: [{ yAxis: defaultObjective, name: 'default' }],
              }
            : undefined,
        },
        {
          name: 'violates constraints',
          type: 'scatter',
          progressive: 0,
          data: data.bad,
          symbolSize: big ? 3 : 6,
          itemStyle: { color: '#9ca3af' },
        },
      ],
    };
  }, [data, defaultObjective, useLog]);

  if (data.ok.length + data.bad.length === 0) {
    if (isMultiObjective(study))
      return <Empty testid="convergence-empty">This study has several objectives: see the Pareto front and its hypervolume under Views.</Empty>;
    return <Empty testid="convergence-empty">No completed trials yet: the convergence plot appears with the first result.</Empty>;
  }
  return (
    <>
      <EChart
        option={option}
        testid="convergence-chart"
        height={300}
        onClick={(p) => p.value && p.value[2] && onOpenTrial(p.value[2])}
      />
      <p class="hint chart-tools">
        {positive && (
          <label>
            <input type="checkbox" checked={useLog} onChange={(e) => setLogScale(e.currentTarget.checked)} data-testid="log-scale" /> log
            scale
          </label>
        )}
        {useLog && logScale === null && (
          <span class="auto-log" data-testid="log-auto">
            log scale chosen: the values span more than two decades
          </span>
        )}
        <span>Click a point for its trial; Ctrl + wheel zooms along the trials.</span>
      </p>
    </>
  );
}

// Re-rendered only when its props change, not on every render of the page.
export const Convergence = memo(ConvergenceImpl);
