/**
 * Special functions for p-values: log-gamma, the regularized incomplete gamma functions P and Q,
 * erfc, the standard normal CDF and the chi-square survival function.
 *
 * The incomplete gamma functions follow Cephes (S. L. Moshier, `igam.c`: power series for P when
 * x < a or x < 1, Legendre continued fraction for Q otherwise), which is also what NIST's SP 800-22
 * reference implementation (STS 2.1.2, `cephes.c`) uses, so p-values follow STS's computation
 * (test/sp800-22.test.ts checks all 188 STS p-values of π and √2 to 1e-6, STS's printed precision).
 * For a > 1e5 both use Temme's uniform asymptotic expansion instead (Temme 1979; DiDonato & Morris 1986,
 * ACM TOMS 12(4):377–393; the `asymptotic_series` of SciPy's Cephes `igam.c`, three terms in 1/a): the series
 * and the continued fraction need O(√a) iterations, which never ends in practice for the degrees of
 * freedom a degenerate null can produce (a = 1e20). Below 1e5 every loop is capped at MAX_ITERATIONS
 * all the same. test/special-functions.test.ts checks both paths against mpmath (50 digits).
 * Log-gamma uses the Lanczos approximation (g = 7, 9 coefficients; Numerical Recipes 3rd ed. §6.1),
 * relative error about 1e-15 for x > 0; `test/sp800-22.test.ts` checks it against ln((n−1)!) and ln √π.
 *
 * Names are stable: other modules import `igam`, `igamc`, `erfc`, `logGamma`, `normalCdf`,
 * `chiSquarePValue`.
 */

/** Machine epsilon used by Cephes as the convergence tolerance (2^-53). */
const MACHEP = 2 ** -53;
/** log(2^1024): below -MAXLOG, exp underflows. */
const MAXLOG = 709.782712893384;
const BIG = 2 ** 52;
const BIGINV = 2 ** -52;
/** Shape above which igam/igamc use the asymptotic expansion (relative error ≤ ~1e-12 there, see the tests). */
const ASYMPTOTIC_A = 1e5;
/** Safety cap on series and continued-fraction iterations (a ≤ 1e5 needs a few thousand at most). */
const MAX_ITERATIONS = 100_000;

/**
 * Temme's coefficients d_k,n: C_k(η) = Σ_n d_k,n η^n in Q(a, x) = ½ erfc(η√(a/2)) + e^(−aη²/2)/√(2πa) ·
 * Σ_k C_k(η) a^(−k) (DiDonato & Morris 1986, eq. (32); values as in SciPy's igam.c table `d`, which agree
 * with the closed forms C_0 = 1/(λ−1) − 1/η, C_1 = 1/η³ − 1/(λ−1)³ − 1/(λ−1)² − 1/(12(λ−1)) checked with mpmath).
 */
const TEMME_D = [
  [
    -0.3333333333333333, 0.08333333333333333, -0.014814814814814815, 0.0011574074074074073, 0.0003527336860670194,
    -0.0001787551440329218, 3.919263178522438e-5, -2.1854485106799924e-6, -1.85406221071516e-6, 8.296711340953087e-7,
  ],
  [
    -0.001851851851851852, -0.003472222222222222, 0.0026455026455026454, -0.0009902263374485596, 0.00020576131687242798,
    -4.018775720164609e-7, -1.8098550334489977e-5, 7.64916091608111e-6, -1.6120900894563446e-6, 4.647127802807434e-9,
  ],
  [
    0.004133597883597883, -0.0026813271604938273, 0.0007716049382716049, 2.0093878600823047e-6, -0.00010736653226365161,
    5.2923448829120125e-5, -1.2760635188618728e-5, 3.423578734096138e-8, 1.3721957309062932e-6, -6.298992138380055e-7,
  ],
];

/** d − ln(1 + d) without cancellation for small |d| (its power series d²/2 − d³/3 + d⁴/4 − …). */
function dMinusLog1p(d: number): number {
  if (Math.abs(d) > 0.25) return d - Math.log1p(d);
  let term = d * d;
  let sum = 0;
  for (let k = 2; k < 80; k++) {
    const add = term / k;
    sum += add;
    if (Math.abs(add) <= 1e-17 * Math.abs(sum)) break;
    term *= -d;
  }
  return sum;
}

/**
 * Q(a, x) (or P when `lower`) by Temme's uniform asymptotic expansion, for large a. λ = x/a,
 * η = sign(λ − 1)·√(2(λ − 1 − ln λ)). With a > 1e5 the correction term underflows once |η| > 0.13
 * (e^(−aη²/2) < 1e-320), so the truncated d_k,n series (10 terms) only matters where |η|^10 < 1e-8.
 */
