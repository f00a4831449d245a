// The learned graph (GET /v1/studies/{id}/structure), readable at 40 nodes:
// fixed layers left to right (parameters, metrics, objective; graphLayout.js),
// learned edges under a weight threshold hidden, learned and expert edges
// shown together or apart, hovering or selecting a node highlights its
// parents and children and dims the rest, labels 12 px with long metric names
// shortened by their shared prefix, parameters that reach the objective only
// directly grouped in one box. "Edit knowledge" turns it into the editor
// (KnowledgeEditor.jsx). The cytoscape instance is kept on the element
// (el.__cy) for the tests.
import { memo } from 'preact/compat';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import cytoscape from 'cytoscape';
import { DIRECT_GROUP, defaultThreshold, labelWidth, layeredPositions, visibleGraph } from '../graphLayout.js';
import { fmtNum } from '../format.js';
import { Empty } from './States.jsx';

export function structureElements(g) {
  const els = [];
  if (g.direct.length) els.push({ data: { id: DIRECT_GROUP, label: `${g.direct.length} parameters → objective only`, kind: 'group' } });
  for (const n of g.nodes) {
    els.push({ data: { id: n.id, label: n.label, full: n.id, kind: n.kind, w: labelWidth(n.label), ...(n.parent ? { parent: n.parent } : {}) } });
  }
  for (const e of g.edges) {
    const w = e.weight;
    els.push({
      data: {
        id: `${e.origin}:${e.from}->${e.to}`,
        source: e.from,
        target: e.to,
        origin: e.origin,
        weight: w,
        absw: w === null ? 0.5 : Math.min(Math.abs(w), 2),
        sign: w !== null && w < 0 ? 'neg' : 'pos',
        label: w === null ? '' : w.toFixed(2),
      },
    });
  }
  return els;
}

const MIN_ZOOM = 11 / 12; // node labels are 12 px
const MIN_HEIGHT = 300;
const MAX_HEIGHT = 900;

const STYLE = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-valign': 'center',
      'text-halign': 'center',
      'font-size': 12,
      'font-family': 'system-ui, sans-serif',
      width: 'data(w)',
      height: 28,
      'border-width': 1.5,
      color: '#111827',
    },
  },
  { selector: 'node[kind="param"]', style: { shape: 'round-rectangle', 'background-color': '#dbeafe', 'border-color': '#2563eb' } },
  { selector: 'node[kind="metric"]', style: { shape: 'round-rectangle', 'background-color': '#f3f4f6', 'border-color': '#6b7280', 'corner-radius': 14 } },
  {
    selector: 'node[kind="objective"]',
    style: { shape: 'round-rectangle', 'background-color': '#fde68a', 'border-color': '#b45309', 'border-width': 3, 'font-weight': 'bold', height: 34 },
  },
  {
    selector: 'node[kind="group"]',
    style: {
      shape: 'round-rectangle',
      'background-color': '#eff6ff',
      'background-opacity': 0.6,
      'border-color': '#93c5fd',
      'border-style': 'dashed',
      'text-valign': 'top',
      'text-halign': 'center',
      'font-size': 11,
      color: '#1e40af',
      padding: 8,
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
      'font-size': 11,
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.9,
      'text-background-padding': 1,
      'text-rotation': 'autorotate',
      color: '#374151',
      opacity: 0.75,
    },
  },
  { selector: 'edge[sign="neg"]', style: { 'line-color': '#dc2626', 'target-arrow-color': '#dc2626' } },
  { selector: 'edge[origin="expert"]', style: { 'line-style': 'dashed', 'line-dash-pattern': [6, 4], 'line-color': '#7c3aed', 'target-arrow-color': '#7c3aed', opacity: 0.9 } },
  { selector: 'edge[origin="draft"]', style: { 'line-style': 'dashed', 'line-color': '#059669', 'target-arrow-color': '#059669', width: 3, opacity: 1 } },
  {
    selector: 'edge[origin="forbidden"]',
    style: { 'line-style': 'dotted', 'line-color': '#9ca3af', 'target-arrow-shape': 'tee', 'target-arrow-color': '#9ca3af', width: 2, opacity: 1 },
  },
  { selector: 'edge.labelled', style: { label: 'data(label)' } },
  { selector: '.faded', style: { opacity: 0.12, 'text-opacity': 0.25 } },
  { selector: 'node.focus', style: { 'border-width': 4, 'border-color': '#111827' } },
  { selector: 'edge.hl', style: { opacity: 1, label: 'data(label)', 'z-index': 10 } },
  { selector: 'node.link-source', style: { 'border-width': 4, 'border-color': '#059669' } },
  { selector: 'node.link-target', style: { 'border-width': 4, 'border-color': '#059669', 'background-color': '#d1fae5' } },
];

