// Parallel coordinates: one axis per parameter plus the objective, one line
// per completed trial coloured by its objective; the default configuration is
// drawn as a thick dark line. Drag along an axis to select a range. Long
// parameter names are cut in the middle so two never read the same, and the
// objective's axis can be logarithmic.
import { memo } from 'preact/compat';
import { useMemo, useState } from 'preact/hooks';
import { distinctLabels, isMultiObjective, spansDecades } from '../views.js';
import { fmtNum } from '../format.js';
import { goalOf, isScored, objectiveName } from '../trials.js';
import { EChart } from './EChart.jsx';
import { Empty } from './States.jsx';

// Labels on a light background stay readable over thousands of lines.
const LABEL = { fontSize: 10, backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3], borderRadius: 2 };

function axisFor(p, i, width, label) {
  const base = {
    dim: i,
    name: label,
    nameTextStyle: { fontSize: 11 },
    axisLabel: LABEL,
  };
  if (p.type === 'categorical') return { ...base, type: 'category', data: (p.choices || []).map(String) };
  if (p.type === 'ordinal') return { ...base, type: 'category', data: (p.values || []).map(String) };
  return {
    ...base,
    type: p.log ? 'log' : 'value',
    min: p.low,
    max: p.high,
    axisLabel: { ...LABEL, formatter: (v) => fmtNum(v) },
  };
}

function rowFor(params, t) {
  const row = [];
  for (const p of params) {
    const v = t.params ? t.params[p.name] : undefined;
    if (v === undefined || v === null) return null;
    row.push(p.type === 'categorical' || p.type === 'ordinal' ? String(v) : v);
  }
  row.push(t.objective);
  return row;
}

// Drawing 10,000 lines takes ECharts seconds and would stall the page on
// every live update, so a large study shows at most MAX_LINES: the best
// quarter of them by objective, and the rest spread evenly over the run.
export const MAX_LINES = 2000;

export function parallelData(study, trials, max = MAX_LINES) {
  const params = study.parameters || [];
  const all = [];
  for (const t of trials) {
    if (!isScored(t)) continue;
    const r = rowFor(params, t);
    if (r) all.push(r);
  }
  if (all.length <= max) return { rows: all, total: all.length, best: all.length };
  const obj = params.length;
  const sign = goalOf(study) === 'minimize' ? 1 : -1;
  const order = all.map((r, i) => i).sort((a, b) => sign * (all[a][obj] - all[b][obj]));
  const nBest = Math.floor(max / 4);
  const keep = new Set(order.slice(0, nBest));
  const rest = all.map((r, i) => i).filter((i) => !keep.has(i)); // in trial order
  const step = rest.length / (max - nBest);
  for (let k = 0; k < max - nBest; k++) keep.add(rest[Math.floor(k * step)]);
  const rows = [...keep].sort((a, b) => a - b).map((i) => all[i]);
  // The colour scale still spans every trial's objective.
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of all) {
    lo = Math.min(lo, r[obj]);
    hi = Math.max(hi, r[obj]);
  }
  return { rows, total: all.length, best: nBest, lo, hi };
}

