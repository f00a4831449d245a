// Unit tests of the dashboard's computations that run without a browser:
// the client-side importance (Spearman's rho, the correlation ratio), the
// improvement over the default, constraint checks, the count of trials per
// model and the trial store's merging of polled changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeImportance, correlationRatio, ranks, spearman } from '../../web/src/importance.js';
import { better, countByModel, feasible, improvement, modelOf, modelSummaryText } from '../../web/src/trials.js';
import { fmtFactor, fmtNum, fmtPct } from '../../web/src/format.js';

const close = (a, b, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test('ranks give tied values their average rank', () => {
  assert.deepEqual(ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  assert.deepEqual(ranks([]), []);
});

test('spearman: monotone is +1 / -1; a textbook example', () => {
  close(spearman([1, 2, 3, 4], [1, 8, 27, 64]), 1);
  close(spearman([1, 2, 3, 4], [9, 4, 1, 0]), -1);
  // x ranks 1..5, y = [2, 1, 4, 3, 5]: 1 - 6*sum(d^2)/(n(n^2-1)) = 1 - 6*4/120 = 0.8
  close(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 0.8);
  assert.equal(spearman([1, 1, 1], [1, 2, 3]), 0, 'a constant parameter has no correlation');
});

test('correlation ratio: 1 when groups separate y, 0 when their means are equal', () => {
  close(correlationRatio(['a', 'a', 'b', 'b'], [1, 1, 5, 5]), 1);
  close(correlationRatio(['a', 'b', 'a', 'b'], [1, 1, 5, 5]), 0);
  // between SS = 2*(1.5-2.5)^2 + 2*(3.5-2.5)^2 = 4; total SS = 5 -> sqrt(0.8)
  close(correlationRatio(['a', 'a', 'b', 'b'], [1, 2, 3, 4]), Math.sqrt(0.8));
});

test('computeImportance ranks parameters, handles ordinal and categorical, skips missing values', () => {
  const params = [
    { name: 'x', type: 'float', low: 0, high: 1 },
    { name: 'noise', type: 'float', low: 0, high: 1 },
    { name: 'bs', type: 'ordinal', values: [4096, 8192, 16384] },
    { name: 'c', type: 'categorical', choices: ['a', 'b'] },
  ];
  const noise = [0.3, 0.9, 0.1, 0.5, 0.7, 0.2, 0.8, 0.4];
  const trials = noise.map((n, i) => ({
    params: { x: i, noise: n, bs: [4096, 8192, 16384][i % 3], c: i < 4 ? 'a' : 'b' },
    objective: -2 * i,
  }));
  trials.push({ params: { noise: 0.5 }, objective: 1 }); // missing x, bs, c
  const imp = computeImportance(params, trials);
  const by = Object.fromEntries(imp.map((i) => [i.name, i]));
  close(by.x.signed, -1);
  close(by.x.value, 1);
  assert.equal(by.x.n, 8);
  assert.equal(by.c.signed, null);
  assert.ok(by.c.value > 0.8, `categorical separates: ${by.c.value}`);
  assert.ok(by.noise.value < 0.5);
  assert.equal(imp[0].name, 'x');
  assert.deepEqual(computeImportance(params, trials.slice(0, 2)).map((i) => i.value), [null, null, null, null]);
});

test('improvement over the default is the factor the CLI prints, > 1 when better', () => {
  close(improvement('maximize', 120, 100), 1.2);
  close(improvement('minimize', 80, 100), 1.25);
  close(improvement('minimize', 120, 100), 100 / 120);
  // the study of issue 14: default 8851.49, best 809.171 -> 10.94x in both
  close(improvement('minimize', 809.171, 8851.49), 8851.49 / 809.171);
  assert.equal(fmtFactor(improvement('minimize', 809.171, 8851.49)), '10.94x');
  close(improvement('maximize', -50, -100), 0.5);
  assert.equal(improvement('maximize', 1, 0), null);
  assert.equal(improvement('maximize', -1, 2), null);
  assert.equal(improvement('maximize', null, 3), null);
  assert.ok(better('minimize', 1, 2) && better('maximize', 2, 1));
});

test('constraints: every one must hold, a missing metric breaks it', () => {
  const study = { constraints: [{ metric: 'mem', op: '<=', value: 8 }, { metric: 'err', op: '<', value: 1 }] };
  assert.equal(feasible(study, { metrics: { mem: 8, err: 0 } }), true);
  assert.equal(feasible(study, { metrics: { mem: 9, err: 0 } }), false);
  assert.equal(feasible(study, { metrics: { mem: 1 } }), false);
  assert.equal(feasible({}, { metrics: {} }), true);
});

test('trials per model: most first, ties by name, latest reason kept, no model counted apart', () => {
  const t = (number, model, model_reason = null) => ({ number, model, model_reason });
  const trials = [
    t(1, 'default'),
    t(2, 'gp', '3 of 5 trials needed with metrics'),
    t(3, 'gp', '2 of 5 trials needed with metrics'),
    t(4, 'bograph', ''),
    t(5, 'bograph'),
    t(6, 'gp'), // a later gp trial with nothing to say keeps the last reason
    t(7, null),
    { number: 8 }, // model absent
    t(9, ''),
    t(10, 'sobol'),
    t(11, 'bograph'),
  ];
  const c = countByModel(trials);
  assert.deepEqual(c.models, [
    { model: 'bograph', count: 3, reason: null },
    { model: 'gp', count: 3, reason: '2 of 5 trials needed with metrics' },
    { model: 'default', count: 1, reason: null },
    { model: 'sobol', count: 1, reason: null },
  ]);
  assert.equal(c.none, 3);
  assert.equal(c.models.reduce((n, e) => n + e.count, 0) + c.none, trials.length, 'every trial counted once');
  assert.equal(modelSummaryText(c), 'suggestions: bograph 3, gp 3, default 1, sobol 1 · added by hand 3');
  assert.equal(modelSummaryText(countByModel([t(1, 'random'), t(2, 'random')])), 'suggestions: random 2');
  assert.equal(modelSummaryText(countByModel([t(1, null)]), fmtNum), 'added by hand 1');
  assert.equal(modelSummaryText(countByModel(Array.from({ length: 1200 }, (_, i) => t(i, 'gp'))), fmtNum), 'suggestions: gp 1,200');
  assert.equal(modelSummaryText(countByModel([])), '');
  assert.equal(modelOf({ model: 'gp' }), 'gp');
  assert.equal(modelOf({ model: '' }), null);
  assert.equal(modelOf({}), null);
});

test('formatting', () => {
  assert.equal(fmtNum(1234567), '1,234,567');
  assert.equal(fmtNum(47987.53), '47,988');
  assert.equal(fmtNum(0.5), '0.5');
  assert.equal(fmtNum(null), '–');
  assert.equal(fmtPct(0.1443), '+14.4%');
  assert.equal(fmtPct(-0.02), '-2.0%');
});

test('trial store: pages from seq 0, then only changes, merged by id; a stuck answer ends the loop', async () => {
  const http = await import('node:http');
  let seq = 0;
  const trials = new Map();
  const put = (id, state) => trials.set(id, { id: String(id), number: id, state, seq: ++seq });
  for (let i = 1; i <= 2500; i++) put(i, 'completed');
  let requests = [];
  let stuck = false;
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    requests.push(u.search);
    const after = Number(u.searchParams.get('after_seq'));
    const limit = Number(u.searchParams.get('limit'));
    let page = [...trials.values()].filter((t) => t.seq > after).sort((a, b) => a.seq - b.seq).slice(0, limit);
    let next = page.length ? page[page.length - 1].seq : after;
    if (stuck) {
      page = [trials.get(1)];
      next = after; // a broken answer: items but no progress
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ trials: page, next_after_seq: next }));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  globalThis.document = { baseURI: `http://127.0.0.1:${server.address().port}/` };
  try {
    const { TrialStore, PAGE_LIMIT } = await import('../../web/src/trials.js');
    const store = new TrialStore('7');
    assert.equal(await store.fetchChanges(), 2500);
    assert.equal(store.size, 2500);
    assert.equal(requests.length, Math.ceil(2500 / PAGE_LIMIT) + 1, 'pages, then one empty answer');
    assert.ok(requests.every((q) => q.includes(`limit=${PAGE_LIMIT}`)));
    assert.deepEqual(store.all().slice(0, 3).map((t) => t.number), [1, 2, 3]);

    requests = [];
    assert.equal(await store.fetchChanges(), 0, 'nothing changed');
    assert.deepEqual(requests, [`?after_seq=${seq}&limit=${PAGE_LIMIT}`]);

    put(7, 'failed');
    put(2501, 'active');
    requests = [];
    const v = store.version;
    assert.equal(await store.fetchChanges(), 2);
    assert.equal(store.size, 2501);
    assert.equal(store.byId.get('7').state, 'failed');
    assert.deepEqual([...store.lastChanged].sort(), ['2501', '7']);
    assert.equal(store.version, v + 1);
    assert.equal(store.all()[2500].number, 2501);
    assert.ok(requests[0].startsWith(`?after_seq=${seq - 2}&`), 'asked only for what changed');

    stuck = true;
    assert.equal(await store.fetchChanges(), 1, 'stops after a page that makes no progress');
  } finally {
    delete globalThis.document;
    server.close();
  }
});

