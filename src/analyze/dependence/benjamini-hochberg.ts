/**
 * Benjamini–Hochberg adjusted p-values (q-values) controlling the false discovery rate (Benjamini &
 * Hochberg 1995, J. R. Statist. Soc. B 57:289–300, step-up procedure §3): with p-values sorted
 * ascending, q_(i) = min_{j ≥ i} min(1, m·p_(j)/j). Rejecting every hypothesis with q ≤ α is the BH
 * procedure at level α. Returns q-values in the input order.
 */
export function benjaminiHochberg(pValues: ArrayLike<number>): Float64Array {
  const m = pValues.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pValues[a] - pValues[b] || a - b);
  const q = new Float64Array(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r];
    running = Math.min(running, (m * pValues[i]) / (r + 1));
    q[i] = Math.min(1, running);
  }
  return q;
}
