// Computations behind the study's views (contour, slice, EDF, timeline,
// Pareto front, CSV, labels), kept apart from the components so they can be
// tested in node. Every one is linear (or n log n) in the trials, so 10,000
// trials cost milliseconds; what is drawn is bounded by the callers (bins,
// samples), and the captions say so.
import { spearman } from './importance.js';
import { isScored } from './trials.js';

/* ---- sampling ---- */

/* At most max indices of 0..n-1, spread evenly, in order. */
export function sampleIndices(n, max) {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out = [];
  const step = n / max;
  for (let k = 0; k < max; k++) out.push(Math.floor(k * step));
  return out;
}

/* ---- several objectives ---- */

/* The study's objectives as [{name, goal}]: `objectives` when the study has
   several, else its one `objective`. */
export function objectivesOf(study) {
  if (study && Array.isArray(study.objectives) && study.objectives.length > 0) {
    return study.objectives.map((o) => ({ name: o.name, goal: o.goal === 'maximize' ? 'maximize' : 'minimize' }));
  }
  const o = study && study.objective;
  return [{ name: (o && o.name) || 'objective', goal: o && o.goal === 'minimize' ? 'minimize' : 'maximize' }];
}

export function isMultiObjective(study) {
  return !!(study && Array.isArray(study.objectives) && study.objectives.length > 1);
}

/* A completed trial's value of objective `name` (its `objectives` map, or
   the single objective, or a metric of that name); null when missing. */
export function objectiveValue(t, name) {
  let v;
  if (t.objectives && typeof t.objectives === 'object') v = t.objectives[name];
  if (v === undefined && typeof t.objective === 'number') v = t.objective;
  if (v === undefined && t.metrics) v = t.metrics[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/* ---- parameter values on an axis ---- */

function isNumericParam(p) {
  return p.type === 'float' || p.type === 'int';
}

/*
 * Bins for a parameter: numeric ones get nb equal bins over [low, high]
 * (in log space for log parameters), categorical and ordinal ones a bin per
 * choice. {count, labels, index(v) -> bin or -1}.
 */
export function paramBins(p, nb = 24) {
  if (!isNumericParam(p)) {
    const vals = (p.type === 'ordinal' ? p.values : p.choices) || [];
    const at = new Map(vals.map((v, i) => [String(v), i]));
    return { count: vals.length, labels: vals.map(String), index: (v) => (at.has(String(v)) ? at.get(String(v)) : -1), centers: null };
  }
  const lg = !!p.log && p.low > 0;
  const f = lg ? Math.log : (x) => x;
  const inv = lg ? Math.exp : (x) => x;
  const lo = f(p.low);
  const hi = f(p.high);
  let n = nb;
  if (p.type === 'int') n = Math.max(1, Math.min(nb, Math.round(p.high - p.low) + 1));
  const w = (hi - lo) / n || 1;
  const centers = Array.from({ length: n }, (_, i) => inv(lo + (i + 0.5) * w));
  return {
    count: n,
    centers,
    labels: centers.map((c) => shortNum(c)),
    index: (v) => {
      if (typeof v !== 'number' || (lg && v <= 0)) return -1;
      const i = Math.floor((f(v) - lo) / w);
      return i < 0 ? (f(v) >= lo - 1e-12 ? 0 : -1) : i >= n ? (f(v) <= hi + 1e-12 * Math.abs(hi || 1) ? n - 1 : -1) : i;
    },
  };
}

function shortNum(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-2)) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/*
 * The contour view's grid: the best objective of the completed trials in each
 * cell of px's bins x py's bins (goal decides best), and how many trials fell
 * in it. cells: [[i, j, best, count], ...] for non-empty cells only.
 */
export function contourGrid(trials, px, py, objective, goal, nb = 24) {
  const bx = paramBins(px, nb);
  const by = paramBins(py, nb);
  const best = new Map();
  let used = 0;
  for (const t of trials) {
    if (t.state !== 'completed' || !t.params) continue;
    const y = objectiveValue(t, objective);
    if (y === null) continue;
    const i = bx.index(t.params[px.name]);
    const j = by.index(t.params[py.name]);
    if (i < 0 || j < 0) continue;
    used++;
    const k = i * by.count + j;
    const c = best.get(k);
    if (!c) best.set(k, [i, j, y, 1]);
    else {
      c[3]++;
      if (goal === 'minimize' ? y < c[2] : y > c[2]) c[2] = y;
    }
  }
  return { bx, by, cells: [...best.values()], used };
}

/* ---- slice: objective against each parameter ---- */

/* Points [value, objective, trial id] per parameter for the completed
   trials, at most max of them (evenly over the run); total says how many. */
export function sliceData(study, trials, objective, max = 3000) {
  const scored = trials.filter((t) => t.state === 'completed' && objectiveValue(t, objective) !== null);
  const pick = sampleIndices(scored.length, max).map((i) => scored[i]);
  const params = (study.parameters || []).map((p) => ({
    param: p,
    points: pick
      .filter((t) => t.params && t.params[p.name] !== undefined && t.params[p.name] !== null)
      .map((t) => [isNumericParam(p) ? t.params[p.name] : String(t.params[p.name]), objectiveValue(t, objective), String(t.id), t.number]),
  }));
  return { params, shown: pick.length, total: scored.length };
}

/* ---- EDF ---- */

/* The empirical distribution function of the values: [[v, fraction <= v]]
   at most maxPoints steps (quantiles when there are more values). */
export function edf(values, maxPoints = 1000) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) return [];
  const idx = n <= maxPoints ? sampleIndices(n, n) : sampleIndices(n, maxPoints - 1);
  if (idx[idx.length - 1] !== n - 1) idx.push(n - 1);
  return idx.map((i) => [v[i], (i + 1) / n]);
}