/* ---- the views' computations (web/src/views.js, web/src/graphLayout.js) ---- */

test('labels: a shared prefix is dropped at a component boundary; long names cut in the middle stay distinct', async () => {
  const { distinctLabels, shortenByPrefix } = await import('../../web/src/views.js');
  const names = ['rocksdb.compaction.stats.level_1_micros', 'rocksdb.compaction.stats.level_2_micros', 'rocksdb.compaction.stats.level_3_micros', 'cpu'];
  const s = shortenByPrefix(names);
  assert.equal(s.get(names[0]), '…level_1_micros');
  assert.equal(s.get('cpu'), 'cpu');
  const d = distinctLabels(['max_background_compactions', 'max_background_flushes', 'x'], 18);
  assert.notEqual(d.get('max_background_compactions'), d.get('max_background_flushes'));
  assert.ok([...d.values()].every((l) => l.length <= 18));
  assert.equal(d.get('x'), 'x');
});

test('pareto: non-dominated points, hypervolume of a known front, over trials', async () => {
  const { hypervolume2, hypervolumeOverTrials, paretoIndices } = await import('../../web/src/views.js');
  const pts = [[1, 5], [2, 2], [3, 1], [4, 4], [2, 3]];
  assert.deepEqual(paretoIndices(pts, ['minimize', 'minimize']), [0, 1, 2]);
  assert.deepEqual(paretoIndices(pts, ['maximize', 'maximize']), [0, 3]);
  // front (1,5) (2,2) (3,1) up to (4,5): 1*3 + 1*1 + ... = area by sweep
  close(hypervolume2([[1, 5], [2, 2], [3, 1]], [4, 5], ['minimize', 'minimize']), 3 * 0 + (4 - 2) * (5 - 2) + (4 - 3) * (2 - 1));
  const hv = hypervolumeOverTrials(pts.map((p, i) => [...p, i + 1]), ['minimize', 'minimize']);
  assert.deepEqual(hv.ref, [4, 5]);
  const last = hv.series[hv.series.length - 1];
  assert.equal(last[0], 5);
  close(last[1], 7);
  assert.ok(hv.series.every((p, i) => i === 0 || p[1] >= hv.series[i - 1][1]), 'never decreases');
});

