// The structure panel: the learned graph, and its "Edit knowledge" mode. In
// that mode dragging from one node to another requires that edge, clicking a
// learned edge offers to forbid it, clicking an expert edge to remove it, and
// clicking a metric or the objective gives it a formula of its parents,
// checked as it is typed with PUT .../knowledge?dry_run=true (the service's
// own validation, nothing stored). Save sends PUT /v1/studies/{id}/knowledge
// (with the token, as every call) and shows the service's error in place;
// the service relearns the graph with it at the next suggestion.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { putKnowledge } from '../api.js';
import { StructureGraph } from './StructureGraph.jsx';

const key = (e) => `${e[0]}\u2192${e[1]}`;

export function normaliseKnowledge(k) {
  const pairs = (a) => (Array.isArray(a) ? a.filter((e) => Array.isArray(e) && e.length === 2).map((e) => [String(e[0]), String(e[1])]) : []);
  return {
    edges: pairs(k && k.edges),
    forbidden: pairs(k && k.forbidden),
    models: k && k.models && typeof k.models === 'object' ? { ...k.models } : {},
  };
}

/* The changes from `from` to `to`, as lines a person reads. */
export function knowledgeChanges(from, to) {
  const out = [];
  const diff = (a, b) => a.filter((e) => !b.some((x) => key(x) === key(e)));
  for (const e of diff(to.edges, from.edges)) out.push({ kind: 'require', edge: e, text: `require ${e[0]} → ${e[1]}` });
  for (const e of diff(from.edges, to.edges)) out.push({ kind: 'unrequire', edge: e, text: `remove required ${e[0]} → ${e[1]}` });
  for (const e of diff(to.forbidden, from.forbidden)) out.push({ kind: 'forbid', edge: e, text: `forbid ${e[0]} → ${e[1]}` });
  for (const e of diff(from.forbidden, to.forbidden)) out.push({ kind: 'allow', edge: e, text: `allow ${e[0]} → ${e[1]} again` });
  const names = new Set([...Object.keys(from.models), ...Object.keys(to.models)]);
  for (const n of names) {
    if (from.models[n] === to.models[n]) continue;
    out.push({ kind: 'model', node: n, text: to.models[n] === undefined ? `remove the formula of ${n}` : `${n} = ${to.models[n]}` });
  }
  return out;
}

