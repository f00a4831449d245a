// Parallel coordinates: one axis per parameter plus the objective, one line
// per completed trial coloured by its objective; the default configuration is
// drawn as a thick dark line. Drag along an axis to select a range.
import { useMemo } from 'preact/hooks';
import { fmtNum } from '../format.js';
import { goalOf, isScored, objectiveName } from '../trials.js';
import { EChart } from './EChart.jsx';
import { Empty } from './States.jsx';

function axisFor(p, i, width) {
  const base = {
    dim: i,
    name: p.name,
    nameTextStyle: { width, overflow: 'truncate', fontSize: 11 },
    axisLabel: { fontSize: 10 },
  };
  if (p.type === 'categorical') return { ...base, type: 'category', data: (p.choices || []).map(String) };
  if (p.type === 'ordinal') return { ...base, type: 'category', data: (p.values || []).map(String) };
  return {
    ...base,
    type: p.log ? 'log' : 'value',
    min: p.low,
    max: p.high,
    axisLabel: { fontSize: 10, formatter: (v) => fmtNum(v) },
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

export function parallelData(study, trials) {
  const params = study.parameters || [];
  const rows = [];
  for (const t of trials) {
    if (!isScored(t)) continue;
    const r = rowFor(params, t);
    if (r) rows.push(r);
  }
  return rows;
}

export function ParallelCoords({ study, trials, version, defaultTrial }) {
  const rows = useMemo(() => parallelData(study, trials), [study, version]);
  const option = useMemo(() => {
    const params = study.parameters || [];
    const width = Math.max(40, Math.floor(1000 / (params.length + 1)) - 8);
    let lo = Infinity;
    let hi = -Infinity;
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
      parallel: { left: 48, right: 150, top: 48, bottom: 28, parallelAxisDefault: { nameGap: 14 } },
      parallelAxis: [
        ...params.map((p, i) => axisFor(p, i, width)),
        {
          dim: params.length,
          name: objectiveName(study),
          type: 'value',
          scale: true,
          nameTextStyle: { fontWeight: 'bold', width, overflow: 'truncate' },
          axisLabel: { formatter: (v) => fmtNum(v), fontSize: 10 },
        },
      ],
      visualMap: {
        type: 'continuous',
        seriesIndex: 0,
        dimension: params.length,
        min: Number.isFinite(lo) ? lo : 0,
        max: Number.isFinite(hi) && hi > lo ? hi : lo + 1,
        calculable: true,
        right: 8,
        top: 'middle',
        itemHeight: 160,
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
  }, [rows, defaultTrial]);

  if ((study.parameters || []).length === 0) return <Empty>This study has no parameters to plot.</Empty>;
  if (rows.length === 0) return <Empty testid="parallel-empty">No completed trials yet.</Empty>;
  return (
    <>
      <EChart option={option} testid="parallel-chart" height={340} />
      <p class="hint">
        {fmtNum(rows.length)} completed trials{defRow(defaultTrial) ? '; dashed dark line: the default configuration' : ''}. Drag
        along an axis to select a range.
      </p>
    </>
  );
}

function defRow(t) {
  return t && isScored(t);
}
