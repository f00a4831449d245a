// Loading, empty and error boxes, the same everywhere.
export function Loading({ children }) {
  return (
    <div class="state-box loading" role="status">
      <span class="spinner" aria-hidden="true" /> {children || 'Loading…'}
    </div>
  );
}

export function Empty({ children, testid }) {
  return (
    <div class="state-box empty" data-testid={testid}>
      {children}
    </div>
  );
}

export function ErrorBox({ error, children }) {
  const msg = error ? error.message || String(error) : '';
  return (
    <div class="state-box error" role="alert">
      {children}
      {children && msg ? ' ' : ''}
      {msg}
    </div>
  );
}

export function StateChip({ state, count }) {
  return (
    <span class={`chip state-${state}`} title={state}>
      {state}
      {count !== undefined ? <b>{count}</b> : null}
    </span>
  );
}
