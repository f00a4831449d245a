// Number, date and percentage formatting shared by the views.

export function fmtNum(v) {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return v.toLocaleString('en-US', { maximumSignificantDigits: 5 });
}

export function fmtPct(r) {
  if (r === null || r === undefined || !Number.isFinite(r)) return '–';
  const s = (r * 100).toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  return (r > 0 ? '+' : '') + s + '%';
}

export function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtParam(v) {
  if (typeof v === 'number') return fmtNum(v);
  if (v === null || v === undefined) return '–';
  return String(v);
}