test('edf, log-scale decision, contour grid, timeline with stuck and expired trials, CSV', async () => {
  const { contourGrid, edf, spansDecades, timelineData, toCsv } = await import('../../web/src/views.js');
  assert.deepEqual(edf([3, 1, 2, 2]), [[1, 0.25], [2, 0.5], [2, 0.75], [3, 1]]);
  assert.equal(edf(Array.from({ length: 5000 }, (_, i) => i), 1000).length, 1000);
  assert.equal(spansDecades([1, 50, 101]), true);
  assert.equal(spansDecades([1, 50, 100]), false);
  assert.equal(spansDecades([-1, 1000]), false);
  const px = { name: 'a', type: 'float', low: 0, high: 1 };
  const py = { name: 'c', type: 'categorical', choices: ['u', 'v'] };
  const tr = [
    { state: 'completed', params: { a: 0.01, c: 'u' }, objective: 5 },
    { state: 'completed', params: { a: 0.02, c: 'u' }, objective: 7 },
    { state: 'completed', params: { a: 1, c: 'v' }, objective: 1 },
    { state: 'failed', params: { a: 0.5, c: 'v' }, objective: null },
  ];
  const g = contourGrid(tr, px, py, 'objective', 'maximize', 10);
  assert.deepEqual(g.cells.sort(), [[0, 0, 7, 2], [9, 1, 1, 1]]);
  assert.equal(contourGrid(tr, px, py, 'objective', 'minimize', 10).cells.find((c) => c[0] === 0)[2], 5);
  const now = Date.parse('2026-01-01T00:10:00Z');
  const tl = timelineData(
    [
      { id: 1, number: 1, state: 'completed', worker: 'w1', created_at: '2026-01-01T00:00:00Z', finished_at: '2026-01-01T00:01:00Z' },
      { id: 2, number: 2, state: 'active', worker: 'w2', created_at: '2026-01-01T00:02:00Z', lease_expires_at: '2026-01-01T00:05:00Z' },
      { id: 3, number: 3, state: 'active', worker: 'w2', created_at: '2026-01-01T00:09:00Z', lease_expires_at: '2026-01-01T00:15:00Z' },
      { id: 4, number: 4, state: 'expired', worker: 'w1', created_at: '2026-01-01T00:03:00Z', finished_at: null },
    ],
    now,
    100,
    60,
  );
  assert.deepEqual(tl.workers, ['w1', 'w2']);
  assert.equal(tl.stuck, 1);
  assert.equal(tl.expired, 1);
  const bar = (id) => tl.bars.find((b) => b[5] === String(id));
  assert.equal(bar(2)[6], true, 'active past its lease: stuck');
  assert.equal(bar(3)[6], false);
  assert.equal(bar(3)[2], now, 'an active trial runs to now');
  assert.equal(bar(4)[2] - bar(4)[1], 60000, 'an expired trial runs to the end of its lease');
  assert.equal(toCsv([{ label: 'a', get: (r) => r.a }, { label: 'b,c', get: (r) => r.b }], [{ a: 1.5, b: 'say "hi"' }, { a: null, b: 'x' }]), 'a,"b,c"\r\n1.5,"say ""hi"""\r\n,x\r\n');
});

test('metrics by relevance: a metric that follows the objective first, a constant one 0', async () => {
  const { metricRelevance } = await import('../../web/src/views.js');
  const trials = Array.from({ length: 20 }, (_, i) => ({ state: 'completed', objective: i, metrics: { follows: 2 * i + 1, zero: 0, mixed: (i * 7) % 5 } }));
  const r = metricRelevance(trials, 'y');
  close(r.get('follows'), 1);
  assert.equal(r.get('zero'), 0);
  assert.ok(r.get('mixed') < 1);
});