function temme(a: number, x: number, lower: boolean): number {
  const d = (x - a) / a;
  const eta = Math.sign(d) * Math.sqrt(2 * dMinusLog1p(d));
  const main = 0.5 * erfc((lower ? -eta : eta) * Math.sqrt(a / 2));
  if (Math.abs(eta) > 1) return main;
  let sum = 0;
  let ak = 1;
  for (const dk of TEMME_D) {
    let ck = 0;
    for (let n = dk.length - 1; n >= 0; n--) ck = ck * eta + dk[n];
    sum += ck * ak;
    ak /= a;
  }
  const r = (Math.exp(-0.5 * a * eta * eta) / Math.sqrt(2 * Math.PI * a)) * sum;
  return lower ? main - r : main + r;
}

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * ln Γ(x) for real x (ln |Γ(x)| for negative non-integers, +Infinity at the poles x = 0, −1, −2, …).
 * Lanczos approximation; reflection formula Γ(x)Γ(1−x) = π / sin(πx) for x < 0.5.
 */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0.5) {
    if (Number.isInteger(x)) return Number.POSITIVE_INFINITY;
    // ln|Γ(x)| = ln(π / |sin(πx)|) − ln Γ(1 − x)
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  if (x === 1 || x === 2) return 0;
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Regularized lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a) = (1/Γ(a)) ∫₀ˣ e^(−t) t^(a−1) dt.
 * Cephes `igam`: power series when x ≤ 1 or x ≤ a, else 1 − Q(a, x). Returns 0 for x ≤ 0 or a ≤ 0
 * (Cephes' convention, which STS relies on).
 */
export function igam(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0 || a <= 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (a === Number.POSITIVE_INFINITY) return 0;
  if (a > ASYMPTOTIC_A) return temme(a, x, true);
  if (x > 1 && x > a) return 1 - igamc(a, x);
  let ax = a * Math.log(x) - x - logGamma(a);
  if (ax < -MAXLOG) return 0;
  ax = Math.exp(ax);
  let r = a;
  let c = 1;
  let ans = 1;
  let i = 0;
  do {
    r += 1;
    c *= x / r;
    ans += c;
  } while (c / ans > MACHEP && ++i < MAX_ITERATIONS);
  return (ans * ax) / a;
}

/**
 * Regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x) = Γ(a, x) / Γ(a).
 * Cephes `igamc`: continued fraction (Legendre) for x ≥ 1 and x ≥ a, else 1 − P(a, x).
 * This is NIST STS's `cephes_igamc`; SP 800-22 §5.5.3 uses it for most p-values as igamc(a, x).
 * Returns 1 for x ≤ 0 or a ≤ 0.
 */
export function igamc(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0 || a <= 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (a === Number.POSITIVE_INFINITY) return 1;
  if (a > ASYMPTOTIC_A) return temme(a, x, false);
  if (x < 1 || x < a) return 1 - igam(a, x);
  let ax = a * Math.log(x) - x - logGamma(a);
  if (ax < -MAXLOG) return 0;
  ax = Math.exp(ax);
  let y = 1 - a;
  let z = x + y + 1;
  let c = 0;
  let pkm2 = 1;
  let qkm2 = x;
  let pkm1 = x + 1;
  let qkm1 = z * x;
  let ans = pkm1 / qkm1;
  let t: number;
  let i = 0;
  do {
    c += 1;
    y += 1;
    z += 2;
    const yc = y * c;
    const pk = pkm1 * z - pkm2 * yc;
    const qk = qkm1 * z - qkm2 * yc;
    if (qk !== 0) {
      const r = pk / qk;
      t = Math.abs((ans - r) / r);
      ans = r;
    } else {
      t = 1;
    }
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    if (Math.abs(pk) > BIG) {
      pkm2 *= BIGINV;
      pkm1 *= BIGINV;
      qkm2 *= BIGINV;
      qkm1 *= BIGINV;
    }
  } while (t > MACHEP && ++i < MAX_ITERATIONS);
  return ans * ax;
}

/**
 * Complementary error function erfc(x) = (2/√π) ∫ₓ^∞ e^(−t²) dt, through the identity
 * erfc(x) = Q(1/2, x²) for x ≥ 0 and erfc(x) = 1 + P(1/2, x²) for x < 0 (Abramowitz & Stegun 7.1.2,
 * 6.5.17). Relative accuracy ~1e-15 over the whole range, with no cancellation in the tail.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x === Number.NEGATIVE_INFINITY) return 2;
  const x2 = x * x;
  return x >= 0 ? igamc(0.5, x2) : 1 + igam(0.5, x2);
}

/** Error function erf(x) = 1 − erfc(x), computed as sign(x)·P(1/2, x²) to keep precision near 0. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const p = igam(0.5, x * x);
  return x < 0 ? -p : p;
}

/** Standard normal cumulative distribution Φ(x) = ½ erfc(−x/√2) (STS's `cephes_normal`). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Chi-square survival function: the p-value P(X² ≥ chi2) for `df` degrees of freedom,
 * Q(df/2, chi2/2) (SP 800-22 §5.5.3, igamc). Returns 1 for chi2 ≤ 0.
 */
export function chiSquarePValue(chi2: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`chiSquarePValue needs df > 0, got ${df}`);
  return igamc(df / 2, chi2 / 2);
}