/* Highlights node n's parents and children (and the edges between), dims
   the rest; with no node, everything back to normal. */
function focusNode(cy, n) {
  cy.batch(() => {
    cy.elements().removeClass('faded hl focus');
    if (!n || n.data('kind') === 'group') return;
    const near = n.closedNeighborhood();
    cy.elements().not(near).not(n.ancestors()).addClass('faded');
    near.edges().addClass('hl');
    n.addClass('focus');
  });
}

function StructureGraphImpl({ structure, algorithm, editor, extraEdges, onPick, onLink }) {
  const el = useRef(null);
  const cyRef = useRef(null);
  const pickRef = useRef(onPick);
  pickRef.current = onPick;
  const linkRef = useRef(onLink);
  linkRef.current = onLink;
  const hasGraph = structure && Array.isArray(structure.nodes) && structure.nodes.length > 0 && Array.isArray(structure.edges) && (structure.edges.length > 0 || editor);
  const learnedWeights = useMemo(
    () => (structure && structure.edges ? structure.edges.filter((e) => e.source !== 'expert' && typeof e.weight === 'number').map((e) => Math.abs(e.weight)) : []),
    [structure],
  );
  const maxW = learnedWeights.length ? Math.max(...learnedWeights) : 0;
  const [threshold, setThreshold] = useState(() => (structure && structure.edges ? defaultThreshold(structure.edges) : 0));
  const [show, setShow] = useState('all');
  const [selected, setSelected] = useState(null);

  const g = useMemo(
    () => (hasGraph ? visibleGraph(structure, { threshold, show, extra: extraEdges || [] }) : null),
    [structure, threshold, show, extraEdges, hasGraph],
  );

  useEffect(() => {
    if (!g) return undefined;
    const pos = layeredPositions(g);
    const cy = cytoscape({
      container: el.current,
      elements: structureElements(g),
      style: STYLE,
      layout: { name: 'preset', positions: (n) => pos[n.id()] || { x: 0, y: 0 }, fit: false },
      // The wheel scrolls the page, not the graph; drag the background to pan.
      userZoomingEnabled: false,
      boxSelectionEnabled: false,
      autoungrabify: !!editor,
    });
    cyRef.current = cy;
    el.current.__cy = cy;
    setSelected(null); // a new graph: nothing pinned
    if (g.edges.length <= 25) cy.edges().addClass('labelled');
    // Labels stay at least 11 px on screen (12 px at zoom >= 0.92): a wide
    // graph is not shrunk below that, it is panned (drag the background);
    // the box grows with the graph's height.
    const box = el.current;
    const fit = () => {
      if (cy.destroyed()) return;
      const bb = cy.elements().boundingBox();
      const w = box.clientWidth - 32;
      const z = Math.min(1.2, Math.max(MIN_ZOOM, w / Math.max(1, bb.w)));
      const h = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, bb.h * z + 40));
      if (box.style.height !== `${h}px`) box.style.height = `${h}px`;
      cy.resize();
      cy.zoom(z);
      const left = bb.w * z < w ? 16 + (w - bb.w * z) / 2 : 16;
      cy.pan({ x: left - bb.x1 * z, y: (h - bb.h * z) / 2 - bb.y1 * z });
    };
    fit();
    let pinned = null;
    cy.on('mouseover', 'node', (e) => !pinned && focusNode(cy, e.target));
    cy.on('mouseout', 'node', () => !pinned && focusNode(cy, null));
    cy.on('tap', (e) => {
      if (e.target === cy) {
        pinned = null;
        focusNode(cy, null);
        setSelected(null);
        if (pickRef.current) pickRef.current(null);
      }
    });
    cy.on('tap', 'node', (e) => {
      if (e.target.data('kind') === 'group') return;
      pinned = e.target;
      focusNode(cy, e.target);
      setSelected(e.target.id());
      if (pickRef.current) pickRef.current({ node: e.target.id() });
    });
    cy.on('tap', 'edge', (e) => {
      const d = e.target.data();
      if (pickRef.current) pickRef.current({ edge: { from: d.source, to: d.target, origin: d.origin, weight: d.weight } });
    });
    if (editor) {
      // Drag from one node to another: require that edge.
      let src = null;
      let over = null;
      cy.on('tapstart', 'node', (e) => {
        if (e.target.data('kind') === 'group') return;
        src = e.target;
        src.addClass('link-source');
      });
      cy.on('tapdragover', 'node', (e) => {
        if (!src || e.target === src || e.target.data('kind') === 'group') return;
        if (over) over.removeClass('link-target');
        over = e.target;
        over.addClass('link-target');
      });
      cy.on('tapdragout', 'node', (e) => {
        if (over === e.target) {
          over.removeClass('link-target');
          over = null;
        }
      });
      cy.on('tapend', () => {
        if (src && over && linkRef.current) linkRef.current(src.id(), over.id());
        if (src) src.removeClass('link-source');
        if (over) over.removeClass('link-target');
        src = null;
        over = null;
      });
    }
    const ro = new ResizeObserver(fit);
    ro.observe(box);
    return () => {
      ro.disconnect();
      cy.destroy();
      cyRef.current = null;
    };
  }, [g, editor]);

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
  const shownLearned = g.edges.filter((e) => e.origin === 'learned').length;
  const nodes = structure.nodes.length;
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
        {structure.algorithm ? ` with ${structure.algorithm}` : ''} · {nodes} nodes · {learned} learned and {expert} expert edges
        {shownLearned < learned && show !== 'expert' ? (
          <span data-testid="structure-hidden">
            {' '}
            · showing {shownLearned} learned edges with |weight| ≥ {fmtNum(threshold)}
          </span>
        ) : null}
        {g.direct.length ? ` · ${g.direct.length} parameters that reach the objective only directly are grouped` : ''}
      </p>
      <div class="graph-tools">
        <label title="Learned edges with a smaller |weight| are hidden; expert edges are always shown">
          min |weight|{' '}
          <input
            type="range"
            min="0"
            max={maxW || 1}
            step={(maxW || 1) / 100}
            value={threshold}
            data-testid="structure-threshold"
            onInput={(e) => setThreshold(Number(e.currentTarget.value))}
          />{' '}
          <span class="num">{fmtNum(Number(threshold.toPrecision(3)))}</span>
        </label>
        <label>
          edges{' '}
          <select value={show} onChange={(e) => setShow(e.currentTarget.value)} data-testid="structure-show">
            <option value="all">learned and expert</option>
            <option value="learned">learned only</option>
            <option value="expert">expert only</option>
          </select>
        </label>
        <span class="muted">
          {selected ? `selected: ${selected} (click the background to clear)` : 'hover or click a node to see its parents and children; drag the background to pan'}
        </span>
      </div>
      <div ref={el} class={`graph ${editor ? 'editing' : ''}`} data-testid="structure-graph" />
      <div class="legend">
        <span class="lg-node param">parameter</span>
        <span class="lg-node metric">metric</span>
        <span class="lg-node objective">objective</span>
        <span class="lg-edge learned">learned edge</span>
        <span class="lg-edge expert">expert edge</span>
        <span class="lg-edge neg">negative weight</span>
        {editor && <span class="lg-edge draft">required (unsaved)</span>}
        {editor && <span class="lg-edge forbidden">forbidden</span>}
        <span class="muted">edge numbers: weights (shown on hover)</span>
      </div>
    </div>
  );
}

// Re-rendered only when its props change, not on every render of the page.
export const StructureGraph = memo(StructureGraphImpl);
