// The trials table: every trial held in memory, sorted and filtered here,
// only the current page rendered (fast with 10,000 trials). The model column
// says which model proposed each trial (model_reason as its tooltip). Click a
// row for the trial's parameters, metrics and raw log. "Download CSV" saves
// the rows as filtered and sorted, every page, with the table's columns.
import { memo } from 'preact/compat';
import { useMemo, useState } from 'preact/hooks';
import { fmtDuration, fmtNum, fmtParam, fmtTime } from '../format.js';
import { STATES, countByState, feasible, modelOf, objectiveName } from '../trials.js';
import { durationSeconds, isMultiObjective, objectiveValue, objectivesOf, toCsv } from '../views.js';

const PAGE_SIZES = [25, 50, 100, 200];

function columnsFor(study) {
  const cols = [
    { key: 'number', label: '#', get: (t) => t.number, num: true },
    { key: 'state', label: 'state', get: (t) => t.state },
  ];
  if (isMultiObjective(study)) {
    for (const o of objectivesOf(study)) cols.push({ key: `o:${o.name}`, label: o.name, get: (t) => objectiveValue(t, o.name), num: true, strong: true });
  } else {
    cols.push({ key: 'objective', label: objectiveName(study), get: (t) => t.objective, num: true, strong: true });
  }
  cols.push({ key: 'model', label: 'model', get: modelOf });
  for (const p of study.parameters || []) {
    cols.push({ key: `p:${p.name}`, label: p.name, get: (t) => (t.params ? t.params[p.name] : undefined), param: true });
  }
  cols.push({ key: 'worker', label: 'worker', get: (t) => t.worker });
  cols.push({ key: 'finished_at', label: 'finished', get: (t) => t.finished_at, time: true });
  cols.push({ key: 'duration', label: 'duration', get: (t) => durationSeconds(t), num: true, dur: true });
  return cols;
}

