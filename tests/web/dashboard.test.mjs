// Browser tests of the dashboard: a real `bograph serve` (fresh SQLite file,
// loopback port) seeded over its REST API, Debian's chromium driven by
// playwright-core. Screenshots go to ${BOGRAPH_ARTIFACTS} (the build's
// tests/artifacts). Run by ctest (label "browser") or by hand:
//   BOGRAPH_BIN=build/bograph BOGRAPH_WEB_DIST=build/web/dist node tests/web/dashboard.test.mjs
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fmtFactor, fmtNum } from '../../web/src/format.js';
import { CLIENT_METHOD } from '../../web/src/importance.js';
import { goalOf, improvement } from '../../web/src/trials.js';
import { CONFIG, SPACE, Service, checkPrerequisites, launchBrowser, mulberry32, randomParams } from './lib.mjs';

const DEFAULT = { x: 0, write_buffer_size: 67108864, compression: 'snappy', block_size: 4096 };
const SMALL_TRIALS = 24; // suggested and reported one by one
const BIG_TRIALS = 10000; // imported (warm start)
const PAGE = 50; // the table's default page size

/* A made-up but smooth system: throughput and two intermediate metrics. */
function evaluate(p) {
  const get = 8 + 40 / Math.log2(p.block_size) + (p.compression === 'zstd' ? 3 : p.compression === 'snappy' ? 1 : 0);
  const compaction = 2000 - 60 * Math.log2(p.write_buffer_size / 1048576) + (p.compression === 'none' ? 400 : 0);
  const throughput = 60000 + 1500 * p.x - 120 * p.x * p.x - 800 * get - 5 * compaction;
  return { throughput: Math.round(throughput * 100) / 100, get_p95_micros: get, compaction_micros: compaction };
}

function logFor(t, m) {
  return [
    `# db_bench-like run for trial ${t.number}`,
    `get_p95_micros=${m.get_p95_micros.toFixed(3)} compaction_micros=${m.compaction_micros.toFixed(1)}`,
    `cache_hit_ratio=${(0.8 + 0.01 * (t.number % 10)).toFixed(2)}`,
    `throughput: ${m.throughput} ops/s`,
  ].join('\n');
}

const svc = new Service('main');
let playwright;
let browser;
let page;
const seeded = {}; // name -> {study, trials (as the API lists them), ...}

async function shot(p, name, fullPage = true) {
  await p.screenshot({ path: path.join(CONFIG.artifacts, `browser-${name}.png`), fullPage });
}

async function seedSmallStudy() {
  const study = await svc.api('POST', '/v1/studies', {
    name: 'rocksdb-sim',
    parameters: SPACE,
    objective: { name: 'throughput', goal: 'maximize' },
    default: DEFAULT,
    algorithm: 'bograph',
    knowledge: { edges: [['block_size', 'get_p95_micros']] },
    budget: 60,
    seed: 7,
  }, { expect: 201 });
  const logs = {};
  let done = 0;
  while (done < SMALL_TRIALS) {
    const r = await svc.api('POST', `/v1/studies/${study.id}/suggest`, { count: 4, worker: `host-${done % 3}` });
    assert.ok(r.trials.length > 0, 'suggest returned no trials before the budget was spent');
    for (const t of r.trials) {
      const i = done++;
      if (i % 11 === 5) {
        await svc.api('POST', `/v1/studies/${study.id}/trials/${t.id}/fail`, { reason: 'db_bench crashed (SIGSEGV)', infeasible: false });
      } else if (i % 13 === 7) {
        await svc.api('POST', `/v1/studies/${study.id}/trials/${t.id}/fail`, { reason: 'out of memory', infeasible: true });
      } else {
        const m = evaluate(t.params);
        logs[t.id] = logFor(t, m);
        await svc.api('POST', `/v1/studies/${study.id}/trials/${t.id}/complete`, { metrics: m, logs: logs[t.id], log_format: 'keyvalue' });
      }
    }
  }
  seeded.small = { study, logs };
}

