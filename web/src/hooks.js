// Small hooks shared by the views.
import { useEffect, useRef, useState } from 'preact/hooks';

/* A number that changes whenever the access token is saved or cleared. */
export function useTokenVersion() {
  const [v, setV] = useState(0);
  useEffect(() => {
    const on = () => setV((x) => x + 1);
    window.addEventListener('bograph:token', on);
    return () => window.removeEventListener('bograph:token', on);
  }, []);
  return v;
}

/* Calls fn every ms milliseconds while enabled, skipping while the tab is hidden. */
export function useInterval(fn, ms, enabled = true) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!enabled) return undefined;
    const h = setInterval(() => {
      if (document.visibilityState !== 'hidden') ref.current();
    }, ms);
    return () => clearInterval(h);
  }, [ms, enabled]);
}

/* Re-renders every ms milliseconds (for "updated 3 s ago" labels). */
export function useNow(ms) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(h);
  }, [ms]);
  return now;
}
