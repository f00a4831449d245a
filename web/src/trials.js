// The trials of one study, kept in memory and kept current by polling
// GET /v1/studies/{id}/trials?after_seq=N. Every change of a trial raises its
// `seq`, so one request with the last seen seq returns exactly the trials that
// changed; they replace the held copies by id. 10,000 trials are fetched once
// (in pages), never again.

import { getTrialsPage } from './api.js';

export const PAGE_LIMIT = 1000;

export class TrialStore {
  constructor(studyId) {
    this.studyId = studyId;
    this.byId = new Map();
    this.afterSeq = 0;
    this.version = 0; // bumped on every merge that changed something
    this.sorted = null; // trials by number, rebuilt lazily
    this.lastChanged = new Set(); // ids changed by the last poll
  }

  /* Fetches every page after this.afterSeq; returns the number of trials changed. */
  async fetchChanges(signal, onProgress) {
    let changed = 0;
    const ids = new Set();
    for (;;) {
      const page = await getTrialsPage(this.studyId, this.afterSeq, PAGE_LIMIT, signal);
      const trials = (page && page.trials) || [];
      if (trials.length === 0) break;
      let maxSeq = this.afterSeq;
      for (const t of trials) {
        this.byId.set(String(t.id), t);
        ids.add(String(t.id));
        if (typeof t.seq === 'number' && t.seq > maxSeq) maxSeq = t.seq;
      }
      changed += trials.length;
      const next = typeof page.next_after_seq === 'number' ? Math.max(page.next_after_seq, maxSeq) : maxSeq;
      if (next <= this.afterSeq) break; // no progress: never loop forever on a bad answer
      this.afterSeq = next;
      if (onProgress) onProgress(this.byId.size);
    }
    if (changed > 0) {
      this.version++;
      this.sorted = null;
    }
    this.lastChanged = ids;
    return changed;
  }

  get size() {
    return this.byId.size;
  }

  /* All trials ordered by trial number (cached until the next change). */
  all() {
    if (!this.sorted) {
      this.sorted = Array.from(this.byId.values()).sort((a, b) => num(a) - num(b));
    }
    return this.sorted;
  }
}

function num(t) {
  return typeof t.number === 'number' ? t.number : Number(t.id);
}

/* ---- study-level helpers ---- */

export const STATES = ['active', 'completed', 'failed', 'infeasible', 'expired'];

export function goalOf(study) {
  return study && study.objective && study.objective.goal === 'minimize' ? 'minimize' : 'maximize';
}

export function objectiveName(study) {
  return (study && study.objective && study.objective.name) || 'objective';
}

export function better(goal, a, b) {
  return goal === 'minimize' ? a < b : a > b;
}

const OPS = {
  '<=': (a, b) => a <= b,
  '<': (a, b) => a < b,
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
  '==': (a, b) => a === b,
};

/* True when a completed trial meets the study's constraints on its metrics. */
export function feasible(study, trial) {
  const cs = (study && study.constraints) || [];
  for (const c of cs) {
    const v = trial.metrics ? trial.metrics[c.metric] : undefined;
    const op = OPS[c.op];
    if (typeof v !== 'number' || !op) return false;
    if (!op(v, c.value)) return false;
  }
  return true;
}

export function isScored(t) {
  return t.state === 'completed' && typeof t.objective === 'number' && Number.isFinite(t.objective);
}

/* Improvement of best over default as a factor, the one definition the CLI
   uses too (cli/tune_figures.c, tune_ratio): best/default when maximising,
   default/best when minimising, so > 1 is better and 2 means twice as good.
   null when either is missing, not finite or zero, or their signs differ (no
   ratio says anything then). */
export function improvement(goal, best, def) {
  if (typeof best !== 'number' || typeof def !== 'number') return null;
  if (!Number.isFinite(best) || !Number.isFinite(def) || best === 0 || def === 0) return null;
  if (best > 0 !== def > 0) return null;
  return goal === 'minimize' ? def / best : best / def;
}

export function countByState(trials) {
  const c = Object.fromEntries(STATES.map((s) => [s, 0]));
  for (const t of trials) c[t.state] = (c[t.state] || 0) + 1;
  return c;
}

/* ---- which model proposed the trials ---- */

/* The model that proposed a trial ("bograph", "gp", "random", "sobol",
   "default"), or null for a trial added by hand (imported). */
export function modelOf(t) {
  return t && typeof t.model === 'string' && t.model !== '' ? t.model : null;
}

/*
 * Trials per model, most first (ties by name), each with the latest non-empty
 * model_reason among its trials (trials in number order, as TrialStore.all()
 * gives them); trials without a model are counted apart in `none`.
 */
export function countByModel(trials) {
  const by = new Map();
  let none = 0;
  for (const t of trials) {
    const m = modelOf(t);
    if (m === null) {
      none++;
      continue;
    }
    let e = by.get(m);
    if (!e) by.set(m, (e = { model: m, count: 0, reason: null }));
    e.count++;
    if (typeof t.model_reason === 'string' && t.model_reason !== '') e.reason = t.model_reason;
  }
  const models = [...by.values()].sort((a, b) => b.count - a.count || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return { models, none };
}

/* "suggestions: bograph 22, gp 8 · added by hand 3" ('' when there are no trials). */
export function modelSummaryText(counts, fmt = String) {
  const parts = [];
  if (counts.models.length) parts.push(`suggestions: ${counts.models.map((e) => `${e.model} ${fmt(e.count)}`).join(', ')}`);
  if (counts.none) parts.push(`added by hand ${fmt(counts.none)}`);
  return parts.join(' · ');
}