async function seedBigStudy() {
  const study = await svc.api('POST', '/v1/studies', {
    name: 'imported-10k',
    parameters: SPACE,
    objective: { name: 'throughput', goal: 'maximize' },
    algorithm: 'random',
    budget: BIG_TRIALS + 100,
  }, { expect: 201 });
  const rnd = mulberry32(42);
  const bodies = Array.from({ length: BIG_TRIALS }, () => {
    const params = randomParams(rnd);
    return { params, metrics: evaluate(params) };
  });
  const t0 = Date.now();
  // Bulk import: 10 requests of 1,000 trials.
  for (let i = 0; i < bodies.length; i += 1000) {
    await svc.api('POST', `/v1/studies/${study.id}/trials`, { trials: bodies.slice(i, i + 1000) }, { expect: 201 });
  }
  seeded.big = { study, seedMs: Date.now() - t0 };
}

async function refresh(name) {
  const s = seeded[name];
  s.trials = await svc.allTrials(s.study.id);
  s.best = await svc.api('GET', `/v1/studies/${s.study.id}/best`);
}

/* What the chart instances on the page actually hold. */
async function chartOption(p, testid) {
  return p.$eval(`[data-testid="${testid}"]`, (el) => {
    const o = el.__chart.getOption();
    return { series: o.series.map((s) => ({ name: s.name, type: s.type, data: s.data, markLine: s.markLine })) };
  });
}

async function tableIds(p) {
  return p.$$eval('[data-testid="trials-table"] tbody tr[data-trial-id]', (rows) => rows.map((r) => r.getAttribute('data-trial-id')));
}

