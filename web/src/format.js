// Number, date, factor and percentage formatting shared by the views. The Intl
// formatters are built once: toLocaleString with options builds a new one on
// every call, which costs more than the rest of a table render.

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const SIG5 = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 5 });
const PCT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const DATE = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export function fmtNum(v) {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return INT.format(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return SIG5.format(v);
}

/* An improvement factor as the CLI prints it: "10.94x". */
export function fmtFactor(f) {
  if (f === null || f === undefined || !Number.isFinite(f)) return '–';
  return f.toFixed(2) + 'x';
}

export function fmtPct(r) {
  if (r === null || r === undefined || !Number.isFinite(r)) return '–';
  return (r > 0 ? '+' : '') + PCT.format(r * 100) + '%';
}

export function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return DATE.format(d);
}

export function fmtParam(v) {
  if (typeof v === 'number') return fmtNum(v);
  if (v === null || v === undefined) return '–';
  return String(v);
}

/* A duration in seconds: "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min". */
export function fmtDuration(sec) {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '–';
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  if (sec < 60) return `${sec < 10 ? sec.toFixed(1) : Math.round(sec)} s`;
  const m = Math.floor(sec / 60);
  if (m < 60) return `${m} min ${String(Math.round(sec - 60 * m)).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m - 60 * h).padStart(2, '0')} min`;
}
