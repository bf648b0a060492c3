/**
 * SP 800-90B §3.1.5.1.2: the entropy at the output of a vetted conditioning component,
 * h_out = Output_Entropy(n_in, n_out, nw, h_in):
 *   P_high = 2^−h_in,  P_low = (1 − P_high) / (2^n_in − 1),  n = min(n_out, nw),
 *   ψ = 2^(n_in − n)·P_low + P_high,
 *   U = 2^(n_in − n) + √(2·n·2^(n_in − n)·ln 2),  ω = U·P_low,
 *   h_out = −log2 max(ψ, ω)   (ψ and ω capped at 1, as NIST's ea_conditioning does).
 * Computed in the log domain so that n_in of thousands of bits neither overflows nor loses P_high.
 * (ea_conditioning evaluates the same expressions in MPFR with outward rounding; the two agree to far
 * below the 1e-6 any report shows.)
 */
export function conditionedEntropy(nIn: number, nOut: number, nw: number, hIn: number): number {
  for (const [name, v] of [
    ['n_in', nIn],
    ['n_out', nOut],
    ['nw', nw],
  ] as const)
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  if (!(hIn > 0 && hIn <= nIn)) throw new RangeError(`h_in must be in (0, n_in], got ${hIn}`);
  const n = Math.min(nOut, nw);
  // log2(1 − 2^−x), accurate for large and small x
  const log2OneMinusPow = (x: number) => Math.log1p(-(2 ** -x)) / Math.LN2;
  // log2 of 2^(n_in − n)·P_low = −n + log2(1 − 2^−h_in) − log2(1 − 2^−n_in)
  const a = -n + log2OneMinusPow(hIn) - log2OneMinusPow(nIn);
  const logPsi = logSumExp2(a, -hIn);
  const logOmega = a + Math.log1p(Math.sqrt(2 * n * Math.LN2 * 2 ** (n - nIn))) / Math.LN2;
  return -Math.min(0, Math.max(logPsi, logOmega));
}

/** log2(2^x + 2^y). */
function logSumExp2(x: number, y: number): number {
  const m = Math.max(x, y);
  return m + Math.log1p(2 ** (Math.min(x, y) - m)) / Math.LN2;
}