// A missing chromium, service binary or dashboard build fails with one
// message that says what to install or build, instead of a crash.
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
} else describe('dashboard in chromium against a real bograph serve', { timeout: 240000 }, () => {
  before(async () => {
    await svc.start();
    await svc.api('POST', '/v1/studies', { name: 'empty-study', parameters: SPACE.slice(0, 2), objective: { name: 'latency', goal: 'minimize' }, algorithm: 'random' }, { expect: 201 });
    await seedSmallStudy();
    await seedBigStudy();
    await refresh('small');
    await refresh('big');
    console.log(`# seeded ${BIG_TRIALS} trials by bulk import in ${seeded.big.seedMs} ms`);
    browser = await launchBrowser(playwright);
    page = await browser.context.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
  });

  after(async () => {
    if (browser) await browser.close();
    await svc.stop();
  });

  test('studies list: names, algorithm, trials by state, best and improvement over default', async () => {
    await page.goto(`${svc.base}/#/`);
    await page.waitForSelector('[data-testid="studies-table"]');
    const rows = await page.$$('[data-testid="studies-table"] tbody tr');
    assert.equal(rows.length, 3);
    const { study, trials, best } = seeded.small;
    const row = page.locator(`tr[data-study-id="${study.id}"]`);
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /rocksdb-sim/);
    assert.match(text, /bograph/);
    assert.ok(text.includes(String(trials.length)), `row shows the trial total ${trials.length}: ${text}`);
    const failed = trials.filter((t) => t.state === 'failed').length;
    assert.ok(failed > 0);
    assert.ok(text.includes(`failed ${failed}`), `row shows ${failed} failed: ${text}`);
    assert.equal(await row.locator('td.best').innerText(), fmtNum(best.best.objective));
    // the factor `bograph tune` prints for the same study
    const imp = improvement(goalOf(study), best.best.objective, best.default.objective);
    assert.ok(imp !== null);
    assert.equal(await row.locator('td.improvement').innerText(), fmtFactor(imp));
    await shot(page, 'studies');
  });

  test('study page: convergence, importance, parallel coordinates', async () => {
    const { study, trials, best } = seeded.small;
    await page.goto(`${svc.base}/#/studies/${study.id}`);
    await page.waitForSelector('[data-testid="convergence-chart"] canvas');
    const completed = trials.filter((t) => t.state === 'completed');
    const conv = await chartOption(page, 'convergence-chart');
    const points = conv.series.find((s) => s.name === 'objective').data;
    assert.equal(points.length, completed.length, 'one point per completed trial');
    assert.deepEqual(
      points.map((p) => p[1]).sort((a, b) => a - b),
      completed.map((t) => t.objective).sort((a, b) => a - b),
    );
    const bestLine = conv.series.find((s) => s.name === 'best so far');
    assert.equal(bestLine.data[bestLine.data.length - 1][1], Math.max(...completed.map((t) => t.objective)));
    assert.equal(bestLine.markLine.data[0].yAxis, best.default.objective, 'default reference line at the default trial objective');

    const par = await chartOption(page, 'parallel-chart');
    assert.equal(par.series[0].data.length, completed.length, 'one line per completed trial');
    assert.equal(par.series[0].data[0].length, SPACE.length + 1, 'an axis per parameter plus the objective');

    const method = await page.locator('[data-testid="importance-method"]').innerText();
    const served = await svc.api('GET', `/v1/studies/${study.id}/importance`, undefined, {}).catch(() => null);
    const bars = await page.$$eval('[data-testid="importance"] li[data-param]', (li) => li.map((l) => l.getAttribute('data-param')));
    assert.deepEqual([...bars].sort(), SPACE.map((p) => p.name).sort());
    if (served && served.method) {
      // The service's model-based importance, in its order, method named.
      assert.ok(method.includes(served.method), `method named: ${method}`);
      assert.deepEqual(bars, [...served.importance].sort((a, b) => b.value - a.value).map((i) => i.name));
    } else {
      console.log('# importance: the service has none, the page ranks by rank correlation');
      assert.equal(method, CLIENT_METHOD);
    }
    assert.match(await page.locator('[data-testid="trial-count"]').innerText(), new RegExp(`^${trials.length}$`));
    await shot(page, 'study');
  });

  test('learned structure: nodes and edges as the service reports them, or the empty state', async () => {
    const { study } = seeded.small;
    const r = await fetch(`${svc.base}/v1/studies/${study.id}/structure`);
    const structure = r.ok ? await r.json() : null;
    await page.goto(`${svc.base}/#/studies/${study.id}`);
    if (r.status === 404) {
      // A service without the structure endpoint: the page shows the empty
      // state. Where the endpoint exists, this study (24 trials reporting
      // metrics, algorithm bograph, one expert edge) must have a graph.
      await page.waitForSelector('[data-testid="structure-empty"]');
      console.log('# structure: HTTP 404, empty state shown');
      return;
    }
    assert.equal(r.status, 200);
    assert.ok(structure.nodes.length > 0 && structure.edges.length > 0, `a graph for ${SMALL_TRIALS} trials: ${JSON.stringify(structure)}`);
    await page.waitForSelector('[data-testid="structure-graph"] canvas');
    const g = await page.$eval('[data-testid="structure-graph"]', (el) => ({
      nodes: el.__cy.nodes().map((n) => ({ id: n.id(), kind: n.data('kind') })),
      edges: el.__cy.edges().map((e) => ({ from: e.source().id(), to: e.target().id(), origin: e.data('origin'), style: e.style('line-style'), label: e.data('label') })),
    }));
    for (const n of structure.nodes) {
      assert.ok(g.nodes.some((x) => x.id === n.name && x.kind === n.kind), `node ${n.name} (${n.kind}) drawn`);
    }
    assert.equal(g.edges.length, structure.edges.length);
    for (const e of structure.edges) {
      const d = g.edges.find((x) => x.from === e.from && x.to === e.to);
      assert.ok(d, `edge ${e.from} -> ${e.to} drawn`);
      assert.equal(d.style, e.source === 'expert' ? 'dashed' : 'solid');
      if (typeof e.weight === 'number') assert.equal(d.label, e.weight.toFixed(2));
    }
    if (structure.learned_at_trial > 0) {
      assert.match(await page.locator('[data-testid="structure-caption"]').innerText(), new RegExp(`Learnt at trial ${structure.learned_at_trial}`));
    }
    await page.locator('#structure').screenshot({ path: path.join(CONFIG.artifacts, 'browser-structure.png') });
  });

  test('trials table: rows, state filter, sorting; trial detail with params, metrics and log', async () => {
    const { study, trials, logs } = seeded.small;
    await page.goto(`${svc.base}/#/studies/${study.id}`);
    await page.waitForSelector('[data-testid="trials-table"] tbody tr[data-trial-id]');
    const byNumberDesc = [...trials].sort((a, b) => b.number - a.number).map((t) => String(t.id));
    assert.deepEqual(await tableIds(page), byNumberDesc.slice(0, PAGE));

    await page.selectOption('[data-testid="state-filter"]', 'failed');
    const failed = trials.filter((t) => t.state === 'failed').sort((a, b) => b.number - a.number).map((t) => String(t.id));
    assert.deepEqual(await tableIds(page), failed);
    await page.selectOption('[data-testid="state-filter"]', 'completed');
    const completed = trials.filter((t) => t.state === 'completed');
    assert.equal((await tableIds(page)).length, completed.length);

    await page.click('th[data-col="objective"]'); // ascending
    const asc = [...completed].sort((a, b) => a.objective - b.objective);
    const objOf = (id) => trials.find((t) => String(t.id) === id).objective;
    let ids = await tableIds(page);
    assert.equal(objOf(ids[0]), asc[0].objective);
    assert.equal(objOf(ids[ids.length - 1]), asc[asc.length - 1].objective);
    await page.click('th[data-col="objective"]'); // descending
    ids = await tableIds(page);
    assert.equal(objOf(ids[0]), asc[asc.length - 1].objective);

    // The best trial's detail.
    await page.click(`tr[data-trial-id="${ids[0]}"]`);
    await page.waitForSelector('[data-testid="trial-log"]');
    assert.ok(page.url().endsWith(`#/studies/${study.id}/trials/${ids[0]}`));
    const t = trials.find((x) => String(x.id) === ids[0]);
    const params = await page.$$eval('[data-testid="trial-params"] tr', (rs) => rs.map((r) => [r.cells[0].innerText, r.cells[1].innerText]));
    assert.deepEqual(params.map((p) => p[0]).sort(), SPACE.map((p) => p.name).sort());
    assert.equal(params.find((p) => p[0] === 'compression')[1], t.params.compression);
    const metrics = await page.locator('[data-testid="trial-metrics"]').innerText();
    for (const name of ['throughput', 'get_p95_micros', 'compaction_micros']) assert.ok(metrics.includes(name), `metric ${name} shown`);
    assert.equal(await page.locator('[data-testid="trial-log"]').innerText(), logs[t.id]);
    assert.equal(await page.locator('[data-testid="trial-objective"]').innerText(), fmtNum(t.objective));
    await shot(page, 'trial-detail', false); // the drawer is fixed to the viewport
    await page.click('[data-testid="trial-close"]');
    await page.waitForSelector('[data-testid="trial-detail"]', { state: 'detached' });
  });

  test('model: column, tooltip, sorting, trial detail and the summary per model', async () => {
    // A random study: the default configuration, four random suggestions and
    // one trial added by hand, so every trial's model is known.
    const study = await svc.api('POST', '/v1/studies', {
      name: 'models-random',
      parameters: SPACE,
      objective: { name: 'throughput', goal: 'maximize' },
      default: DEFAULT,
      algorithm: 'random',
      seed: 11,
    }, { expect: 201 });
    const r = await svc.api('POST', `/v1/studies/${study.id}/suggest`, { count: 5, worker: 'models' });
    assert.deepEqual(r.trials.map((t) => t.model), ['default', 'random', 'random', 'random', 'random']);
    for (const t of r.trials) await svc.api('POST', `/v1/studies/${study.id}/trials/${t.id}/complete`, { metrics: evaluate(t.params) });
    const hand = randomParams(mulberry32(5));
    const manual = await svc.api('POST', `/v1/studies/${study.id}/trials`, { params: hand, metrics: evaluate(hand) }, { expect: 201 });
    assert.equal(manual.model ?? null, null, 'a trial added by hand has no model');
    const trials = await svc.allTrials(study.id);
    const modelOfId = (id) => trials.find((t) => String(t.id) === id).model ?? null;

    await page.goto(`${svc.base}/#/studies/${study.id}`);
    await page.waitForSelector('[data-testid="trials-table"] tbody tr[data-trial-id]');
    assert.equal(await page.locator('[data-testid="model-summary"]').innerText(), 'suggestions: random 4, default 1 · added by hand 1');
    assert.equal(await page.locator('[data-testid="model-note"]').count(), 0, 'no fallback note outside bograph studies');
    assert.equal(await page.locator('[data-testid="trials-table"] th[data-col="model"]').innerText(), 'model');
    const cells = async () =>
      page.$$eval('[data-testid="trials-table"] tbody tr[data-trial-id]', (rows) =>
        rows.map((row) => {
          const td = row.querySelector('td[data-col="model"]');
          return { id: row.getAttribute('data-trial-id'), text: td.innerText, title: td.getAttribute('title') };
        }),
      );
    for (const c of await cells()) {
      assert.equal(c.text, modelOfId(c.id) ?? '–', `model of trial ${c.id}`);
      assert.equal(c.title, null, 'no tooltip without a model_reason');
    }
    // Sorted by model: ascending by name, the trial without a model last either way.
    await page.click('th[data-col="model"]');
    assert.deepEqual((await cells()).map((c) => c.text), ['default', 'random', 'random', 'random', 'random', '–']);
    await page.click('th[data-col="model"]');
    assert.deepEqual((await cells()).map((c) => c.text), ['random', 'random', 'random', 'random', 'default', '–']);

    await page.click(`tr[data-trial-id="${manual.id}"]`);
    await page.waitForSelector('[data-testid="trial-model"]');
    assert.equal(await page.locator('[data-testid="trial-model"]').innerText(), 'none (added by hand)');
    assert.equal(await page.locator('[data-testid="trial-model-reason"]').count(), 0);
    await page.click('[data-testid="trial-close"]');
    const rnd = r.trials[1];
    await page.click(`tr[data-trial-id="${rnd.id}"]`);
    await page.waitForFunction((n) => document.querySelector('[data-testid="trial-detail"] h2')?.innerText === `Trial #${n}`, rnd.number);
    assert.equal(await page.locator('[data-testid="trial-model"]').innerText(), 'random');
    assert.equal(await page.locator('[data-testid="trial-model-reason"]').count(), 0);
    await page.click('[data-testid="trial-close"]');

    // The bograph study: its first suggestions came before any metrics, so
    // the plain GP answered them and model_reason says why.
    const small = seeded.small;
    const smallTrials = await svc.allTrials(small.study.id);
    const withReason = smallTrials.filter((t) => t.model_reason);
    assert.ok(withReason.length > 0, `some trial of the bograph study says why the plain GP answered: ${JSON.stringify(smallTrials.map((t) => [t.model, t.model_reason]))}`);
    const expected = new Map();
    for (const t of smallTrials) if (t.model) expected.set(t.model, (expected.get(t.model) || 0) + 1);
    console.log(`# bograph study: trials per model ${JSON.stringify([...expected])}`);
    await page.goto(`${svc.base}/#/studies/${small.study.id}`);
    await page.waitForSelector('[data-testid="model-summary"]');
    const chips = await page.$$eval('[data-testid="model-summary"] [data-model]', (els) => els.map((e) => [e.getAttribute('data-model'), Number(e.getAttribute('data-count'))]));
    assert.deepEqual(new Map(chips), expected);
    const summary = await page.locator('[data-testid="model-summary"]').innerText();
    assert.ok(summary.startsWith('suggestions: '), summary);
    assert.equal((await page.locator('[data-testid="model-note"]').count()) > 0, !expected.has('bograph'), `fallback note shown only while bograph has not answered: ${summary}`);
    const reasoned = withReason[withReason.length - 1];
    const td = page.locator(`tr[data-trial-id="${reasoned.id}"] td[data-col="model"]`);
    assert.equal(await td.innerText(), reasoned.model);
    assert.equal(await td.getAttribute('title'), reasoned.model_reason);
    await page.click(`tr[data-trial-id="${reasoned.id}"]`);
    await page.waitForSelector('[data-testid="trial-model-reason"]');
    assert.equal(await page.locator('[data-testid="trial-model"]').innerText(), reasoned.model);
    assert.equal(await page.locator('[data-testid="trial-model-reason"]').innerText(), reasoned.model_reason);
    await shot(page, 'trial-model', false);
    await page.click('[data-testid="trial-close"]');
    await page.waitForSelector('[data-testid="trial-detail"]', { state: 'detached' });
    await page.locator('#convergence').screenshot({ path: path.join(CONFIG.artifacts, 'browser-model-summary.png') });
  });

  test('10,000 trials: pages, sorting and the charts', async () => {
    const { study, trials } = seeded.big;
    assert.equal(trials.length, BIG_TRIALS);
    const t0 = Date.now();
    await page.goto(`${svc.base}/#/studies/${study.id}`);
    await page.waitForSelector('[data-testid="trials-table"] tbody tr[data-trial-id]', { timeout: 60000 });
    console.log(`# 10,000-trial study page ready in ${Date.now() - t0} ms`);
    assert.equal(await page.locator('[data-testid="trials-range"]').innerText(), `1–50 of ${fmtNum(BIG_TRIALS)}`);
    assert.equal(await page.locator('[data-testid="model-summary"]').innerText(), `added by hand ${fmtNum(BIG_TRIALS)}`);
    assert.equal(await page.locator('[data-testid="page-no"]').innerText(), `Page 1 of ${fmtNum(BIG_TRIALS / PAGE)}`);
    assert.equal(await page.locator('[data-testid="trials-table"] tbody tr').count(), PAGE, 'only one page is rendered');
    const desc = [...trials].sort((a, b) => b.number - a.number).map((t) => String(t.id));
    assert.deepEqual(await tableIds(page), desc.slice(0, PAGE));
    await page.click('[data-testid="page-next"]');
    assert.equal(await page.locator('[data-testid="trials-range"]').innerText(), `51–100 of ${fmtNum(BIG_TRIALS)}`);
    assert.deepEqual(await tableIds(page), desc.slice(PAGE, 2 * PAGE));
    await page.click('[data-testid="page-last"]');
    assert.deepEqual(await tableIds(page), desc.slice(BIG_TRIALS - PAGE));

    await page.click('th[data-col="p:x"]'); // ascending by a parameter
    const xs = trials.map((t) => t.params.x).sort((a, b) => a - b);
    const xOf = (id) => trials.find((t) => String(t.id) === id).params.x;
    const ids = await tableIds(page);
    assert.equal(xOf(ids[0]), xs[0]);
    assert.ok(ids.every((id, i) => i === 0 || xOf(ids[i - 1]) <= xOf(id)), 'page sorted by x');

    const conv = await chartOption(page, 'convergence-chart');
    assert.equal(conv.series.find((s) => s.name === 'objective').data.length, BIG_TRIALS);
    // Parallel coordinates draw at most 2,000 lines (MAX_LINES in
    // web/src/components/ParallelCoords.jsx): the best 500 and 1,500 others.
    const par = await chartOption(page, 'parallel-chart');
    const lines = par.series[0].data;
    assert.equal(lines.length, 2000);
    const objs = trials.map((t) => t.objective).sort((a, b) => b - a);
    const drawn = new Set(lines.map((l) => l[SPACE.length]));
    assert.ok(objs.slice(0, 500).every((o) => drawn.has(o)), 'the best 500 trials are all drawn');
    assert.match(await page.locator('[data-testid="parallel-hint"]').innerText(), /Showing 2,000 of 10,000 completed trials: the best 500/);
    await shot(page, 'study-10k');
  });

  test('live: a trial reported over the API appears without a reload', async () => {
    const { study } = seeded.small;
    const fullLoads = [];
    const onReq = (req) => {
      if (/\/trials\?after_seq=0(&|$)/.test(req.url())) fullLoads.push(req.url());
    };
    page.on('request', onReq);
    try {
      await page.goto(`${svc.base}/#/studies/${study.id}`);
      await page.waitForSelector('[data-testid="trials-table"] tbody tr[data-trial-id]');
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
      const before = await page.locator('[data-testid="trial-count"]').innerText();
      const r = await svc.api('POST', `/v1/studies/${study.id}/suggest`, { count: 1, worker: 'live-test' });
      assert.equal(r.trials.length, 1);
      const t = r.trials[0];
      // The active trial shows up, then turns completed.
      await page.waitForSelector(`tr[data-trial-id="${t.id}"]`, { timeout: 15000 });
      const m = evaluate(t.params);
      await svc.api('POST', `/v1/studies/${study.id}/trials/${t.id}/complete`, { metrics: m, logs: logFor(t, m), log_format: 'keyvalue' });
      await page.waitForFunction(
        (id) => {
          const row = document.querySelector(`tr[data-trial-id="${id}"]`);
          return row && row.innerText.includes('completed');
        },
        String(t.id),
        { timeout: 15000 },
      );
      assert.equal(await page.locator('[data-testid="trial-count"]').innerText(), String(Number(before) + 1));
      assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
      assert.equal(fullLoads.length, 1, `the trials were fetched from seq 0 once, then only changes: ${fullLoads.join(' ')}`);
      const conv = await chartOption(page, 'convergence-chart');
      assert.ok(conv.series.find((s) => s.name === 'objective').data.some((p) => p[1] === m.throughput), 'the new result is plotted');
      await shot(page, 'live');
    } finally {
      page.off('request', onReq);
    }
  });

  test('empty study: empty states instead of charts', async () => {
    const list = await svc.api('GET', '/v1/studies');
    const studies = Array.isArray(list) ? list : list.studies;
    const empty = studies.find((s) => s.name === 'empty-study');
    await page.goto(`${svc.base}/#/studies/${empty.id}`);
    await page.waitForSelector('[data-testid="convergence-empty"]');
    await page.waitForSelector('[data-testid="parallel-empty"]');
    await page.waitForSelector('[data-testid="structure-empty"]');
    assert.match(await page.locator('[data-testid="trials-table"]').innerText(), /No trials yet/);
    await page.goto(`${svc.base}/#/studies/999999`);
    await page.waitForSelector('.state-box.error');
    assert.match(await page.locator('.state-box.error').innerText(), /no study 999999/i);
  });

  describe('access token', () => {
    const token = 'test-token-7f3a';
    const secured = new Service('auth', { token });
    let staticStatus;
    before(async () => {
      await secured.start();
      await secured.api('POST', '/v1/studies', { name: 'secret-study', parameters: SPACE.slice(0, 1), objective: { name: 'y', goal: 'minimize' }, algorithm: 'random' }, { expect: 201 });
      staticStatus = (await fetch(`${secured.base}/`)).status;
    });
    after(() => secured.stop());

    test('the dashboard page and its assets load without a token (only /v1 needs it)', async () => {
      assert.equal(staticStatus, 200, 'GET / without a token');
      const html = await (await fetch(`${secured.base}/`)).text();
      for (const m of html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)) {
        assert.equal((await fetch(`${secured.base}/${m[1]}`)).status, 200, `GET /${m[1]} without a token`);
      }
      await secured.api('GET', '/v1/studies', undefined, { token: null, expect: 401 });
    });

    test('a 401 asks for the token; the saved token is sent, kept, and a wrong one is reported', async () => {
      const ctx = await launchBrowser(playwright);
      try {
        const p = await ctx.context.newPage();
        await p.goto(`${secured.base}/#/`);
        await p.waitForSelector('#auth-message');
        assert.match(await p.locator('#auth-message').innerText(), /needs an access token \(401\)/);
        await shot(p, 'auth-needed', false);

        await p.fill('#token-input', 'wrong-token');
        await p.click('form.token button[type="submit"]');
        await p.waitForFunction(() => /refused the access token/.test(document.querySelector('#auth-message')?.innerText || ''));

        await p.fill('#token-input', token);
        await p.click('form.token button[type="submit"]');
        await p.waitForSelector('[data-testid="studies-table"]');
        assert.match(await p.locator('[data-testid="studies-table"]').innerText(), /secret-study/);
        assert.equal(await p.locator('#auth-message').count(), 0);

        await p.reload();
        await p.waitForSelector('[data-testid="studies-table"]');
        assert.equal(await p.evaluate(() => localStorage.getItem('bograph.token')), token);
      } finally {
        await ctx.close();
      }
    });
  });
});
