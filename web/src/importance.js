// Parameter importance computed in the browser, used while the service has no
// model-based importance (GET /v1/studies/{id}/importance answers 404).
// Method: Spearman's rank correlation between each numeric parameter and the
// objective over the completed trials; for a categorical parameter, whose
// choices have no order, the correlation ratio eta of the objective's ranks
// grouped by choice. Both lie in [0, 1] in absolute value; 1 means the
// parameter alone orders (or separates) the objective.

export const CLIENT_METHOD = 'rank correlation with objective (Spearman |ρ|; categorical: correlation ratio η)';

/* Ranks 1..n with ties given their average rank. */
export function ranks(values) {
  const idx = values.map((v, i) => i).sort((a, b) => values[a] - values[b]);
  const r = new Array(values.length);
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && values[idx[j + 1]] === values[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

function pearson(x, y) {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return 0;
  return sxy / Math.sqrt(sxx * syy);
}

export function spearman(x, y) {
  return pearson(ranks(x), ranks(y));
}

/* Correlation ratio: sqrt(between-group / total sum of squares) of y by group. */
export function correlationRatio(groups, y) {
  const n = y.length;
  let mean = 0;
  for (const v of y) mean += v;
  mean /= n;
  const sums = new Map();
  for (let i = 0; i < n; i++) {
    const g = sums.get(groups[i]) || { s: 0, c: 0 };
    g.s += y[i];
    g.c += 1;
    sums.set(groups[i], g);
  }
  let between = 0;
  for (const g of sums.values()) between += g.c * (g.s / g.c - mean) ** 2;
  let total = 0;
  for (const v of y) total += (v - mean) ** 2;
  if (total === 0) return 0;
  return Math.sqrt(between / total);
}

function numericValue(p, v) {
  if (p.type === 'ordinal' && Array.isArray(p.values)) {
    const i = p.values.findIndex((x) => x === v || String(x) === String(v));
    return i >= 0 ? i : null;
  }
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/*
 * parameters: the study's parameter list; trials: completed trials with a
 * numeric objective. Returns [{name, value, signed}] sorted by value, value in
 * [0, 1]; signed is rho (with its sign) for numeric parameters, null otherwise.
 */
export function computeImportance(parameters, trials) {
  const out = [];
  for (const p of parameters || []) {
    const xs = [];
    const ys = [];
    for (const t of trials) {
      const raw = t.params ? t.params[p.name] : undefined;
      if (raw === undefined || raw === null) continue;
      if (p.type === 'categorical') {
        xs.push(String(raw));
      } else {
        const v = numericValue(p, raw);
        if (v === null) continue;
        xs.push(v);
      }
      ys.push(t.objective);
    }
    if (xs.length < 3) {
      out.push({ name: p.name, value: null, signed: null, n: xs.length });
      continue;
    }
    if (p.type === 'categorical') {
      out.push({ name: p.name, value: correlationRatio(xs, ranks(ys)), signed: null, n: xs.length });
    } else {
      const rho = spearman(xs, ys);
      out.push({ name: p.name, value: Math.abs(rho), signed: rho, n: xs.length });
    }
  }
  out.sort((a, b) => (b.value ?? -1) - (a.value ?? -1));
  return out;
}
