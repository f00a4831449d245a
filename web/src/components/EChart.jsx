// A div holding one ECharts instance: created once, given a new option when
// the option changes, resized with its container, disposed on unmount. The
// instance is kept on the element (el.__chart) so the browser tests can read
// what was actually plotted.
import { useEffect, useRef } from 'preact/hooks';
import { echarts } from '../charts.js';

export function EChart({ option, onClick, class: cls, testid, height = 320 }) {
  const el = useRef(null);
  const chart = useRef(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;

  useEffect(() => {
    const c = echarts.init(el.current, null, { renderer: 'canvas' });
    chart.current = c;
    el.current.__chart = c;
    c.on('click', (p) => clickRef.current && clickRef.current(p));
    // The observer also fires once right away: redraw only on a real change
    // of size, since a redraw of 10,000 lines takes a noticeable moment.
    let w = el.current.clientWidth;
    let h = el.current.clientHeight;
    const ro = new ResizeObserver(() => {
      if (!el.current || (el.current.clientWidth === w && el.current.clientHeight === h)) return;
      w = el.current.clientWidth;
      h = el.current.clientHeight;
      c.resize();
    });
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (chart.current && option) chart.current.setOption(option, { notMerge: true, lazyUpdate: true });
  }, [option]);

  return <div ref={el} class={`chart ${cls || ''}`} data-testid={testid} style={{ height: `${height}px` }} />;
}
