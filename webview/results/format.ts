/** Number and time formatting for the results table, the histogram axes and the Markdown copy. */

/** Milliseconds with 3 significant decimals for small values, fewer for large ones (2714.9, 45.12, 2.456). */
export function formatMs(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return v.toFixed(a >= 1000 ? 1 : a >= 100 ? 2 : 3);
}

export function formatRate(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return v.toFixed(Math.abs(v) >= 100 ? 1 : 2);
}

export function formatRatio(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return `${v >= 0.01 ? v.toFixed(2) : v.toPrecision(2)}×`;
}

/** An axis label for a bin edge: as many decimals as the bin width needs. */
export function formatEdge(v: number, width: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(width)) + 1));
  return v.toFixed(decimals);
}

export function formatWhen(iso: string | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
