// Browser tests of the dashboard's views (issue #15): contour, slice, EDF,
// timeline (with stuck trials), CSV download of the filtered table, the
// duration column, trial URLs by number, the drawer's metrics by relevance,
// automatic log scales, distinct parameter labels, notes, deleting a study,
// the learned structure at 40 nodes (layers, threshold, highlight, short
// labels, grouped parameters), the knowledge editing round trip, and a
// 10,000-trial study imported in bulk. A real `bograph serve` (fresh SQLite
// file) seeded over its REST API, Debian's chromium through playwright-core.
// Screenshots of every view: ${BOGRAPH_ARTIFACTS}/views-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fmtDuration, fmtNum } from '../../web/src/format.js';
import { durationSeconds, hypervolume2 } from '../../web/src/views.js';
import { CONFIG, SPACE, Service, checkPrerequisites, launchBrowser, mulberry32, randomParams } from './lib.mjs';

const BIG = 10000;

function evaluate(p) {
  const get = 8 + 40 / Math.log2(p.block_size) + (p.compression === 'zstd' ? 3 : p.compression === 'snappy' ? 1 : 0);
  const compaction = 2000 - 60 * Math.log2(p.write_buffer_size / 1048576) + (p.compression === 'none' ? 400 : 0);
  const throughput = 60000 + 1500 * p.x - 120 * p.x * p.x - 800 * get - 5 * compaction;
  return { throughput: Math.round(throughput * 100) / 100, get_p95_micros: get, compaction_micros: compaction };
}

const svc = new Service('views');
let playwright;
let browser;
let page;
const S = {}; // seeded studies by name
const pageErrors = [];

async function shot(p, name, opts = {}) {
  const file = path.join(CONFIG.artifacts, `views-${name}.png`);
  if (opts.locator) await p.locator(opts.locator).screenshot({ path: file });
  else await p.screenshot({ path: file, fullPage: opts.fullPage ?? false });
}

async function importBulk(studyId, trials) {
  for (let i = 0; i < trials.length; i += 1000) {
    await svc.api('POST', `/v1/studies/${studyId}/trials`, { trials: trials.slice(i, i + 1000) }, { expect: 201 });
  }
}

async function openStudy(id, sel = '[data-testid="trials-table"] tbody tr[data-trial-id]') {
  await page.goto(`${svc.base}/#/studies/${id}`);
  await page.waitForSelector(sel, { timeout: 60000 });
}

async function openTab(name) {
  await page.click(`[data-testid="view-tab-${name}"]`);
  await page.waitForSelector(`[data-testid="view-${name}"]`);
  await page.locator('#views').scrollIntoViewIfNeeded();
}

/* Waits until the chart's option satisfies fn (setOption is lazy: a frame). */
async function chartUntil(testid, fn) {
  await page.waitForFunction(([id, src]) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    return el && el.__chart && new Function('o', `return (${src})(o)`)(el.__chart.getOption());
  }, [testid, fn.toString()]);
  return chartOption(testid);
}

async function chartOption(testid) {
  return page.$eval(`[data-testid="${testid}"]`, (el) => {
    const o = el.__chart.getOption();
    return {
      series: o.series.map((s) => ({ name: s.name, type: s.type, n: (s.data || []).length, data: (s.data || []).length <= 20000 ? s.data : null })),
      xAxis: o.xAxis,
      yAxis: o.yAxis,
      parallelAxis: o.parallelAxis,
    };
  });
}

/* The page answers: a round trip through its event loop within 5 s. */
async function answers() {
  const r = await Promise.race([page.evaluate(() => new Promise((res) => setTimeout(() => res('ok'), 0))), new Promise((res) => setTimeout(() => res('frozen'), 5000))]);
  assert.equal(r, 'ok', 'the page answers');
}

/* ---- seeding ---- */

async function seedSmall() {
  const study = await svc.api('POST', '/v1/studies', {
    name: 'rocksdb-sim',
    parameters: SPACE,
    objective: { name: 'throughput', goal: 'maximize' },
    default: { x: 0, write_buffer_size: 67108864, compression: 'snappy', block_size: 4096 },
    algorithm: 'bograph',
    knowledge: { edges: [['block_size', 'get_p95_micros']] },
    seed: 7,
  }, { expect: 201 });
  let done = 0;
  while (done < 24) {
    const r = await svc.api('POST', `/v1/studies/${study.id}/suggest`, { count: 4, worker: `host-${done % 3}` });
    for (const t of r.trials) {
      const i = done++;
      if (i % 11 === 5) await svc.api('POST', `/v1/studies/${study.id}/trials/${t.id}/fail`, { reason: 'crashed', infeasible: false });
      else await svc.api('POST', `/v1/studies/${study.id}/trials/${t.id}/complete`, { metrics: evaluate(t.params) });
    }
  }
  S.small = { study };
}

/* Objective spanning four decades, two long parameter names that share
   their start, a long objective name, metrics of known relevance. */
