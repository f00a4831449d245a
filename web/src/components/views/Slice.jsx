// Slice: the objective against each parameter, one small plot per parameter,
// one point per completed trial (at most SLICE_MAX of them, spread evenly
// over the run, as the caption says).
import { useMemo } from 'preact/hooks';
import { fmtNum } from '../../format.js';
import { distinctLabels, sliceData } from '../../views.js';
import { EChart } from '../EChart.jsx';
import { Empty } from '../States.jsx';

export const SLICE_MAX = 3000;
const COLS = 3;

export function Slice({ study, trials, version, objective, onOpenTrial }) {
  const data = useMemo(() => sliceData(study, trials, objective.name, SLICE_MAX), [version, study, objective]);
  const n = data.params.length;
  const rows = Math.ceil(n / COLS);
  const cellH = 220;
  const option = useMemo(() => {
    if (!n || !data.total) return null;
    const labels = distinctLabels(data.params.map((d) => d.param.name), 30);
    const grids = [];
    const xAxis = [];
    const yAxis = [];
    const series = [];
    const titles = [];
    data.params.forEach((d, i) => {
      const r = Math.floor(i / COLS);
      const c = i % COLS;
      const left = `${4 + c * (100 / COLS)}%`;
      grids.push({ left, width: `${100 / COLS - 8}%`, top: r * cellH + 34, height: cellH - 80 });
      titles.push({ text: labels.get(d.param.name), left: `${c * (100 / COLS) + 50 / COLS}%`, top: r * cellH + 8, textAlign: 'center', textStyle: { fontSize: 12, fontWeight: 600 } });
      const p = d.param;
      const cat = p.type === 'categorical' || p.type === 'ordinal';
      xAxis.push(
        cat
          ? { gridIndex: i, type: 'category', data: ((p.type === 'ordinal' ? p.values : p.choices) || []).map(String), axisLabel: { fontSize: 11, hideOverlap: true } }
          : { gridIndex: i, type: p.log ? 'log' : 'value', min: p.low, max: p.high, axisLine: { onZero: false }, axisLabel: { fontSize: 11, hideOverlap: true, formatter: (v) => fmtNum(v) } },
      );
      yAxis.push({ gridIndex: i, type: 'value', scale: true, axisLine: { onZero: false }, axisLabel: { fontSize: 11, formatter: (v) => fmtNum(v) } });
      series.push({
        name: p.name,
        type: 'scatter',
        xAxisIndex: i,
        yAxisIndex: i,
        data: d.points,
        symbolSize: data.shown > 1000 ? 3 : 6,
        large: data.shown > 1000,
        progressive: 0,
        itemStyle: { color: '#3b82f6', opacity: data.shown > 1000 ? 0.4 : 0.75 },
      });
    });
    return {
      animation: false,
      title: titles,
      grid: grids,
      xAxis,
      yAxis,
      series,
      tooltip: { trigger: 'item', formatter: (p) => `Trial #${p.value[3]}<br>${p.seriesName}: ${fmtNum(p.value[0])}<br>${objective.name}: <b>${fmtNum(p.value[1])}</b>` },
    };
  }, [data]);

  if (!n) return <Empty>This study has no parameters.</Empty>;
  if (!data.total) return <Empty testid="slice-empty">No completed trials yet.</Empty>;
  return (
    <div class="view" data-testid="view-slice">
      <p class="caption" data-testid="slice-caption">
        {objective.name} against each parameter, one point per completed trial
        {data.shown < data.total ? ` — ${fmtNum(data.shown)} of ${fmtNum(data.total)} trials, spread evenly over the run, so the page stays responsive` : ` (${fmtNum(data.total)})`}.
        Click a point for its trial.
      </p>
      <EChart option={option} testid="slice-chart" height={rows * cellH + 10} onClick={(p) => p.value && p.value[2] && onOpenTrial(p.value[2])} />
    </div>
  );
}
