// The learned graph (GET /v1/studies/{id}/structure): parameters, metrics and
// the objective as differently styled nodes laid out left to right with dagre;
// learned edges solid, expert edges dashed, each labelled with its weight.
// The cytoscape instance is kept on the element (el.__cy) for the tests.
import { memo } from 'preact/compat';
import { useEffect, useRef } from 'preact/hooks';
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';
import { Empty } from './States.jsx';

cytoscape.use(dagre);

const KINDS = ['param', 'metric', 'objective'];

export function structureElements(structure) {
  const nodes = new Map();
  for (const n of structure.nodes || []) {
    const kind = KINDS.includes(n.kind) ? n.kind : 'metric';
    nodes.set(n.name, { data: { id: n.name, label: n.name, kind, w: labelWidth(n.name) } });
  }
  const edges = [];
  for (const e of structure.edges || []) {
    for (const end of [e.from, e.to]) {
      if (!nodes.has(end)) nodes.set(end, { data: { id: end, label: end, kind: 'metric', w: labelWidth(end) } });
    }
    const w = typeof e.weight === 'number' ? e.weight : null;
    edges.push({
      data: {
        id: `${e.from}->${e.to}`,
        source: e.from,
        target: e.to,
        origin: e.source === 'expert' ? 'expert' : 'learned',
        weight: w,
        absw: w === null ? 0.5 : Math.min(Math.abs(w), 2),
        sign: w !== null && w < 0 ? 'neg' : 'pos',
        label: w === null ? (e.source === 'expert' ? 'expert' : '') : w.toFixed(2),
      },
    });
  }
  return [...nodes.values(), ...edges];
}

function labelWidth(s) {
  return Math.max(56, Math.min(220, s.length * 6.6 + 18));
}

const STYLE = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-valign': 'center',
      'text-halign': 'center',
      'font-size': 11,
      'font-family': 'system-ui, sans-serif',
      width: 'data(w)',
      height: 28,
      'border-width': 1.5,
      color: '#111827',
    },
  },
  { selector: 'node[kind="param"]', style: { shape: 'round-rectangle', 'background-color': '#dbeafe', 'border-color': '#2563eb' } },
  { selector: 'node[kind="metric"]', style: { shape: 'ellipse', 'background-color': '#f3f4f6', 'border-color': '#6b7280' } },
  {
    selector: 'node[kind="objective"]',
    style: {
      shape: 'round-rectangle',
      'background-color': '#fde68a',
      'border-color': '#b45309',
      'border-width': 3,
      'font-weight': 'bold',
      height: 34,
    },
  },
  {
    selector: 'edge',
    style: {
      'curve-style': 'bezier',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.9,
      width: 'mapData(absw, 0, 2, 1, 5)',
      'line-color': '#2563eb',
      'target-arrow-color': '#2563eb',
      label: 'data(label)',
      'font-size': 10,
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': 1,
      'text-rotation': 'autorotate',
      'text-margin-y': -7,
      color: '#374151',
    },
  },
  { selector: 'edge[sign="neg"]', style: { 'line-color': '#dc2626', 'target-arrow-color': '#dc2626' } },
  { selector: 'edge[origin="expert"]', style: { 'line-style': 'dashed', 'line-dash-pattern': [6, 4] } },
];

function StructureGraphImpl({ structure, algorithm }) {
  const el = useRef(null);
  // Nodes without edges (the parameters and the objective before anything is
  // learnt) say nothing yet: that is the empty state too.
  const hasGraph =
    structure && Array.isArray(structure.nodes) && structure.nodes.length > 0 && Array.isArray(structure.edges) && structure.edges.length > 0;

  useEffect(() => {
    if (!hasGraph) return undefined;
    const cy = cytoscape({
      container: el.current,
      elements: structureElements(structure),
      style: STYLE,
      layout: { name: 'dagre', rankDir: 'LR', nodeSep: 18, rankSep: 90, edgeSep: 10 },
      // The wheel scrolls the page, not the graph; drag to pan, nodes can be moved.
      userZoomingEnabled: false,
      boxSelectionEnabled: false,
    });
    el.current.__cy = cy;
    // Fit the graph, but never blow a small graph up past 1.2x.
    const fit = () => {
      cy.resize();
      cy.fit(undefined, 16);
      if (cy.zoom() > 1.2) {
        cy.zoom(1.2);
        cy.center();
      }
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      cy.destroy();
    };
  }, [structure]);

  if (!hasGraph) {
    return (
      <Empty testid="structure-empty">
        No structure learnt yet. The service learns the graph of parameters → metrics → objective from the metrics the trials
        report (and their logs), once enough trials have completed{algorithm && algorithm !== 'bograph' ? `; this study's ${algorithm} algorithm does not use it for its suggestions` : ''}.
      </Empty>
    );
  }
  const edges = structure.edges || [];
  const learned = edges.filter((e) => e.source !== 'expert').length;
  const expert = edges.length - learned;
  return (
    <div class="structure">
      <p class="caption" data-testid="structure-caption">
        {typeof structure.learned_at_trial === 'number' && structure.learned_at_trial > 0 ? (
          <>
            Learnt at trial <strong>{structure.learned_at_trial}</strong>
          </>
        ) : (
          'Not learnt from trials yet (expert knowledge only)'
        )}
        {structure.algorithm ? ` with ${structure.algorithm}` : ''} · {structure.nodes.length} nodes · {learned} learned and{' '}
        {expert} expert edges
      </p>
      <div ref={el} class="graph" data-testid="structure-graph" />
      <div class="legend">
        <span class="lg-node param">parameter</span>
        <span class="lg-node metric">metric</span>
        <span class="lg-node objective">objective</span>
        <span class="lg-edge learned">learned edge</span>
        <span class="lg-edge expert">expert edge</span>
        <span class="lg-edge neg">negative weight</span>
        <span class="muted">numbers: edge weights</span>
      </div>
    </div>
  );
}

// Re-rendered only when its props change, not on every render of the page.
export const StructureGraph = memo(StructureGraphImpl);
