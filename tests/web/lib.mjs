// Helpers for the dashboard's browser tests: find the tools, start a real
// `bograph serve` on a free loopback port with a fresh SQLite file, talk to its
// REST API, seed studies, and launch Debian's chromium through playwright-core.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const CONFIG = {
  bin: process.env.BOGRAPH_BIN || path.resolve(here, '../../build/bograph'),
  webDist: process.env.BOGRAPH_WEB_DIST || path.resolve(here, '../../build/web/dist'),
  artifacts: process.env.BOGRAPH_ARTIFACTS || path.resolve(here, '../../build/tests/artifacts'),
  nodeModules: process.env.BOGRAPH_TEST_NODE_MODULES || path.join(here, 'node_modules'),
  chromium: process.env.BOGRAPH_CHROMIUM || '/usr/bin/chromium',
};

/* Fails with a message that says what to do when a prerequisite is missing. */
export function checkPrerequisites() {
  const problems = [];
  if (!isExecutable(CONFIG.chromium)) {
    problems.push(
      `chromium not found at ${CONFIG.chromium}: the browser tests drive Debian's chromium. ` +
        'Run scripts/deps.sh (it installs the packages in scripts/debian-packages.txt, chromium among them), ' +
        'or set BOGRAPH_CHROMIUM to a chromium binary.',
    );
  }
  if (!isExecutable(CONFIG.bin)) {
    problems.push(`the service binary ${CONFIG.bin} does not exist: build the target "bograph" first (cmake --build BUILD).`);
  }
  if (!fs.existsSync(path.join(CONFIG.webDist, 'index.html'))) {
    problems.push(`the dashboard is not built (${CONFIG.webDist}/index.html is missing): build the target "bograph_web".`);
  }
  let playwright = null;
  try {
    playwright = createRequire(path.join(CONFIG.nodeModules, '..', 'package.json'))('playwright-core');
  } catch (e) {
    problems.push(`playwright-core is not installed in ${CONFIG.nodeModules} (${e.code || e.message}): build the target "bograph_web_tests" (it runs npm ci).`);
  }
  if (problems.length) throw new Error(`browser tests cannot run:\n  - ${problems.join('\n  - ')}`);
  return playwright;
}

function isExecutable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/*
 * A `bograph serve` process on 127.0.0.1 with a fresh database in a temp dir.
 * Its output goes to a log file in the artifacts folder for post-mortems.
 */
export class Service {
  constructor(name, { token } = {}) {
    this.name = name;
    this.token = token || null;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `bograph-web-${name}-`));
    this.proc = null;
  }

  async start() {
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    fs.mkdirSync(CONFIG.artifacts, { recursive: true });
    this.logPath = path.join(CONFIG.artifacts, `browser-${this.name}-service.log`);
    const log = fs.openSync(this.logPath, 'w');
    const args = ['serve', '--db', path.join(this.dir, 'bograph.db'), '--port', String(this.port), '--web-dir', CONFIG.webDist];
    if (this.token) args.push('--token', this.token);
    this.proc = spawn(CONFIG.bin, args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    let exited = null;
    this.proc.on('exit', (code, sig) => {
      exited = { code, sig };
    });
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`bograph serve exited (code ${exited.code}, signal ${exited.sig}); its log: ${this.logPath}\n${tail(this.logPath)}`);
      try {
        const r = await fetch(`${this.base}/healthz`);
        if (r.ok) return this;
      } catch {
        /* not listening yet */
      }
      await sleep(100);
    }
    this.stop();
    throw new Error(`bograph serve did not answer /healthz within 20 s; its log: ${this.logPath}\n${tail(this.logPath)}`);
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      const done = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(t);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /* One API call; throws with the service's error message on a non-2xx answer. */
  async api(method, p, body, { token = this.token, expect } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    const r = await fetch(this.base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    const data = text ? JSON.parse(text) : null;
    if (expect !== undefined) {
      if (r.status !== expect) throw new Error(`${method} ${p}: expected HTTP ${expect}, got ${r.status}: ${text.slice(0, 300)}`);
      return data;
    }
    if (!r.ok) throw new Error(`${method} ${p}: HTTP ${r.status}: ${text.slice(0, 300)}`);
    return data;
  }

  /* Every trial of a study, following after_seq pages. */
  async allTrials(studyId) {
    const byId = new Map();
    let after = 0;
    for (;;) {
      const page = await this.api('GET', `/v1/studies/${studyId}/trials?after_seq=${after}&limit=1000`);
      if (!page.trials.length) break;
      for (const t of page.trials) byId.set(String(t.id), t);
      const next = Math.max(page.next_after_seq ?? 0, ...page.trials.map((t) => t.seq));
      if (next <= after) break;
      after = next;
    }
    return [...byId.values()];
  }
}

function tail(file) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/* Runs fn over items with at most `limit` calls in flight. */
export async function pool(items, limit, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/* Debian's chromium with a fresh profile directory (removed by close()). */
export async function launchBrowser(playwright) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bograph-chromium-'));
  const context = await playwright.chromium.launchPersistentContext(profile, {
    executablePath: CONFIG.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    timeout: 30000,
  });
  const close = async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/* The search space both browser tests create their studies with. */
export const SPACE = [
  { name: 'x', type: 'float', low: -5, high: 10 },
  { name: 'write_buffer_size', type: 'int', low: 1048576, high: 1073741824, log: true },
  { name: 'compression', type: 'categorical', choices: ['none', 'snappy', 'zstd'] },
  { name: 'block_size', type: 'ordinal', values: [4096, 8192, 16384, 65536] },
];

/* Deterministic pseudo-random numbers for the imported trials. */
export function mulberry32(a) {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/* A configuration of SPACE drawn with rnd. */
export function randomParams(rnd) {
  return {
    x: -5 + 15 * rnd(),
    write_buffer_size: Math.round(Math.exp(Math.log(1048576) + rnd() * (Math.log(1073741824) - Math.log(1048576)))),
    compression: SPACE[2].choices[Math.floor(rnd() * 3)],
    block_size: SPACE[3].values[Math.floor(rnd() * 4)],
  };
}