async function seedOutlier() {
  const params = [
    { name: 'max_background_compactions', type: 'int', low: 1, high: 64 },
    { name: 'max_background_flushes', type: 'int', low: 1, high: 64 },
    { name: 'level0_file_num_compaction_trigger', type: 'float', low: 0, high: 1 },
  ];
  const obj = 'rocksdb.db.get.micros.p99.total_time_in_microseconds';
  const study = await svc.api('POST', '/v1/studies', { name: 'outlier', parameters: params, objective: { name: obj, goal: 'minimize' }, algorithm: 'random' }, { expect: 201 });
  const rnd = mulberry32(3);
  const trials = [];
  for (let i = 0; i < 40; i++) {
    const p = { max_background_compactions: 1 + Math.floor(rnd() * 64), max_background_flushes: 1 + Math.floor(rnd() * 64), level0_file_num_compaction_trigger: rnd() };
    const y = i === 17 ? 50000 : 2 + 10 * p.level0_file_num_compaction_trigger + rnd();
    const metrics = { [obj]: y, strong_metric: 3 * y + 1, weak_metric: rnd(), all_zero_metric: 0 };
    for (let k = 0; k < 10; k++) metrics[`noise_${k}`] = rnd();
    trials.push({ params: p, metrics });
  }
  await importBulk(study.id, trials);
  S.outlier = { study, obj };
}

/* 8 parameters and 30 metrics with long names sharing a prefix: a graph of
   about 40 nodes. Two parameters act on the objective only directly. */
async function seedWide() {
  const params = Array.from({ length: 8 }, (_, i) => ({ name: `p${i}`, type: 'float', low: 0, high: 1 }));
  // The model keeps the 10 most relevant metrics and every metric the
  // knowledge names: required edges name them all (and are drawn as expert).
  const metric = (k) => `rocksdb.compaction.stats.level_${k}_write_micros`;
  const knowledge = { edges: Array.from({ length: 30 }, (_, k) => [`p${k % 6}`, metric(k)]) };
  const study = await svc.api('POST', '/v1/studies', { name: 'wide-graph', parameters: params, objective: { name: 'score', goal: 'maximize' }, algorithm: 'random', knowledge }, { expect: 201 });
  const rnd = mulberry32(11);
  const trials = [];
  for (let i = 0; i < 120; i++) {
    const p = Object.fromEntries(params.map((q) => [q.name, rnd()]));
    const m = {};
    for (let k = 0; k < 30; k++) {
      const a = p[`p${k % 6}`];
      const prev = k >= 6 ? m[`rocksdb.compaction.stats.level_${k - 6}_write_micros`] : 0;
      m[`rocksdb.compaction.stats.level_${k}_write_micros`] = 2 * a + 0.5 * prev + 0.05 * rnd();
    }
    let score = 3 * p.p6 - 2 * p.p7;
    for (let k = 0; k < 30; k += 5) score += 0.4 * m[`rocksdb.compaction.stats.level_${k}_write_micros`];
    m.score = score + 0.01 * rnd();
    trials.push({ params: p, metrics: m });
  }
  await importBulk(study.id, trials);
  S.wide = { study };
}

/* Two workers: worker-a reports its trials, worker-b's run out of their
   1 s lease (the service expires them when the study is next looked at). */
async function seedStuck() {
  const study = await svc.api('POST', '/v1/studies', { name: 'stuck-workers', parameters: SPACE.slice(0, 1), objective: { name: 'y', goal: 'minimize' }, algorithm: 'random', lease_seconds: 1 }, { expect: 201 });
  const done = await svc.api('POST', `/v1/studies/${study.id}/suggest`, { count: 2, worker: 'worker-a' });
  for (const t of done.trials) await svc.api('POST', `/v1/studies/${study.id}/trials/${t.id}/complete`, { metrics: { y: t.params.x ** 2 } });
  const left = await svc.api('POST', `/v1/studies/${study.id}/suggest`, { count: 2, worker: 'worker-b' });
  await new Promise((r) => setTimeout(r, 1500));
  S.stuck = { study, lostIds: left.trials.map((t) => String(t.id)) };
}

/* Two objectives that pull against each other, a constraint, 200 trials:
   120 suggested and reported by two workers, 80 imported. */
