// The learned structure as a layered graph: which edges are shown (a weight
// threshold on learned edges, expert edges always), which parameters reach
// the objective only directly (grouped in one box), labels shortened by a
// shared prefix, and positions from dagre with fixed layers: parameters in
// the first, the objective in the last, each metric one layer right of its
// furthest metric parent (dagre orders the nodes within a layer so that few
// edges cross).
import { Graph, layout } from '@dagrejs/dagre';
import { shortenByPrefix } from './views.js';

export const KINDS = ['param', 'metric', 'objective'];
export const DIRECT_GROUP = '__direct__';
const NODE_H = 28;
const CHAR_W = 7.2; // at 12 px

export function labelWidth(s) {
  return Math.max(48, Math.min(260, s.length * CHAR_W + 20));
}

/* The weight under which learned edges are hidden by default: none hidden
   up to `keep` learned edges, else the keep-th largest |weight|. */
export function defaultThreshold(edges, keep = 60) {
  const ws = edges
    .filter((e) => e.source !== 'expert')
    .map((e) => (typeof e.weight === 'number' ? Math.abs(e.weight) : 0))
    .sort((a, b) => b - a);
  if (ws.length <= keep) return 0;
  return ws[keep - 1];
}

/*
 * What to draw: nodes ({id, label, kind, parent}) and edges ({from, to,
 * origin, weight}) for the structure, with learned edges of |weight| below
 * threshold left out (show: 'all', 'learned' or 'expert' picks the origins),
 * plus extra edges of the knowledge being edited (origin 'forbidden',
 * 'draft'). Parameters whose every shown edge goes to the objective are put
 * in the DIRECT_GROUP box.
 */
export function visibleGraph(structure, { threshold = 0, show = 'all', extra = [] } = {}) {
  const nodes = new Map();
  const add = (name, kind) => {
    if (!nodes.has(name)) nodes.set(name, { id: name, kind: KINDS.includes(kind) ? kind : 'metric' });
  };
  for (const n of structure.nodes || []) add(n.name, n.kind);
  const edges = [];
  for (const e of structure.edges || []) {
    const origin = e.source === 'expert' ? 'expert' : 'learned';
    if (show !== 'all' && show !== origin) continue;
    const w = typeof e.weight === 'number' ? e.weight : null;
    if (origin === 'learned' && w !== null && Math.abs(w) < threshold) continue;
    add(e.from, 'metric');
    add(e.to, 'metric');
    edges.push({ from: e.from, to: e.to, origin, weight: w });
  }
  for (const e of extra) {
    add(e.from, 'metric');
    add(e.to, 'metric');
    edges.push({ ...e, weight: e.weight ?? null });
  }
  const objective = [...nodes.values()].find((n) => n.kind === 'objective');
  const out = new Map();
  for (const e of edges) {
    if (!out.has(e.from)) out.set(e.from, []);
    out.get(e.from).push(e.to);
  }
  const direct = [];
  for (const n of nodes.values()) {
    if (n.kind !== 'param' || !objective) continue;
    const to = out.get(n.id) || [];
    if (to.length > 0 && to.every((t) => t === objective.id)) direct.push(n.id);
  }
  // Two or more make a group; a single one stays where it is.
  if (direct.length >= 2) for (const id of direct) nodes.get(id).parent = DIRECT_GROUP;
  const labels = shortenByPrefix([...nodes.values()].filter((n) => n.kind === 'metric').map((n) => n.id));
  for (const n of nodes.values()) n.label = labels.get(n.id) || n.id;
  return { nodes: [...nodes.values()], edges, direct: direct.length >= 2 ? direct : [], objective: objective ? objective.id : null };
}

/* Layer of each node: parameters 0, metrics 1 + their furthest metric
   parent's layer (cycles, which the model does not learn, are cut), the
   objective one past the last metric. */
export function layers(g) {
  const kind = new Map(g.nodes.map((n) => [n.id, n.kind]));
  const parents = new Map();
  for (const e of g.edges) {
    if (e.origin === 'forbidden') continue;
    if (!parents.has(e.to)) parents.set(e.to, []);
    parents.get(e.to).push(e.from);
  }
  const layer = new Map();
  const visiting = new Set();
  const of = (id) => {
    if (layer.has(id)) return layer.get(id);
    const k = kind.get(id);
    if (k === 'param') return layer.set(id, 0), 0;
    if (k === 'objective') return 0; // placed at the end below
    if (visiting.has(id)) return 1;
    visiting.add(id);
    let l = 1;
    for (const p of parents.get(id) || []) if (kind.get(p) === 'metric') l = Math.max(l, of(p) + 1);
    visiting.delete(id);
    layer.set(id, l);
    return l;
  };
  let maxMetric = 0;
  for (const n of g.nodes) if (n.kind === 'metric') maxMetric = Math.max(maxMetric, of(n.id));
  for (const n of g.nodes) if (n.kind === 'param') layer.set(n.id, 0);
  for (const n of g.nodes) if (n.kind === 'objective') layer.set(n.id, maxMetric + 1);
  return layer;
}

/*
 * Positions {id: {x, y}} for the visible graph, left to right. The grouped
 * parameters are laid out as one tall node and then stacked inside it.
 */
export function layeredPositions(g) {
  const layer = layers(g);
  const dg = new Graph({ multigraph: false });
  dg.setGraph({ rankdir: 'LR', ranker: 'none', nodesep: 8, ranksep: 80, edgesep: 6, marginx: 10, marginy: 10 });
  dg.setDefaultEdgeLabel(() => ({}));
  const grouped = g.nodes.filter((n) => n.parent === DIRECT_GROUP);
  const groupW = Math.max(0, ...grouped.map((n) => labelWidth(n.label)));
  if (grouped.length) dg.setNode(DIRECT_GROUP, { width: groupW + 16, height: grouped.length * (NODE_H + 6) + 26, rank: 0 });
  for (const n of g.nodes) {
    if (n.parent === DIRECT_GROUP) continue;
    dg.setNode(n.id, { width: labelWidth(n.label), height: n.kind === 'objective' ? NODE_H + 6 : NODE_H, rank: 2 * (layer.get(n.id) ?? 1) });
  }
  const endOf = (id) => (g.nodes.find((n) => n.id === id)?.parent === DIRECT_GROUP ? DIRECT_GROUP : id);
  for (const e of g.edges) {
    const a = endOf(e.from);
    const b = endOf(e.to);
    if (a === b || e.origin === 'forbidden') continue;
    if ((dg.node(a).rank ?? 0) >= (dg.node(b).rank ?? 0)) continue; // against the layers: drawn, not laid out
    dg.setEdge(a, b, { weight: e.weight === null ? 1 : 1 + Math.abs(e.weight) });
  }
  layout(dg);
  const pos = {};
  for (const id of dg.nodes()) {
    const n = dg.node(id);
    if (id !== DIRECT_GROUP) pos[id] = { x: n.x, y: n.y };
  }
  if (grouped.length) {
    const box = dg.node(DIRECT_GROUP);
    const top = box.y - box.height / 2 + 20;
    grouped
      .sort((a, b) => a.id.localeCompare(b.id))
      .forEach((n, i) => {
        pos[n.id] = { x: box.x, y: top + i * (NODE_H + 6) + NODE_H / 2 };
      });
  }
  return pos;
}