/* ---- timeline ---- */

function ms(iso) {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/*
 * Bars of the timeline: one per trial, [worker row, start, end, state,
 * trial number, id, stuck, worker]. An active trial runs to now; one whose
 * lease has run out while still active is `stuck` (its worker stopped
 * answering; the service expires it the next time anyone looks at the
 * study). An expired trial has no finish: its bar runs to the end of its
 * lease (leaseSeconds after its start; heartbeats may have made it longer).
 * At most max bars: the latest trials.
 */
export function timelineData(trials, now, max = 3000, leaseSeconds = null) {
  const rows = [];
  const workers = new Map();
  const withStart = trials.filter((t) => ms(t.created_at) !== null);
  const sorted = withStart.length > max ? [...withStart].sort((a, b) => ms(b.created_at) - ms(a.created_at)).slice(0, max) : withStart;
  for (const t of sorted) {
    const w = t.worker || '(no worker)';
    if (!workers.has(w)) workers.set(w, workers.size);
    const start = ms(t.created_at);
    let end = ms(t.finished_at);
    let stuck = false;
    if (t.state === 'active') {
      const lease = ms(t.lease_expires_at);
      stuck = lease !== null && lease < now;
      end = now;
    } else if (end === null) {
      end = ms(t.lease_expires_at) ?? (t.state === 'expired' && leaseSeconds > 0 ? start + leaseSeconds * 1000 : start);
    }
    rows.push([0, start, Math.max(start, end), t.state, t.number, String(t.id), stuck, w]);
  }
  const names = [...workers.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const at = new Map(names.map((n, i) => [n, i]));
  for (const r of rows) r[0] = at.get(r[7]);
  return { bars: rows, workers: names, total: withStart.length, stuck: rows.filter((r) => r[6]).length, expired: rows.filter((r) => r[3] === 'expired').length };
}

/* Duration of a trial in seconds (finished or now for active ones); null
   when unknown. */
export function durationSeconds(t, now = Date.now()) {
  const a = ms(t.created_at);
  if (a === null) return null;
  const b = t.state === 'active' ? now : ms(t.finished_at);
  if (b === null) return null;
  return Math.max(0, (b - a) / 1000);
}

/* ---- Pareto front and hypervolume ---- */

/* a dominates b: no worse in every objective and better in one. */
function dominates(a, b, goals) {
  let strictly = false;
  for (let k = 0; k < goals.length; k++) {
    const d = goals[k] === 'minimize' ? b[k] - a[k] : a[k] - b[k];
    if (d < 0) return false;
    if (d > 0) strictly = true;
  }
  return strictly;
}

/* Indices of the non-dominated points (O(n * front) comparisons). */
export function paretoIndices(points, goals) {
  const front = [];
  for (let i = 0; i < points.length; i++) {
    let dominated = false;
    for (let f = front.length - 1; f >= 0; f--) {
      const j = front[f];
      if (dominates(points[j], points[i], goals)) {
        dominated = true;
        break;
      }
      if (dominates(points[i], points[j], goals)) front.splice(f, 1);
    }
    if (!dominated) front.push(i);
  }
  return front.sort((a, b) => a - b);
}

/* Area dominated by a two-objective front up to the reference point (the
   worst value of each objective), in the objectives' units. */
export function hypervolume2(front, ref, goals) {
  // Turn both into minimisation, then sweep by the first objective.
  const s = goals.map((g) => (g === 'minimize' ? 1 : -1));
  const pts = front
    .map((p) => [s[0] * p[0], s[1] * p[1]])
    .filter((p) => p[0] <= s[0] * ref[0] && p[1] <= s[1] * ref[1])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let hv = 0;
  let lastY = s[1] * ref[1];
  const rx = s[0] * ref[0];
  for (const p of pts) {
    if (p[1] < lastY) {
      hv += (rx - p[0]) * (lastY - p[1]);
      lastY = p[1];
    }
  }
  return hv;
}

/*
 * The hypervolume of the front of the first k trials (by number), for the
 * two objectives given, at every trial that changed it. The reference point
 * is the worst value of each objective over all the points (the nadir), as
 * the caption says. points: [[o1, o2, trial number]] in trial order.
 */
export function hypervolumeOverTrials(points, goals) {
  if (points.length === 0) return { series: [], ref: null };
  const worst = (k) => (goals[k] === 'minimize' ? Math.max(...points.map((p) => p[k])) : Math.min(...points.map((p) => p[k])));
  const ref = [worst(0), worst(1)];
  let front = [];
  const series = [];
  let last = -1;
  for (const p of points) {
    if (front.some((q) => dominates(q, p, goals) || (q[0] === p[0] && q[1] === p[1]))) continue;
    front = front.filter((q) => !dominates(p, q, goals));
    front.push(p);
    const hv = hypervolume2(front, ref, goals);
    if (hv !== last) {
      series.push([p[2], hv]);
      last = hv;
    }
  }
  if (series.length && series[series.length - 1][0] !== points[points.length - 1][2]) series.push([points[points.length - 1][2], last]);
  return { series, ref };
}

/* ---- labels ---- */

/*
 * Short labels for metric names that share a prefix: the longest prefix
 * that at least three names share and that ends at a component boundary
 * (. / :, else _ or -) is dropped and shown as "…", e.g.
 * rocksdb.compaction.stats.level_12_write_micros -> …level_12_write_micros.
 * Names stay distinct. Map name -> label.
 */
export function shortenByPrefix(names, minLen = 16) {
  const out = new Map(names.map((n) => [n, n]));
  for (const seps of ['./:', '_-']) {
    const counts = new Map();
    for (const n of names) {
      for (let i = 0; i < n.length; i++) {
        if (seps.includes(n[i])) {
          const pre = n.slice(0, i + 1);
          counts.set(pre, (counts.get(pre) || 0) + 1);
        }
      }
    }
    for (const n of names) {
      if (n.length < minLen || out.get(n) !== n) continue;
      let best = '';
      for (let i = 0; i < n.length - 1; i++) {
        if (!seps.includes(n[i])) continue;
        const pre = n.slice(0, i + 1);
        if ((counts.get(pre) || 0) >= 3 && pre.length > best.length && n.length - pre.length >= 4) best = pre;
      }
      if (best) out.set(n, `…${n.slice(best.length)}`);
    }
  }
  // Two names that shortened to the same label keep their full names.
  const seen = new Map();
  for (const l of out.values()) seen.set(l, (seen.get(l) || 0) + 1);
  for (const [n, l] of out) if (seen.get(l) > 1) out.set(n, n);
  return out;
}

/*
 * Labels of at most max characters that stay distinct: a name longer than
 * max keeps its start and its end around "…" (max_background_jobs and
 * max_background_flushes -> max_bac…_jobs, max_bac…ushes), where a cut at
 * the end alone would make both "max_background_…".
 */
export function distinctLabels(names, max = 18) {
  const cut = (n, tail) => (n.length <= max ? n : `${n.slice(0, max - 1 - tail)}…${n.slice(n.length - tail)}`);
  const out = new Map();
  for (let tail = Math.min(8, max - 4); ; tail++) {
    out.clear();
    for (const n of names) out.set(n, cut(n, tail));
    if (new Set(out.values()).size === names.length || tail >= max - 2) break;
  }
  if (new Set(out.values()).size !== names.length) for (const n of names) out.set(n, n);
  return out;
}

/* ---- trial metrics by relevance ---- */

/*
 * Relevance of each metric to the objective over the completed trials: |ρ|,
 * Spearman's rank correlation (0 for a constant metric, e.g. all zero).
 * At most maxTrials trials (evenly spread) are used. Map name -> |ρ|.
 */
export function metricRelevance(trials, objective, maxTrials = 2000) {
  const scored = trials.filter((t) => t.state === 'completed' && objectiveValue(t, objective) !== null && t.metrics);
  const pick = sampleIndices(scored.length, maxTrials).map((i) => scored[i]);
  const names = new Set();
  for (const t of pick) for (const k of Object.keys(t.metrics)) names.add(k);
  const rel = new Map();
  if (pick.length < 3) return rel;
  for (const name of names) {
    const xs = [];
    const ys = [];
    for (const t of pick) {
      const x = t.metrics[name];
      if (typeof x !== 'number' || !Number.isFinite(x)) continue;
      xs.push(x);
      ys.push(objectiveValue(t, objective));
    }
    const rho = xs.length >= 3 ? spearman(xs, ys) : 0;
    rel.set(name, Number.isFinite(rho) ? Math.abs(rho) : 0);
  }
  return rel;
}

/* ---- log scale ---- */

/* True when every value is positive and they span more than `decades`
   powers of ten (max / min > 10^decades). */
export function spansDecades(values, decades = 2) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0)) return false;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) && hi / lo > 10 ** decades;
}

/* ---- CSV ---- */

function csvCell(v) {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/* RFC 4180 CSV of rows under the given columns ({label, get}), CRLF lines. */
export function toCsv(columns, rows) {
  const lines = [columns.map((c) => csvCell(c.label)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(c.get(r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export { isScored };