async function seedPareto() {
  const study = await svc.api('POST', '/v1/studies', {
    name: 'energy-vs-latency',
    parameters: [
      { name: 'freq_ghz', type: 'float', low: 0.5, high: 3.5 },
      { name: 'cores', type: 'int', low: 1, high: 16 },
      { name: 'prefetch', type: 'float', low: 0, high: 1 },
    ],
    objectives: [{ name: 'energy_mj', goal: 'minimize' }, { name: 'latency_ms', goal: 'minimize' }],
    constraints: [{ metric: 'temp_c', op: '<=', value: 90 }],
    algorithm: 'random',
    seed: 5,
  }, { expect: 201 });
  const run = (p) => {
    // prefetch away from 0.3 costs both: most trials are dominated
    const waste = 1 + 4 * (p.prefetch - 0.3) ** 2;
    const latency = (1000 / (p.freq_ghz * Math.sqrt(p.cores))) * waste;
    const energy = (p.freq_ghz * p.freq_ghz * p.cores * 2 + 5) * waste;
    return { energy_mj: Math.round(energy * 1000) / 1000, latency_ms: Math.round(latency * 1000) / 1000, temp_c: 40 + 15 * p.freq_ghz };
  };
  for (let i = 0; i < 12; i++) {
    const r = await svc.api('POST', `/v1/studies/${study.id}/suggest`, { count: 10, worker: `node-${i % 2}` });
    for (const t of r.trials) await svc.api('POST', `/v1/studies/${study.id}/trials/${t.id}/complete`, { metrics: run(t.params) });
  }
  const rnd = mulberry32(9);
  const imported = Array.from({ length: 80 }, () => {
    const params = { freq_ghz: 0.5 + 3 * rnd(), cores: 1 + Math.floor(16 * rnd()), prefetch: rnd() };
    return { params, metrics: run(params) };
  });
  await importBulk(study.id, imported);
  S.pareto = { study };
}

async function seedBig() {
  const study = await svc.api('POST', '/v1/studies', { name: 'imported-10k', parameters: SPACE, objective: { name: 'throughput', goal: 'maximize' }, algorithm: 'random' }, { expect: 201 });
  const rnd = mulberry32(42);
  const bodies = Array.from({ length: BIG }, () => {
    const params = randomParams(rnd);
    return { params, metrics: evaluate(params) };
  });
  const t0 = Date.now();
  await importBulk(study.id, bodies);
  S.big = { study, ms: Date.now() - t0 };
}

let prerequisiteError = null;
try {
  playwright = checkPrerequisites();
} catch (e) {
  prerequisiteError = e;
}

