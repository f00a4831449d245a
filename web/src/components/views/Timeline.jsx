// Timeline: one bar per trial from its start to its finish, a row per
// worker, coloured by state; active trials run to now, and an active trial
// whose lease has run out (its worker went quiet) is hatched red as stuck;
// expired trials (amber) run to the end of their lease.
// At most TIMELINE_MAX bars (the latest trials), as the caption says.
import { useMemo } from 'preact/hooks';
import { fmtNum } from '../../format.js';
import { useNow } from '../../hooks.js';
import { timelineData } from '../../views.js';
import { echarts } from '../../charts.js';
import { EChart } from '../EChart.jsx';
import { Empty } from '../States.jsx';

export const TIMELINE_MAX = 3000;
export const STATE_COLORS = { completed: '#16a34a', active: '#2563eb', failed: '#dc2626', infeasible: '#a855f7', expired: '#f59e0b' };

function renderBar(params, api) {
  const row = api.value(0);
  const a = api.coord([api.value(1), row]);
  const b = api.coord([api.value(2), row]);
  const h = Math.max(4, api.size([0, 1])[1] * 0.6);
  const rect = echarts.graphic.clipRectByRect(
    { x: a[0], y: a[1] - h / 2, width: Math.max(2, b[0] - a[0]), height: h },
    { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height },
  );
  if (!rect) return null;
  const stuck = api.value(6);
  return {
    type: 'rect',
    shape: rect,
    style: { fill: stuck ? '#fecaca' : STATE_COLORS[api.value(3)] || '#6b7280', stroke: stuck ? '#b91c1c' : null, lineWidth: stuck ? 2 : 0, lineDash: stuck ? [4, 2] : null },
  };
}

export function Timeline({ study, trials, version, onOpenTrial }) {
  const now = useNow(5000);
  const data = useMemo(() => timelineData(trials, Date.now(), TIMELINE_MAX, study.lease_seconds), [version, Math.floor(now / 30000)]);
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 120, right: 24, top: 28, bottom: 56 },
      legend: {
        top: 0,
        icon: 'rect',
        data: Object.keys(STATE_COLORS).map((s) => ({ name: s, itemStyle: { color: STATE_COLORS[s] } })),
        selectedMode: false,
      },
      tooltip: {
        formatter: (p) => {
          const v = p.value;
          const secs = (v[2] - v[1]) / 1000;
          return `Trial #${v[4]} · ${v[7]}<br>${v[6] ? '<b>stuck</b>: active, lease ran out' : v[3]}<br>${new Date(v[1]).toLocaleString()} → ${
            v[3] === 'active' ? 'now' : new Date(v[2]).toLocaleString()
          }<br>${fmtNum(Math.round(secs * 10) / 10)} s`;
        },
      },
      dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter', zoomOnMouseWheel: 'ctrl', moveOnMouseWheel: false }, { type: 'slider', xAxisIndex: 0, height: 16, bottom: 8, filterMode: 'weakFilter' }],
      xAxis: { type: 'time', axisLabel: { hideOverlap: true } },
      yAxis: { type: 'category', data: data.workers, axisLabel: { width: 110, overflow: 'truncate', fontSize: 11 } },
      series: [
        { type: 'custom', name: 'trials', renderItem: renderBar, encode: { x: [1, 2], y: 0 }, data: data.bars, progressive: 0 },
        // Legend entries only.
        ...Object.keys(STATE_COLORS).map((s) => ({ name: s, type: 'line', data: [], itemStyle: { color: STATE_COLORS[s] } })),
      ],
    }),
    [data],
  );
  if (!data.bars.length) return <Empty testid="timeline-empty">No trials yet.</Empty>;
  return (
    <div class="view" data-testid="view-timeline">
      <p class="caption" data-testid="timeline-caption">
        Trials by worker over time, from creation to finish, coloured by state{data.bars.length < data.total ? ` — the latest ${fmtNum(data.bars.length)} of ${fmtNum(data.total)} trials` : ` (${fmtNum(data.total)} trials)`}.
        Active trials run to now;{' '}
        {data.stuck ? (
          <strong data-testid="timeline-stuck">{fmtNum(data.stuck)} stuck (still active after their lease ran out, hatched red)</strong>
        ) : (
          'none is stuck (an active trial past its lease would show hatched red)'
        )}
        ;{' '}
        {data.expired ? (
          <strong data-testid="timeline-expired">{fmtNum(data.expired)} expired (amber, drawn to the end of their lease: no result came)</strong>
        ) : (
          'none expired'
        )}
        .{' '}
        Ctrl + wheel or the slider zooms in time.
      </p>
      <EChart option={option} testid="timeline-chart" height={Math.max(200, Math.min(520, 90 + data.workers.length * 26))} onClick={(p) => p.value && p.value[5] && onOpenTrial(p.value[5])} />
    </div>
  );
}
