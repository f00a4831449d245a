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
  // A 401 is explained once, under the top bar, next to the token field.
  if (error && error.status === 401) {
    return (
      <div class="state-box empty" role="status" data-testid="needs-token">
        Waiting for an access token: enter it in the Token field above and press Save.
      </div>
    );
  }
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