if (prerequisiteError) {
  test('prerequisites of the browser tests', () => {
    throw prerequisiteError;
  });
} else describe('dashboard views in chromium against a real bograph serve', { timeout: 560000 }, () => {
  before(async () => {
    fs.mkdirSync(CONFIG.artifacts, { recursive: true });
    await svc.start();
    await seedSmall();
    await seedOutlier();
    await seedWide();
    await seedStuck();
    await seedPareto();
    await seedBig();
    console.log(`# 10,000 trials imported in bulk (10 requests) in ${S.big.ms} ms`);
    browser = await launchBrowser(playwright);
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    if (browser) await browser.close();
    await svc.stop();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });

  test('contour: best objective per cell over two parameters chosen from menus', async () => {
    const { study } = S.small;
    await openStudy(study.id);
    await openTab('contour');
    await page.waitForSelector('[data-testid="contour-chart"] canvas');
    let o = await chartOption('contour-chart');
    assert.equal(o.series[0].type, 'heatmap');
    const trials = (await svc.allTrials(study.id)).filter((t) => t.state === 'completed');
    // x and write_buffer_size: every completed trial falls in a cell, the
    // cells' best is the best of all trials.
    const cells = o.series[0].data;
    assert.equal(cells.reduce((a, c) => a + c[3], 0), trials.length);
    assert.equal(Math.max(...cells.map((c) => c[2])), Math.max(...trials.map((t) => t.objective)));
    assert.equal(o.xAxis[0].name, 'x');
    await page.selectOption('[data-testid="contour-x"]', 'compression');
    await page.selectOption('[data-testid="contour-y"]', 'block_size');
    o = await chartUntil('contour-chart',
      (opt) => opt.xAxis[0].name === 'compression' && opt.yAxis[0].name === 'block_size');
    assert.deepEqual(o.xAxis[0].data, ['none', 'snappy', 'zstd']);
    assert.deepEqual(o.yAxis[0].data, ['4096', '8192', '16384', '65536']);
    assert.match(await page.locator('[data-testid="contour-caption"]').innerText(), /best throughput among the completed trials/);
    await shot(page, 'contour', { locator: '#views' });
  });

  test('slice: one plot per parameter, a point per completed trial', async () => {
    await openTab('slice');
    await page.waitForSelector('[data-testid="slice-chart"] canvas');
    const o = await chartOption('slice-chart');
    const trials = (await svc.allTrials(S.small.study.id)).filter((t) => t.state === 'completed');
    assert.deepEqual(o.series.map((s) => s.name), SPACE.map((p) => p.name));
    for (const s of o.series) assert.equal(s.n, trials.length);
    await shot(page, 'slice', { locator: '#views' });
  });

  test('EDF: fraction of trials at or below each objective value', async () => {
    await openTab('edf');
    await page.waitForSelector('[data-testid="edf-chart"] canvas');
    const o = await chartOption('edf-chart');
    const trials = (await svc.allTrials(S.small.study.id)).filter((t) => t.state === 'completed');
    const ys = trials.map((t) => t.objective).sort((a, b) => a - b);
    const pts = o.series[0].data;
    assert.equal(pts.length, ys.length);
    assert.deepEqual(pts[0], [ys[0], 1 / ys.length]);
    assert.deepEqual(pts[pts.length - 1], [ys[ys.length - 1], 1]);
    await shot(page, 'edf', { locator: '#views' });
  });

  test('timeline: trials by worker, coloured by state, expired trials shown', async () => {
    const { study, lostIds } = S.stuck;
    await openStudy(study.id);
    await openTab('timeline');
    await page.waitForSelector('[data-testid="timeline-chart"] canvas');
    const o = await chartOption('timeline-chart');
    const bars = o.series[0].data;
    assert.equal(bars.length, 4);
    assert.deepEqual(o.yAxis[0].data, ['worker-a', 'worker-b']);
    const lost = bars.filter((b) => b[5] && lostIds.includes(b[5]));
    assert.equal(lost.length, 2);
    for (const b of lost) {
      // expired (or, between the service's looks, still active past the lease: stuck)
      assert.ok(b[3] === 'expired' || b[6], `trial ${b[5]}: ${b[3]}`);
      assert.equal(o.yAxis[0].data[b[0]], 'worker-b');
      if (b[3] === 'expired') assert.equal(b[2] - b[1], 1000, 'drawn to the end of its 1 s lease');
    }
    assert.match(await page.locator('[data-testid="timeline-caption"]').innerText(), /2 expired|2 stuck/);
    await shot(page, 'timeline', { locator: '#views' });
  });

  test('trials table: duration column, CSV of the filtered rows, URLs by trial number', async () => {
    const { study } = S.small;
    const trials = await svc.allTrials(study.id);
    await openStudy(study.id);
    assert.equal(await page.locator('[data-testid="trials-table"] th[data-col="duration"]').innerText(), 'duration');
    const t0 = trials.find((t) => t.state === 'completed');
    assert.equal(await page.locator(`tr[data-trial-id="${t0.id}"] td[data-col="duration"]`).innerText(), fmtDuration(durationSeconds(t0)));
    await page.selectOption('[data-testid="state-filter"]', 'failed');
    const failed = trials.filter((t) => t.state === 'failed').sort((a, b) => b.number - a.number);
    assert.ok(failed.length > 0);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="trials-csv"]')]);
    const csv = fs.readFileSync(await dl.path(), 'utf8').trim().split('\r\n');
    assert.equal(dl.suggestedFilename(), 'rocksdb-sim-trials-failed.csv');
    assert.equal(csv[0], ['#', 'state', 'throughput', 'model', ...SPACE.map((p) => p.name), 'worker', 'finished', 'duration_s'].join(','));
    assert.deepEqual(csv.slice(1).map((l) => Number(l.split(',')[0])), failed.map((t) => t.number));
    fs.copyFileSync(await dl.path(), path.join(CONFIG.artifacts, 'views-trials-failed.csv'));

    // A study whose trial ids are not its numbers: the URL says the number.
    const { study: o } = S.outlier;
    const ot = await svc.allTrials(o.id);
    const t = ot.find((x) => x.number === 5);
    assert.notEqual(String(t.id), '5');
    await openStudy(o.id);
    await page.selectOption('[data-testid="state-filter"]', 'all');
    await page.goto(`${svc.base}/#/studies/${o.id}/trials/5`);
    await page.waitForSelector('[data-testid="trial-metrics"]');
    assert.equal(await page.locator('[data-testid="trial-detail"] h2').innerText(), 'Trial #5');
    assert.equal(await page.locator('[data-testid="trial-objective"]').innerText(), fmtNum(t.objective));
    await page.click('[data-testid="trial-close"]');
    await page.click(`tr[data-trial-id="${ot.find((x) => x.number === 9).id}"]`);
    await page.waitForSelector('[data-testid="trial-metrics"]');
    assert.ok(page.url().endsWith(`#/studies/${o.id}/trials/9`), page.url());
    await page.click('[data-testid="trial-close"]');
  });

  test('trial drawer: long objective name apart from its value, metrics by relevance, search', async () => {
    const { study, obj } = S.outlier;
    const trials = await svc.allTrials(study.id);
    await page.goto(`${svc.base}/#/studies/${study.id}/trials/3`);
    await page.waitForSelector('[data-testid="trial-metrics"] tr[data-metric]');
    const names = await page.$$eval('[data-testid="trial-metrics"] tr[data-metric]', (r) => r.map((x) => x.getAttribute('data-metric')));
    assert.deepEqual(names.slice(0, 2).sort(), [obj, 'strong_metric'].sort(), `most relevant first: ${names}`);
    assert.equal(names[names.length - 1], 'all_zero_metric', 'a constant metric last');
    // The objective's name and value do not overlap.
    const dt = await page.locator('dl.facts dt.name').boundingBox();
    const dd = await page.locator('[data-testid="trial-objective"]').boundingBox();
    assert.ok(dt.x + dt.width <= dd.x, `name ends (${dt.x + dt.width}) before the value starts (${dd.x})`);
    assert.equal(await page.locator('[data-testid="trial-objective"]').innerText(), fmtNum(trials.find((t) => t.number === 3).objective));
    await page.fill('[data-testid="metric-search"]', 'noise_');
    assert.equal(await page.locator('[data-testid="trial-metrics"] tr[data-metric]').count(), 10);
    await shot(page, 'trial-drawer');
    await page.click('[data-testid="trial-close"]');
  });

  test('automatic log scales, parallel coordinates log option, distinct parameter labels', async () => {
    const { study } = S.outlier;
    await openStudy(study.id);
    await page.waitForSelector('[data-testid="log-auto"]');
    let o = await chartOption('convergence-chart');
    assert.equal(o.yAxis[0].type, 'log', 'the objective spans four decades: log scale');
    assert.equal(await page.locator('[data-testid="log-scale"]').isChecked(), true);
    await page.uncheck('[data-testid="log-scale"]');
    o = await chartUntil('convergence-chart', (x) => x.yAxis[0].type === 'value');
    assert.equal(o.yAxis[0].type, 'value');
    assert.equal(await page.locator('[data-testid="log-auto"]').count(), 0);
    const par = await chartOption('parallel-chart');
    const names = par.parallelAxis.map((a) => a.name);
    assert.equal(new Set(names).size, names.length, `distinct axis names: ${names}`);
    assert.equal(par.parallelAxis[3].type, 'log');
    await page.uncheck('[data-testid="parallel-log"]');
    assert.equal((await chartUntil('parallel-chart', (x) => x.parallelAxis[3].type === 'value')).parallelAxis[3].type, 'value');
    await page.check('[data-testid="parallel-log"]');
    await shot(page, 'log-scales', { fullPage: true });
  });

  test('notes: saved with the study, shown again after a reload', async () => {
    const { study } = S.small;
    await openStudy(study.id);
    const text = 'zstd wins on reads; try larger block_size next.';
    await page.fill('[data-testid="notes-input"]', text);
    await page.click('[data-testid="notes-save"]');
    await page.waitForSelector('[data-testid="notes-saved"]');
    assert.equal((await svc.api('GET', `/v1/studies/${study.id}`)).notes, text);
    await page.reload();
    await page.waitForSelector('[data-testid="notes-input"]');
    assert.equal(await page.locator('[data-testid="notes-input"]').inputValue(), text);
    await shot(page, 'notes', { locator: '#notes' });
  });

  test('studies list: delete a study after a confirmation', async () => {
    const doomed = await svc.api('POST', '/v1/studies', { name: 'to-delete', parameters: SPACE.slice(0, 1), objective: { name: 'y', goal: 'minimize' }, algorithm: 'random' }, { expect: 201 });
    await page.goto(`${svc.base}/#/`);
    const row = page.locator(`tr[data-study-id="${doomed.id}"]`);
    await row.waitFor();
    await row.locator('[data-testid="study-delete"]').click();
    assert.match(await row.locator('[data-testid="study-delete-confirm"]').innerText(), /Delete “to-delete” and its 0 trials\?/);
    await shot(page, 'delete-confirm');
    await row.locator('[data-testid="study-delete-no"]').click();
    await svc.api('GET', `/v1/studies/${doomed.id}`, undefined, { expect: 200 });
    await row.locator('[data-testid="study-delete"]').click();
    await row.locator('[data-testid="study-delete-yes"]').click();
    await row.waitFor({ state: 'detached' });
    await svc.api('GET', `/v1/studies/${doomed.id}`, undefined, { expect: 404 });
  });

  test('structure at 40 nodes: layers, 12 px labels, short metric names, threshold, highlight, grouping', async () => {
    const { study } = S.wide;
    const structure = await svc.api('GET', `/v1/studies/${study.id}/structure`);
    assert.ok(structure.nodes.length >= 38, `about 40 nodes: ${structure.nodes.length}`);
    await openStudy(study.id, '[data-testid="structure-graph"] canvas');
    await page.locator('#structure').scrollIntoViewIfNeeded();
    const g = await page.$eval('[data-testid="structure-graph"]', (el) => {
      const cy = el.__cy;
      return {
        // the size on screen: the style's size times the zoom
        nodes: cy.nodes().map((n) => ({ id: n.id(), kind: n.data('kind'), label: n.data('label'), x: n.position('x'), font: parseFloat(n.style('font-size')) * cy.zoom(), parent: n.data('parent') || null })),
        edges: cy.edges().map((e) => ({ from: e.source().id(), to: e.target().id(), origin: e.data('origin'), w: e.data('weight') })),
      };
    });
    const by = new Map(g.nodes.map((n) => [n.id, n]));
    for (const n of structure.nodes) assert.ok(by.has(n.name), `node ${n.name} drawn`);
    for (const n of g.nodes) if (n.kind !== 'group') assert.ok(n.font >= 10.99, `${n.id}: ${n.font} px on screen`);
    // Layers: every parameter left of every metric, every metric left of the objective.
    const xs = (k) => g.nodes.filter((n) => n.kind === k).map((n) => n.x);
    assert.ok(Math.max(...xs('param')) < Math.min(...xs('metric')), 'parameters left of the metrics');
    assert.ok(Math.max(...xs('metric')) < Math.min(...xs('objective')), 'metrics left of the objective');
    const m = g.nodes.find((n) => n.id === 'rocksdb.compaction.stats.level_12_write_micros');
    assert.equal(m.label, '…level_12_write_micros', 'the shared prefix is dropped');
    // Parameters whose every shown edge goes to the objective are grouped.
    const direct = g.nodes.filter((n) => n.kind === 'param' && g.edges.some((e) => e.from === n.id) && g.edges.filter((e) => e.from === n.id).every((e) => e.to === 'score'));
    if (direct.length >= 2) for (const n of direct) assert.equal(n.parent, '__direct__', `${n.id} grouped`);
    console.log(`# wide graph: ${g.nodes.length} nodes, ${g.edges.length} edges drawn, grouped: ${direct.map((n) => n.id)}`);
    await shot(page, 'structure-40', { locator: '#structure' });

    // Threshold: fewer learned edges, each at least the threshold.
    const learned = structure.edges.filter((e) => e.source !== 'expert');
    const sorted = learned.map((e) => Math.abs(e.weight)).sort((a, b) => b - a);
    const t = sorted[Math.floor(sorted.length / 2)];
    await page.$eval('[data-testid="structure-threshold"]', (el, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, t);
    await page.waitForSelector('[data-testid="structure-hidden"]');
    const shown = await page.$eval('[data-testid="structure-graph"]', (el) => el.__cy.edges('[origin="learned"]').map((e) => Math.abs(e.data('weight'))));
    const thr = await page.$eval('[data-testid="structure-threshold"]', (el) => Number(el.value));
    assert.ok(shown.length < learned.length && shown.length > 0, `${shown.length} of ${learned.length} shown`);
    assert.ok(shown.every((w) => w >= thr));
    assert.equal(shown.length, learned.filter((e) => Math.abs(e.weight) >= thr).length);
    await page.selectOption('[data-testid="structure-show"]', 'expert');
    // The graph is redrawn after the render that follows the menu: wait for it.
    await page.waitForFunction(() => document.querySelector('[data-testid="structure-graph"]').__cy.edges('[origin="learned"]').length === 0);
    await page.selectOption('[data-testid="structure-show"]', 'all');
    await page.waitForFunction((n) => document.querySelector('[data-testid="structure-graph"]').__cy.edges('[origin="learned"]').length === n, shown.length);

    // Hover a metric: its parents and children stay, the rest is dimmed.
    const hover = await page.$eval('[data-testid="structure-graph"]', (el) => {
      const cy = el.__cy;
      const r = el.getBoundingClientRect();
      const inView = (x) => x.renderedPosition().x > 20 && x.renderedPosition().x < r.width - 20;
      const n = cy.nodes('[kind="metric"]').filter((x) => x.degree() >= 2 && inView(x))[0];
      const p = n.renderedPosition();
      return { id: n.id(), x: r.left + p.x, y: r.top + p.y };
    });
    await page.mouse.move(hover.x, hover.y);
    await page.waitForFunction(() => document.querySelector('[data-testid="structure-graph"]').__cy.$('.faded').length > 0);
    const st = await page.$eval('[data-testid="structure-graph"]', (el, id) => {
      const cy = el.__cy;
      const n = cy.getElementById(id);
      const near = n.closedNeighborhood();
      return {
        nearFaded: near.filter('.faded').length,
        farNotFaded: cy.nodes('[kind != "group"]').not(near).filter((x) => !x.hasClass('faded')).length,
      };
    }, hover.id);
    assert.equal(st.nearFaded, 0, 'parents and children not dimmed');
    assert.equal(st.farNotFaded, 0, 'every other node dimmed');
    await shot(page, 'structure-hover', { locator: '#structure' });
    await page.mouse.move(5, 5);
  });

  test('knowledge: edit on the graph, formula checked as typed, error in place, saved, graph updated after a suggestion', async () => {
    const { study } = S.small;
    await openStudy(study.id, '[data-testid="structure-graph"] canvas');
    await page.locator('#structure').scrollIntoViewIfNeeded();
    await page.click('[data-testid="knowledge-edit"]');
    await page.waitForSelector('[data-testid="knowledge-editor"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="structure-graph"]').__cy?.autoungrabify());
    const at = (id) =>
      page.$eval(
        '[data-testid="structure-graph"]',
        (el, nid) => {
          const p = el.__cy.getElementById(nid).renderedPosition();
          const r = el.getBoundingClientRect();
          return { x: r.left + p.x, y: r.top + p.y };
        },
        id,
      );
    // Drag x -> get_p95_micros: require that edge.
    const a = await at('x');
    const b = await at('get_p95_micros');
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await page.mouse.move(b.x, b.y, { steps: 5 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid="knowledge-changes"]');
    assert.match(await page.locator('[data-testid="knowledge-changes"]').innerText(), /require x → get_p95_micros/);
    assert.equal(await page.$eval('[data-testid="structure-graph"]', (el) => el.__cy.edges('[origin="draft"]').length), 1, 'the new edge drawn as unsaved');

    // Click a learned edge: forbid it.
    const learned = await page.$eval('[data-testid="structure-graph"]', (el) => {
      const e = el.__cy.edges('[origin="learned"]')[0];
      const p = e.renderedMidpoint();
      const r = el.getBoundingClientRect();
      return { from: e.source().id(), to: e.target().id(), x: r.left + p.x, y: r.top + p.y };
    });
    await page.mouse.click(learned.x, learned.y);
    await page.waitForSelector('[data-testid="edge-forbid"]');
    await page.click('[data-testid="edge-forbid"]');
    assert.match(await page.locator('[data-testid="knowledge-changes"]').innerText(), new RegExp(`forbid ${learned.from} → ${learned.to}`));

    // The expert edge block_size -> get_p95_micros: remove it, then undo.
    const expert = await page.$eval('[data-testid="structure-graph"]', (el) => {
      const e = el.__cy.edges('[origin="expert"]')[0];
      const p = e.renderedMidpoint();
      const r = el.getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    });
    await page.mouse.click(expert.x, expert.y);
    await page.waitForSelector('[data-testid="edge-remove"]');
    await page.click('[data-testid="edge-remove"]');
    assert.match(await page.locator('[data-testid="knowledge-changes"]').innerText(), /remove required block_size → get_p95_micros/);
    await page.locator('[data-testid="knowledge-changes"] li', { hasText: 'remove required' }).locator('button').click();

    // A formula for the objective, checked against the service as typed.
    const o = await at('throughput');
    await page.mouse.click(o.x, o.y);
    await page.waitForSelector('[data-testid="formula-input"]');
    await page.fill('[data-testid="formula-input"]', 'get_p95_micros * (compaction_micros');
    await page.waitForFunction(() => document.querySelector('[data-testid="formula-check"]').classList.contains('error'));
    const bad = await page.locator('[data-testid="formula-check"]').innerText();
    assert.match(bad, /^✕ /);
    await shot(page, 'knowledge-formula-error', { locator: '#structure' });
    // Used anyway and saved: the service's error shows in place, nothing stored.
    await page.click('[data-testid="formula-set"]');
    await page.click('[data-testid="knowledge-save"]');
    await page.waitForSelector('[data-testid="knowledge-error"]');
    assert.match(await page.locator('[data-testid="knowledge-error"]').innerText(), /knowledge\.models\.throughput/);
    assert.equal(await page.locator('[data-testid="knowledge-changes"] li.bad').count(), 1);
    assert.deepEqual((await svc.api('GET', `/v1/studies/${study.id}`)).knowledge.models, {});
    await shot(page, 'knowledge-save-error', { locator: '#structure' });

    await page.fill('[data-testid="formula-input"]', 'get_p95_micros * compaction_micros');
    await page.waitForFunction(() => document.querySelector('[data-testid="formula-check"]').classList.contains('ok'));
    await page.click('[data-testid="formula-set"]');
    await shot(page, 'knowledge-editing', { locator: '#structure' });
    await page.click('[data-testid="knowledge-save"]');
    await page.waitForSelector('[data-testid="knowledge-saved"]');
    const k = (await svc.api('GET', `/v1/studies/${study.id}`)).knowledge;
    assert.deepEqual(k.models, { throughput: 'get_p95_micros * compaction_micros' });
    assert.ok(k.edges.some((e) => e[0] === 'x' && e[1] === 'get_p95_micros'));
    assert.ok(k.edges.some((e) => e[0] === 'block_size'));
    assert.ok(k.forbidden.some((e) => e[0] === learned.from && e[1] === learned.to));

    // The next suggestion: the graph on the page has the new expert edge and
    // not the forbidden one.
    const r = await svc.api('POST', `/v1/studies/${study.id}/suggest`, { count: 1, worker: 'after-edit' });
    await svc.api('POST', `/v1/studies/${study.id}/trials/${r.trials[0].id}/complete`, { metrics: evaluate(r.trials[0].params) });
    await page.waitForFunction(
      () => {
        const cy = document.querySelector('[data-testid="structure-graph"]')?.__cy;
        return cy && cy.edges('[origin="expert"]').some((e) => e.source().id() === 'x' && e.target().id() === 'get_p95_micros');
      },
      undefined,
      { timeout: 20000 },
    );
    const edges = await page.$eval('[data-testid="structure-graph"]', (el) => el.__cy.edges().map((e) => `${e.source().id()}>${e.target().id()}`));
    assert.ok(!edges.includes(`${learned.from}>${learned.to}`), 'the forbidden edge is gone');
    await shot(page, 'knowledge-after', { locator: '#structure' });
  });

  test('Pareto front: non-dominated trials highlighted, configuration on hover, hypervolume over trials', async () => {
    const { study } = S.pareto;
    const best = await svc.api('GET', `/v1/studies/${study.id}/best`);
    const trials = await svc.allTrials(study.id);
    assert.ok(Array.isArray(best.pareto) && best.pareto.length >= 3, `a front: ${best.pareto && best.pareto.length}`);
    await openStudy(study.id, '[data-testid="pareto-chart"] canvas');
    assert.equal(await page.locator('[data-testid="pareto-size"]').innerText(), String(best.pareto.length));
    const o = await chartOption('pareto-chart');
    const front = o.series.find((x) => x.name === 'Pareto front').data;
    assert.deepEqual(front.map((p) => p[3]).sort(), best.pareto.map((t) => String(t.id)).sort(), 'the service front, highlighted');
    const ok = trials.filter((t) => t.state === 'completed' && t.metrics.temp_c <= 90);
    assert.equal(o.series.find((x) => x.name === 'dominated').n + front.length, ok.length, 'every feasible trial drawn');
    assert.match(await page.locator('[data-testid="pareto-caption"]').innerText(), new RegExp(`${best.pareto.length} non-dominated trials`));
    // The hypervolume after the last trial is the front's.
    const hv = o.series.find((x) => x.name === 'hypervolume').data;
    const ref = [Math.max(...ok.map((t) => t.objectives.energy_mj)), Math.max(...ok.map((t) => t.objectives.latency_ms))];
    const want = hypervolume2(best.pareto.map((t) => [t.objectives.energy_mj, t.objectives.latency_ms]), ref, ['minimize', 'minimize']);
    assert.ok(Math.abs(hv[hv.length - 1][1] - want) <= 1e-9 * Math.max(1, want), `${hv[hv.length - 1][1]} vs ${want}`);
    assert.ok(hv.every((p, i) => i === 0 || p[1] >= hv[i - 1][1]), 'the hypervolume never falls');
    // Hover a point of the front: its configuration.
    const t = best.pareto[0];
    await page.locator('[data-testid="pareto-chart"]').scrollIntoViewIfNeeded();
    const px = await page.$eval('[data-testid="pareto-chart"]', (el, v) => {
      const r = el.getBoundingClientRect();
      const p = el.__chart.convertToPixel({ gridIndex: 0 }, v);
      return { x: r.left + p[0], y: r.top + p[1] };
    }, [t.objectives.energy_mj, t.objectives.latency_ms]);
    await page.mouse.move(px.x, px.y);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="pareto-chart"] div')].some((d) => /freq_ghz = /.test(d.innerText || '')));
    const tip = await page.$$eval('[data-testid="pareto-chart"] div', (ds) => ds.map((d) => d.innerText || '').find((x) => /freq_ghz = /.test(x)));
    assert.match(tip, /cores = /);
    assert.match(tip, /energy_mj: /);
    await shot(page, 'pareto', { locator: '#views' });
    // The table has a column per objective; the other views take a menu.
    assert.equal(await page.locator('[data-testid="trials-table"] th[data-col="o:energy_mj"]').count(), 1);
    await openTab('edf');
    await page.selectOption('[data-testid="views-objective"]', '1');
    await page.locator('[data-testid="edf-caption"]', { hasText: /distribution of latency_ms/ }).waitFor();
    await shot(page, 'pareto-study', { fullPage: true });
    await page.goto(`${svc.base}/#/`);
    const row = page.locator(`tr[data-study-id="${study.id}"]`);
    await row.waitFor();
    assert.equal(await row.locator('td.best').innerText(), `front of ${best.pareto.length}`);
    assert.match(await row.innerText(), /energy_mj ↓, latency_ms ↓/);
  });

  test('10,000 trials: every view renders and the page keeps answering', async () => {
    const { study } = S.big;
    await openStudy(study.id);
    await answers();
    const views = {
      contour: /10,000 trials in \d+ cells/,
      slice: /3,000 of 10,000 trials, spread evenly/,
      edf: /drawn at 1,000 quantiles/,
      timeline: /the latest 3,000 of 10,000 trials/,
    };
    for (const [v, caption] of Object.entries(views)) {
      const t0 = Date.now();
      await openTab(v);
      await page.waitForSelector(`[data-testid="${v}-chart"] canvas`, { timeout: 30000 });
      await answers();
      console.log(`# 10,000 trials: ${v} drawn and the page answering after ${Date.now() - t0} ms`);
      assert.match(await page.locator(`[data-testid="${v}-caption"]`).innerText(), caption);
      await shot(page, `10k-${v}`, { locator: '#views' });
    }
    await page.click('[data-testid="page-next"]');
    assert.equal(await page.locator('[data-testid="trials-range"]').innerText(), `51–100 of ${fmtNum(BIG)}`);
    await answers();
    await shot(page, '10k-page', { fullPage: true });
  });
});