/* Missing values sort last whatever the direction; numbers before strings. */
function compare(a, b) {
  const am = a === undefined || a === null;
  const bm = b === undefined || b === null;
  if (am || bm) return am && bm ? 0 : am ? 1 : -1;
  const an = typeof a === 'number';
  const bn = typeof b === 'number';
  if (an && bn) return a - b;
  if (an !== bn) return an ? -1 : 1;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

function TrialsTableImpl({ study, trials, version, flash, onOpenTrial }) {
  const cols = useMemo(() => columnsFor(study), [study]);
  const hasConstraints = (study.constraints || []).length > 0;
  const [sort, setSort] = useState({ key: 'number', dir: 'desc' });
  const [stateFilter, setStateFilter] = useState('all');
  const [pageSize, setPageSize] = useState(50);
  const [page, setPage] = useState(0);

  const counts = useMemo(() => countByState(trials), [version]);
  const rows = useMemo(() => {
    const col = cols.find((c) => c.key === sort.key) || cols[0];
    const list = stateFilter === 'all' ? trials.slice() : trials.filter((t) => t.state === stateFilter);
    const sign = sort.dir === 'asc' ? 1 : -1;
    list.sort((x, y) => {
      const a = col.get(x);
      const b = col.get(y);
      const am = a === undefined || a === null;
      const bm = b === undefined || b === null;
      if (am || bm) return compare(a, b);
      const c = compare(a, b) * sign;
      return c !== 0 ? c : (x.number - y.number) * sign;
    });
    return list;
  }, [version, sort, stateFilter, cols]);

  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const cur = Math.min(page, pages - 1);
  const shown = rows.slice(cur * pageSize, cur * pageSize + pageSize);

  const clickHeader = (key) => {
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'number' ? 'desc' : 'asc' }));
    setPage(0);
  };

  return (
    <div class="trials" data-testid="trials">
      <div class="toolbar">
        <label>
          State{' '}
          <select
            data-testid="state-filter"
            value={stateFilter}
            onChange={(e) => {
              setStateFilter(e.currentTarget.value);
              setPage(0);
            }}
          >
            <option value="all">all ({fmtNum(trials.length)})</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s} ({fmtNum(counts[s] || 0)})
              </option>
            ))}
          </select>
        </label>
        <label>
          Rows{' '}
          <select
            value={pageSize}
            onChange={(e) => {
              setPageSize(Number(e.currentTarget.value));
              setPage(0);
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <span class="range" data-testid="trials-range">
          {rows.length === 0
            ? 'no trials'
            : `${fmtNum(cur * pageSize + 1)}–${fmtNum(cur * pageSize + shown.length)} of ${fmtNum(rows.length)}`}
        </span>
        <Pager cur={cur} pages={pages} setPage={setPage} />
        <button type="button" disabled={rows.length === 0} onClick={() => downloadCsv(study, cols, rows, stateFilter)} data-testid="trials-csv" title="The rows as filtered and sorted, every page">
          Download CSV
        </button>
      </div>
      <div class="table-wrap">
        <table class="grid trials-table" data-testid="trials-table">
          <thead>
            <tr>
              {cols.map((c) => (
                <th
                  key={c.key}
                  class={`${c.num ? 'num' : ''} sortable ${sort.key === c.key ? `sorted ${sort.dir}` : ''}`}
                  data-col={c.key}
                  aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                  onClick={() => clickHeader(c.key)}
                  title={`Sort by ${c.label}`}
                >
                  {c.label}
                  <span class="arrow">{sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 && (
              <tr>
                <td colSpan={cols.length} class="empty-row">
                  {trials.length === 0 ? 'No trials yet.' : `No ${stateFilter} trials.`}
                </td>
              </tr>
            )}
            {shown.map((t) => (
              <tr
                key={t.id}
                data-trial-id={t.id}
                class={flash && flash.has(String(t.id)) ? 'flash' : ''}
                onClick={() => onOpenTrial(String(t.id))}
                tabIndex={0}
                onKeyDown={(e) => e.key === 'Enter' && onOpenTrial(String(t.id))}
              >
                {cols.map((c) => {
                  const v = c.get(t);
                  if (c.key === 'state')
                    return (
                      <td key={c.key}>
                        <span class={`chip state-${v}`}>{v}</span>
                        {v === 'completed' && hasConstraints && !feasible(study, t) && (
                          <span class="chip violates" title="breaks a constraint of the study">✕ constraint</span>
                        )}
                      </td>
                    );
                  if (c.key === 'model')
                    return (
                      <td key={c.key} data-col="model" title={t.model_reason || undefined} class={t.model_reason ? 'has-reason' : ''}>
                        {fmtParam(v)}
                      </td>
                    );
                  return (
                    <td key={c.key} class={`${c.num ? 'num' : ''} ${c.strong ? 'strong' : ''}`} data-col={c.key}>
                      {c.time ? fmtTime(v) : c.dur ? fmtDuration(v) : c.param ? fmtParam(v) : fmtNum(v)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/* The CSV of the rows (as filtered and sorted), saved by the browser. */
export function trialsCsv(cols, rows) {
  const csvCols = cols.map((c) => ({ label: c.key === 'duration' ? 'duration_s' : c.label, get: c.get }));
  return toCsv(csvCols, rows);
}

function downloadCsv(study, cols, rows, stateFilter) {
  const blob = new Blob([trialsCsv(cols, rows)], { type: 'text/csv' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  const safe = String(study.name || study.id).replace(/[^A-Za-z0-9._-]+/g, '_');
  a.download = `${safe}-trials${stateFilter === 'all' ? '' : `-${stateFilter}`}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

function Pager({ cur, pages, setPage }) {
  return (
    <span class="pager" data-testid="pager">
      <button type="button" disabled={cur === 0} onClick={() => setPage(0)} title="First page">
        «
      </button>
      <button type="button" disabled={cur === 0} onClick={() => setPage(cur - 1)} data-testid="page-prev">
        ‹ Prev
      </button>
      <span class="page-no" data-testid="page-no">
        Page {fmtNum(cur + 1)} of {fmtNum(pages)}
      </span>
      <button type="button" disabled={cur >= pages - 1} onClick={() => setPage(cur + 1)} data-testid="page-next">
        Next ›
      </button>
      <button type="button" disabled={cur >= pages - 1} onClick={() => setPage(pages - 1)} title="Last page" data-testid="page-last">
        »
      </button>
    </span>
  );
}

// Re-rendered only when its props change, not on every render of the page.
export const TrialsTable = memo(TrialsTableImpl);
