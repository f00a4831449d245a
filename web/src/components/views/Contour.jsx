// Contour: the objective over any two parameters (chosen from menus), as a
// grid of bins coloured by the best objective of the trials in each (a
// contour of the data, not of a model), with the trials in the grid as
// points. Binning keeps 10,000 trials as cheap as 100.
import { useMemo, useState } from 'preact/hooks';
import { fmtNum } from '../../format.js';
import { contourGrid, distinctLabels } from '../../views.js';
import { EChart } from '../EChart.jsx';
import { Empty } from '../States.jsx';

const BINS = 24;

export function Contour({ study, trials, version, objective }) {
  const params = study.parameters || [];
  const [xName, setX] = useState(params[0] ? params[0].name : '');
  const [yName, setY] = useState(params[1] ? params[1].name : '');
  const px = params.find((p) => p.name === xName) || params[0];
  const py = params.find((p) => p.name === yName) || params[1];
  const grid = useMemo(() => (px && py && px !== py ? contourGrid(trials, px, py, objective.name, objective.goal, BINS) : null), [version, px, py, objective]);
  const option = useMemo(() => {
    if (!grid || grid.cells.length === 0) return null;
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of grid.cells) {
      lo = Math.min(lo, c[2]);
      hi = Math.max(hi, c[2]);
    }
    const good = objective.goal === 'maximize';
    const colors = ['#f7fbff', '#9ecae1', '#4292c6', '#08306b'];
    return {
      animation: false,
      grid: { left: 90, right: 110, top: 34, bottom: 64 },
      tooltip: {
        formatter: (p) =>
          `${px.name} ≈ ${grid.bx.labels[p.value[0]]}<br>${py.name} ≈ ${grid.by.labels[p.value[1]]}<br>best ${objective.name}: <b>${fmtNum(p.value[2])}</b><br>${fmtNum(p.value[3])} trial(s)`,
      },
      xAxis: { type: 'category', data: grid.bx.labels, name: px.name + (px.log ? ' (log)' : ''), nameLocation: 'middle', nameGap: 40, splitArea: { show: false }, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'category', data: grid.by.labels, name: py.name + (py.log ? ' (log)' : ''), nameLocation: 'end', axisLabel: { hideOverlap: true } },
      visualMap: {
        dimension: 2, // the best objective (3 is the count)
        min: lo,
        max: hi > lo ? hi : lo + 1,
        calculable: true,
        right: 8,
        top: 'middle',
        itemHeight: 180,
        precision: 3,
        text: [good ? 'better' : 'worse', good ? 'worse' : 'better'],
        inRange: { color: good ? colors : [...colors].reverse() },
        formatter: (v) => fmtNum(v),
      },
      series: [{ name: 'best objective', type: 'heatmap', data: grid.cells, progressive: 0, emphasis: { itemStyle: { borderColor: '#111', borderWidth: 1 } } }],
    };
  }, [grid]);

  if (params.length < 2) return <Empty testid="contour-empty">The contour needs two parameters; this study has {params.length}.</Empty>;
  const labels = distinctLabels(params.map((p) => p.name), 40);
  const menu = (value, set, testid) => (
    <select value={value} onChange={(e) => set(e.currentTarget.value)} data-testid={testid}>
      {params.map((p) => (
        <option key={p.name} value={p.name}>
          {labels.get(p.name)}
        </option>
      ))}
    </select>
  );
  return (
    <div class="view" data-testid="view-contour">
      <p class="caption" data-testid="contour-caption">
        Best {objective.name} over {menu(xName, setX, 'contour-x')} and {menu(yName, setY, 'contour-y')}: each cell is the best {objective.name} among the
        completed trials that fall in it ({BINS} bins per numeric parameter{px && px.log ? '' : ''}, one per choice; log parameters binned in log
        space){grid ? `, ${fmtNum(grid.used)} trials in ${fmtNum(grid.cells.length)} cells` : ''}. Empty cells had no trial.
      </p>
      {px === py ? (
        <Empty>Pick two different parameters.</Empty>
      ) : option ? (
        <EChart option={option} testid="contour-chart" height={420} />
      ) : (
        <Empty testid="contour-empty">No completed trial has both parameters yet.</Empty>
      )}
    </div>
  );
}
