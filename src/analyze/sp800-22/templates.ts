/**
 * The aperiodic m-bit templates of the non-overlapping template test (SP 800-22 §2.7): templates
 * B with no proper border (no shift 1 ≤ s < m with B[s..m−1] = B[0..m−1−s]), so no two occurrences
 * can overlap. Listed in increasing binary value, which is the order of STS's `templates/template<m>`
 * files (148 templates for m = 9). Each template is returned as its integer value, first bit most
 * significant.
 */
export function aperiodicTemplates(m: number): number[] {
  if (m < 2 || m > 21) throw new RangeError(`template length must be 2..21, got ${m}`);
  const out: number[] = [];
  const size = 1 << m;
  for (let t = 0; t < size; t++) {
    let aperiodic = true;
    for (let s = 1; s < m && aperiodic; s++) {
      // bits [s..m−1] are the low m−s bits; bits [0..m−1−s] are the high m−s bits.
      const low = t & ((1 << (m - s)) - 1);
      const high = t >>> s;
      if (low === high) aperiodic = false;
    }
    if (aperiodic) out.push(t);
  }
  return out;
}

/** A template as the '0'/'1' string STS prints (first bit first). */
export function templateString(t: number, m: number): string {
  return t.toString(2).padStart(m, '0');
}