export function KnowledgePanel({ study, structure, onSaved }) {
  const original = useMemo(() => normaliseKnowledge(study.knowledge), [study.knowledge]);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(original);
  const [picked, setPicked] = useState(null);
  const [formula, setFormula] = useState('');
  const [check, setCheck] = useState(null); // {state: 'checking'|'ok'|'error', message, field}
  const [saveError, setSaveError] = useState(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(null);
  const [readOnly, setReadOnly] = useState(null);
  const [linkFrom, setLinkFrom] = useState('');
  const [linkTo, setLinkTo] = useState('');
  const checkSeq = useRef(0);

  useEffect(() => {
    if (!editing) setDraft(original);
  }, [original, editing]);

  const nodes = useMemo(() => (structure && structure.nodes ? structure.nodes : []), [structure]);
  const kindOf = (n) => (nodes.find((x) => x.name === n) || {}).kind || 'metric';
  const changes = useMemo(() => knowledgeChanges(original, draft), [original, draft]);

  // Edges drawn only while editing: required edges not in the graph yet, and
  // the forbidden ones (so they can be allowed again).
  const extraEdges = useMemo(() => {
    if (!editing || !structure) return [];
    const inGraph = new Set((structure.edges || []).map((e) => `${e.from}\u2192${e.to}`));
    const drafted = draft.edges.filter((e) => !inGraph.has(key(e))).map((e) => ({ from: e[0], to: e[1], origin: 'draft' }));
    const forbidden = draft.forbidden.map((e) => ({ from: e[0], to: e[1], origin: 'forbidden' }));
    return [...drafted, ...forbidden];
  }, [editing, draft, structure]);

  const start = async () => {
    setSaved(null);
    setSaveError(null);
    // Can this browser change the knowledge? A dry run of what is stored says.
    try {
      await putKnowledge(study.id, original, true);
      setReadOnly(null);
    } catch (e) {
      if (e.status === 401) {
        setReadOnly('Read-only: this service needs an access token to change the knowledge (enter it in the token field above).');
        return;
      }
    }
    setDraft(original);
    setPicked(null);
    setEditing(true);
  };

  const update = (fn) => {
    setSaveError(null);
    setDraft((d) => fn({ edges: d.edges.slice(), forbidden: d.forbidden.slice(), models: { ...d.models } }));
  };
  const requireEdge = (a, b) => {
    if (!a || !b || a === b) return;
    update((d) => {
      d.forbidden = d.forbidden.filter((e) => key(e) !== key([a, b]));
      if (!d.edges.some((e) => key(e) === key([a, b]))) d.edges.push([a, b]);
      return d;
    });
  };
  const forbidEdge = (a, b) =>
    update((d) => {
      d.edges = d.edges.filter((e) => key(e) !== key([a, b]));
      if (!d.forbidden.some((e) => key(e) === key([a, b]))) d.forbidden.push([a, b]);
      return d;
    });
  const dropRequired = (a, b) =>
    update((d) => {
      d.edges = d.edges.filter((e) => key(e) !== key([a, b]));
      return d;
    });
  const allowEdge = (a, b) =>
    update((d) => {
      d.forbidden = d.forbidden.filter((e) => key(e) !== key([a, b]));
      return d;
    });
  const undo = (c) => {
    if (c.kind === 'require') dropRequired(...c.edge);
    else if (c.kind === 'unrequire') requireEdge(...c.edge);
    else if (c.kind === 'forbid') allowEdge(...c.edge);
    else if (c.kind === 'allow') forbidEdge(...c.edge);
    else if (c.kind === 'model')
      update((d) => {
        if (original.models[c.node] === undefined) delete d.models[c.node];
        else d.models[c.node] = original.models[c.node];
        return d;
      });
  };

  const pickedNode = picked && picked.node && kindOf(picked.node) !== 'param' ? picked.node : null;
  useEffect(() => {
    if (pickedNode) {
      setFormula(draft.models[pickedNode] || '');
      setCheck(null);
    }
  }, [pickedNode]);

  // The formula, checked as it is typed (debounced) against the service.
  useEffect(() => {
    if (!editing || !pickedNode) return undefined;
    const text = formula.trim();
    if (!text) {
      setCheck(null);
      return undefined;
    }
    const seq = ++checkSeq.current;
    setCheck({ state: 'checking' });
    const ac = new AbortController();
    const t = setTimeout(async () => {
      const k = { ...draft, models: { ...draft.models, [pickedNode]: text } };
      try {
        await putKnowledge(study.id, k, true, ac.signal);
        if (seq === checkSeq.current) setCheck({ state: 'ok' });
      } catch (e) {
        if (e.name === 'AbortError' || seq !== checkSeq.current) return;
        setCheck({ state: 'error', message: e.message, field: e.field });
      }
    }, 250);
    return () => {
      clearTimeout(t);
      ac.abort();
    };
  }, [formula, pickedNode, editing]);

  const setModel = () =>
    update((d) => {
      const text = formula.trim();
      if (text) d.models[pickedNode] = text;
      else delete d.models[pickedNode];
      return d;
    });

  const save = async () => {
    setSaving(true);
    setSaveError(null);
    try {
      const s = await putKnowledge(study.id, draft);
      setEditing(false);
      setPicked(null);
      setSaved(`Saved ${changes.length} change${changes.length === 1 ? '' : 's'}. The service relearns the graph with them at the next suggestion.`);
      onSaved(s);
    } catch (e) {
      setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  const badEntry = saveError && saveError.field ? saveError.field : null;
  const edgeOf = (field) => {
    const m = /^knowledge\.(edges|forbidden)\[(\d+)\]$/.exec(field || '');
    return m ? draft[m[1]][Number(m[2])] : null;
  };
  const badEdge = edgeOf(badEntry);
  const pe = picked && picked.edge;

  return (
    <div class="knowledge-panel">
      <div class="panel-tools">
        {!editing ? (
          <button type="button" onClick={start} data-testid="knowledge-edit">
            Edit knowledge
          </button>
        ) : (
          <>
            <strong class="editing-tag">Editing knowledge</strong>
            <button type="button" class="primary" disabled={saving || changes.length === 0} onClick={save} data-testid="knowledge-save">
              {saving ? 'Saving…' : 'Save'}
            </button>
            <button
              type="button"
              class="ghost"
              onClick={() => {
                setEditing(false);
                setDraft(original);
                setSaveError(null);
                setPicked(null);
              }}
              data-testid="knowledge-cancel"
            >
              Cancel
            </button>
            <span class="muted">Drag from one node to another to require that edge; click an edge or a node for more.</span>
          </>
        )}
        {readOnly && (
          <span class="error-inline" data-testid="knowledge-readonly">
            {readOnly}
          </span>
        )}
        {saved && !editing && (
          <span class="ok-inline" data-testid="knowledge-saved">
            {saved}
          </span>
        )}
      </div>
      <StructureGraph
        structure={structure}
        algorithm={study.algorithm}
        editor={editing}
        extraEdges={extraEdges}
        onPick={setPicked}
        onLink={requireEdge}
      />
      {editing && (
        <div class="knowledge-editor" data-testid="knowledge-editor">
          <div class="ke-col">
            <h3>Require an edge</h3>
            <div class="ke-row">
              <select value={linkFrom} onChange={(e) => setLinkFrom(e.currentTarget.value)} data-testid="link-from">
                <option value="">from…</option>
                {nodes
                  .filter((n) => n.kind !== 'objective')
                  .map((n) => (
                    <option key={n.name} value={n.name}>
                      {n.name}
                    </option>
                  ))}
              </select>
              →
              <select value={linkTo} onChange={(e) => setLinkTo(e.currentTarget.value)} data-testid="link-to">
                <option value="">to…</option>
                {nodes
                  .filter((n) => n.kind !== 'param')
                  .map((n) => (
                    <option key={n.name} value={n.name}>
                      {n.name}
                    </option>
                  ))}
              </select>
              <button type="button" disabled={!linkFrom || !linkTo} onClick={() => requireEdge(linkFrom, linkTo)} data-testid="link-add">
                Require
              </button>
            </div>
            {pe && (
              <div class="ke-picked" data-testid="knowledge-picked-edge">
                <p>
                  {pe.from} → {pe.to} <span class="muted">({pe.origin === 'draft' ? 'required, unsaved' : pe.origin})</span>
                </p>
                {pe.origin === 'learned' && (
                  <button type="button" onClick={() => forbidEdge(pe.from, pe.to)} data-testid="edge-forbid">
                    Forbid this edge
                  </button>
                )}
                {(pe.origin === 'expert' || pe.origin === 'draft') && (
                  <button type="button" onClick={() => dropRequired(pe.from, pe.to)} data-testid="edge-remove">
                    Remove this required edge
                  </button>
                )}
                {pe.origin === 'forbidden' && (
                  <button type="button" onClick={() => allowEdge(pe.from, pe.to)} data-testid="edge-allow">
                    Allow it again
                  </button>
                )}
              </div>
            )}
          </div>
          <div class="ke-col">
            <h3>Formula of a node</h3>
            {pickedNode ? (
              <div class="ke-formula">
                <label>
                  <span class="ke-node">{pickedNode} =</span>
                  <input
                    type="text"
                    value={formula}
                    spellcheck={false}
                    placeholder="e.g. lat * energy (its variables become its parents)"
                    onInput={(e) => setFormula(e.currentTarget.value)}
                    data-testid="formula-input"
                    class={check && check.state === 'error' ? 'invalid' : ''}
                  />
                </label>
                <p class={`ke-check ${check ? check.state : ''}`} data-testid="formula-check">
                  {!check
                    ? 'Type a formula of other nodes: + - * / ^, exp, log, sqrt…'
                    : check.state === 'checking'
                      ? 'checking…'
                      : check.state === 'ok'
                        ? '✓ the service accepts it'
                        : `✕ ${check.message}`}
                </p>
                <button type="button" onClick={setModel} data-testid="formula-set">
                  {formula.trim() ? 'Use this formula' : 'Remove the formula'}
                </button>
              </div>
            ) : (
              <p class="muted">Click a metric or the objective in the graph.</p>
            )}
          </div>
          <div class="ke-col">
            <h3>Changes ({changes.length})</h3>
            {changes.length === 0 ? (
              <p class="muted">None yet.</p>
            ) : (
              <ul class="ke-changes" data-testid="knowledge-changes">
                {changes.map((c) => {
                  const bad =
                    (badEdge && c.edge && key(c.edge) === key(badEdge)) || (badEntry && c.kind === 'model' && badEntry === `knowledge.models.${c.node}`);
                  return (
                    <li key={c.text} class={bad ? 'bad' : ''}>
                      {c.text}{' '}
                      <button type="button" class="ghost small" onClick={() => undo(c)} title="Undo this change">
                        ✕
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
            {saveError && (
              <p class="error-inline" data-testid="knowledge-error">
                The service refused the knowledge: {saveError.message}
                {saveError.field ? ` (${saveError.field})` : ''}
              </p>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
