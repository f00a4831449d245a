// Top bar: the name, a link to the studies, and the access token field. The
// token is kept in localStorage and sent as `Authorization: Bearer`; a 401
// from any request shows a message here.
import { useEffect, useRef, useState } from 'preact/hooks';
import { getToken, setToken, subscribeAuth } from '../api.js';

export function Header() {
  const [auth, setAuth] = useState({ needed: false, message: '' });
  const [draft, setDraft] = useState(getToken());
  const [saved, setSaved] = useState(getToken() !== '');
  const input = useRef(null);
  useEffect(() => subscribeAuth(setAuth), []);
  useEffect(() => {
    if (auth.needed && input.current) input.current.focus();
  }, [auth.needed]);

  const save = (e) => {
    e.preventDefault();
    setToken(draft.trim());
    setSaved(draft.trim() !== '');
    // Views listen for this and fetch again with the new token.
    window.dispatchEvent(new CustomEvent('bograph:token'));
  };
  const clear = () => {
    setDraft('');
    setToken('');
    setSaved(false);
    window.dispatchEvent(new CustomEvent('bograph:token'));
  };

  return (
    <header class="topbar">
      <a class="brand" href="#/">
        <span class="logo">◆</span> bograph
      </a>
      <nav>
        <a href="#/">Studies</a>
      </nav>
      <form class="token" onSubmit={save} aria-label="Access token">
        <label for="token-input">Token</label>
        <input
          id="token-input"
          ref={input}
          type="password"
          autocomplete="off"
          placeholder={saved ? 'saved' : 'none'}
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
        <button type="submit">Save</button>
        {saved && (
          <button type="button" class="ghost" onClick={clear}>
            Clear
          </button>
        )}
      </form>
      {auth.needed && (
        <div class="auth-banner" role="alert" id="auth-message">
          {auth.message}
        </div>
      )}
    </header>
  );
}
