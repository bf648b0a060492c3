/**
 * Holm's step-down adjusted p-values (Holm 1979, "A simple sequentially rejective multiple test
 * procedure", Scand. J. Statist. 6:65–70): with the m p-values sorted ascending,
 * p̃_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)). Rejecting every hypothesis with p̃ < α controls the
 * family-wise error rate at α under any dependence between the tests (like Bonferroni, which it
 * never rejects less than). Returns the adjusted p-values in the input order.
 */
export function holm(pValues: ArrayLike<number>): Float64Array {
  const m = pValues.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pValues[a] - pValues[b] || a - b);
  const adjusted = new Float64Array(m);
  let running = 0;
  for (let r = 0; r < m; r++) {
    const i = order[r];
    running = Math.max(running, Math.min(1, (m - r) * pValues[i]));
    adjusted[i] = running;
  }
  return adjusted;
}
