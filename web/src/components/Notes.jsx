// The study's notes: free text kept with the study (PATCH /v1/studies/{id}
// {"notes": ...}), edited in place; Save sends it, errors show under it.
import { useEffect, useState } from 'preact/hooks';
import { patchStudy } from '../api.js';

export function Notes({ study, onSaved }) {
  const stored = study.notes || '';
  const [text, setText] = useState(stored);
  const [state, setState] = useState(null); // null | 'saving' | 'saved' | Error
  useEffect(() => {
    if (state !== 'saving') setText((t) => (t === '' || state === 'saved' ? stored : t));
  }, [stored]);
  const dirty = text !== stored;
  const save = async () => {
    setState('saving');
    try {
      const s = await patchStudy(study.id, { notes: text === '' ? null : text });
      setState('saved');
      onSaved(s);
    } catch (e) {
      setState(e);
    }
  };
  return (
    <div class="notes" data-testid="notes">
      <textarea
        value={text}
        rows={3}
        maxLength={20000}
        placeholder="Notes about this study (what was tried, why, what to look at next)…"
        onInput={(e) => {
          setText(e.currentTarget.value);
          if (state === 'saved') setState(null);
        }}
        data-testid="notes-input"
      />
      <div class="notes-bar">
        <button type="button" disabled={!dirty || state === 'saving'} onClick={save} data-testid="notes-save">
          {state === 'saving' ? 'Saving…' : 'Save notes'}
        </button>
        {state === 'saved' && !dirty && (
          <span class="ok-inline" data-testid="notes-saved">
            Saved with the study.
          </span>
        )}
        {state instanceof Error && (
          <span class="error-inline" data-testid="notes-error">
            {state.message}
          </span>
        )}
        {dirty && state !== 'saving' && <span class="muted">unsaved</span>}
      </div>
    </div>
  );
}
