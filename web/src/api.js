// HTTP client for the bograph REST API (docs/api.md): JSON in and
// out, the access token from localStorage sent as `Authorization: Bearer`, and
// the service's error body turned into an ApiError the views can show.

const TOKEN_KEY = 'bograph.token';
const listeners = new Set();
let authState = { needed: false, message: '' };

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'http_error';
    this.field = field || null;
  }
}

// The token is kept in localStorage so it survives reloads; when storage is
// disabled it lives in this variable for the page's lifetime.
let token = readStoredToken();

function readStoredToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function getToken() {
  return token;
}

export function setToken(next) {
  token = next || '';
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: the token lives for this page only */
  }
  setAuthState({ needed: false, message: '' });
}

/* Auth state: whether the last request was refused with 401. */
export function subscribeAuth(fn) {
  listeners.add(fn);
  fn(authState);
  return () => listeners.delete(fn);
}

function setAuthState(next) {
  if (next.needed === authState.needed && next.message === authState.message) return;
  authState = next;
  for (const fn of listeners) fn(authState);
}

function apiUrl(path) {
  // Relative to the page so the dashboard also works under a path prefix.
  return new URL(path.replace(/^\//, ''), document.baseURI).toString();
}

export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(apiUrl(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', `Cannot reach the bograph service (${e.message}).`);
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      if (res.ok) throw new ApiError(res.status, 'bad_response', `The service answered ${path} with something that is not JSON.`);
    }
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    if (res.status === 401) {
      const msg = token
        ? 'The service refused the access token (401). Check it and save it again.'
        : 'This service needs an access token (401). Enter it in the token field above.';
      setAuthState({ needed: true, message: msg });
      throw new ApiError(401, err.code || 'unauthenticated', msg);
    }
    throw new ApiError(res.status, err.code, err.message || `${method} ${path} failed with HTTP ${res.status}`, err.field);
  }
  if (authState.needed) setAuthState({ needed: false, message: '' });
  return data;
}

/* Studies: GET /v1/studies may answer a bare array or {"studies": [...]}. */
export async function listStudies(signal) {
  const data = await api('/v1/studies', { signal });
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.studies)) return data.studies;
  throw new ApiError(200, 'bad_response', 'GET /v1/studies did not answer a list of studies.');
}

export const getStudy = (id, signal) => api(`/v1/studies/${encodeURIComponent(id)}`, { signal });

export const getBest = (id, signal) => api(`/v1/studies/${encodeURIComponent(id)}/best`, { signal });

export const getTrial = (id, tid, signal) =>
  api(`/v1/studies/${encodeURIComponent(id)}/trials/${encodeURIComponent(tid)}`, { signal });

export const getTrialsPage = (id, afterSeq, limit, signal) =>
  api(`/v1/studies/${encodeURIComponent(id)}/trials?after_seq=${afterSeq}&limit=${limit}`, { signal });

/* Optional endpoints: null when the service answers 404 (not there, or nothing yet). */
async function optional(path, signal) {
  try {
    return await api(path, { signal });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export const getStructure = (id, signal) => optional(`/v1/studies/${encodeURIComponent(id)}/structure`, signal);

export const getImportance = (id, signal) => optional(`/v1/studies/${encodeURIComponent(id)}/importance`, signal);

/* PUT /v1/studies/{id}/knowledge; dryRun: the service checks it (same 400s)
   and stores nothing. */
export const putKnowledge = (id, knowledge, dryRun = false, signal) =>
  api(`/v1/studies/${encodeURIComponent(id)}/knowledge${dryRun ? '?dry_run=true' : ''}`, { method: 'PUT', body: knowledge, signal });

/* PATCH /v1/studies/{id} (name, budget, state, notes). */
export const patchStudy = (id, fields) => api(`/v1/studies/${encodeURIComponent(id)}`, { method: 'PATCH', body: fields });

export const deleteStudy = (id) => api(`/v1/studies/${encodeURIComponent(id)}`, { method: 'DELETE' });