function ParallelCoordsImpl({ study, trials, version, defaultTrial }) {
  const data = useMemo(() => parallelData(study, trials), [study, version]);
  const rows = data.rows;
  const positive = useMemo(() => rows.length > 0 && rows.every((r) => r[r.length - 1] > 0), [rows]);
  const [logObj, setLogObj] = useState(null); // null: log when the objective spans more than two decades
  const autoLog = useMemo(() => positive && spansDecades(rows.map((r) => r[r.length - 1])), [rows, positive]);
  const useLog = positive && (logObj === null ? autoLog : logObj);
  const option = useMemo(() => {
    const params = study.parameters || [];
    const width = Math.max(40, Math.floor(1000 / (params.length + 1)) - 8);
    // About 6.5 px a character at 11 px: names longer than the axis spacing
    // are cut in the middle, distinct from one another.
    const labels = distinctLabels(params.map((p) => p.name), Math.max(8, Math.min(26, Math.floor(width / 6.5))));
    let lo = data.lo ?? Infinity;
    let hi = data.hi ?? -Infinity;
    for (const r of rows) {
      const v = r[r.length - 1];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const many = rows.length > 1000;
    const defRow = defaultTrial && isScored(defaultTrial) ? rowFor(params, defaultTrial) : null;
    const goodHigh = goalOf(study) === 'maximize';
    const colors = ['#dbeafe', '#60a5fa', '#1d4ed8', '#7c3aed'];
    return {
      animation: false,
      parallel: { left: 96, right: 190, top: 48, bottom: 28, parallelAxisDefault: { nameGap: 14 } },
      parallelAxis: [
        ...params.map((p, i) => axisFor(p, i, width, labels.get(p.name))),
        {
          dim: params.length,
          name: objectiveName(study) + (useLog ? ' (log)' : ''),
          type: useLog ? 'log' : 'value',
          scale: true,
          nameTextStyle: { fontWeight: 'bold', width: 140, overflow: 'truncate' },
          axisLabel: { ...LABEL, formatter: (v) => fmtNum(v) },
        },
      ],
      visualMap: {
        type: 'continuous',
        seriesIndex: 0,
        dimension: params.length,
        min: Number.isFinite(lo) ? lo : 0,
        max: Number.isFinite(hi) && hi > lo ? hi : lo + 1,
        calculable: true,
        right: 14,
        top: 'middle',
        itemHeight: 160,
        itemWidth: 14,
        textGap: 6,
        text: [goodHigh ? 'better' : 'worse', goodHigh ? 'worse' : 'better'],
        inRange: { color: goodHigh ? colors : [...colors].reverse() },
        formatter: (v) => fmtNum(v),
      },
      series: [
        {
          name: 'trials',
          type: 'parallel',
          data: rows,
          smooth: false,
          // Drawn in one frame: zrender's progressive painting keeps running
          // after dispose() and throws when the page is left mid-paint.
          progressive: 0,
          lineStyle: { width: 1, opacity: many ? 0.25 : 0.6 },
          emphasis: { lineStyle: { width: 2, opacity: 1 } },
        },
        ...(defRow
          ? [
              {
                name: 'default',
                type: 'parallel',
                data: [defRow],
                lineStyle: { width: 3, color: '#111827', opacity: 0.9, type: 'dashed' },
              },
            ]
          : []),
      ],
    };
  }, [data, defaultTrial, useLog]);

  if ((study.parameters || []).length === 0) return <Empty>This study has no parameters to plot.</Empty>;
  if (rows.length === 0 && isMultiObjective(study))
    return <Empty testid="parallel-empty">This study has several objectives: the Pareto front under Views shows them.</Empty>;
  if (rows.length === 0) return <Empty testid="parallel-empty">No completed trials yet.</Empty>;
  return (
    <>
      <EChart option={option} testid="parallel-chart" height={340} />
      <p class="hint" data-testid="parallel-hint">
        {rows.length < data.total
          ? `Showing ${fmtNum(rows.length)} of ${fmtNum(data.total)} completed trials: the best ${fmtNum(data.best)} and ${fmtNum(
              rows.length - data.best,
            )} others spread evenly over the run`
          : `${fmtNum(rows.length)} completed trials`}
        {defRow(defaultTrial) ? '; dashed dark line: the default configuration' : ''}. Drag along an axis to select a range.
        {positive && (
          <label class="inline-check">
            {' '}
            <input type="checkbox" checked={useLog} onChange={(e) => setLogObj(e.currentTarget.checked)} data-testid="parallel-log" /> log scale for{' '}
            {objectiveName(study)}
            {useLog && logObj === null ? ' (chosen: it spans more than two decades)' : ''}
          </label>
        )}
      </p>
    </>
  );
}

function defRow(t) {
  return t && isScored(t);
}

// Re-rendered only when its props change, not on every render of the page.
export const ParallelCoords = memo(ParallelCoordsImpl);
