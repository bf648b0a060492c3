/**
 * Numeric helpers shared by the SP 800-90B estimators: the floating-point "equality" test and the
 * bracketing bisection that NIST's reference tool (SP800-90B_EntropyAssessment 1.1.7) uses to invert
 * monotone expectation functions (§6.3.4 compression, §6.3.7–6.3.10 P_local). Reproducing the same
 * stopping rules keeps our p values within a few ULPs of the tool's.
 */

/** Iteration cap of the bisections (enough to walk every double in [0, 1]). */
export const ITER_MAX = 1076;
const DBL_MIN = 2.2250738585072014e-308;
const DBL_EPSILON = 2.220446049250313e-16;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
function bitsOf(x: number): bigint {
  f64[0] = x;
  return u64[0];
}

/**
 * True when A and B are close: relatively (|A−B| ≤ max(|A|,|B|)·maxRel), absolutely when relative
 * closeness is meaningless (subnormal operands), or within `maxUlp` units in the last place.
 */
export function relEpsilonEqual(a: number, b: number, maxAbs: number, maxRel: number, maxUlp: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  let A = a;
  let B = b;
  let absA = Math.abs(A);
  let absB = Math.abs(B);
  if (absA > absB) {
    [A, B] = [B, A];
    [absA, absB] = [absB, absA];
  }
  const diff = Math.abs(B - A);
  if (absA < DBL_MIN || diff < DBL_MIN || !Number.isFinite(diff) || absB * maxRel < DBL_MIN) return diff <= maxAbs;
  if (diff <= absB * maxRel) return true;
  if (Math.sign(A) !== Math.sign(B)) return false;
  return bitsOf(absB) - bitsOf(absA) <= BigInt(maxUlp);
}

/** The tool's default closeness: absolute DBL_MIN, relative DBL_EPSILON, 4 ULPs. */
export function nearlyEqual(a: number, b: number): boolean {
  return relEpsilonEqual(a, b, DBL_MIN, DBL_EPSILON, 4);
}

function inClosed(x: number, a: number, b: number): boolean {
  return a > b ? x >= b && x <= a : x >= a && x <= b;
}
function inOpen(x: number, a: number, b: number): boolean {
  return a > b ? x > b && x < a : x > a && x < b;
}

/**
 * Bisection for p in [lo, hi] such that f(p) = target, where f decreases in p. Mirrors the tool's
 * loop: stops on near-equality, on a collapsed or non-monotone bracket, or on a cycle.
 * `onDomainFailure` is returned when the bracket leaves the domain or no longer contains the target.
 */
export function bisectDecreasing(
  f: (p: number) => number,
  target: number,
  lo: number,
  hi: number,
  onDomainFailure: number,
): number {
  let lbound = lo;
  let hbound = hi;
  let lvalue = Number.POSITIVE_INFINITY;
  let hvalue = Number.NEGATIVE_INFINITY;
  let p = (lbound + hbound) / 2;
  let pVal = f(p);
  for (let j = 0; j < ITER_MAX; j++) {
    if (nearlyEqual(pVal, target)) break;
    if (target < pVal) {
      lbound = p;
      lvalue = pVal;
    } else {
      hbound = p;
      hvalue = pVal;
    }
    if (lbound >= hbound) {
      p = Math.min(Math.max(lbound, hbound), hi);
      break;
    }
    if (!(inClosed(lbound, lo, hi) && inClosed(hbound, lo, hi))) {
      p = onDomainFailure;
      break;
    }
    if (!inClosed(target, lvalue, hvalue)) {
      p = onDomainFailure;
      break;
    }
    const lastP = p;
    p = (lbound + hbound) / 2;
    if (!inOpen(p, lbound, hbound)) {
      p = hbound;
      break;
    }
    if (lastP === p) {
      p = hbound;
      break;
    }
    pVal = f(p);
    if (!inClosed(pVal, lvalue, hvalue)) {
      p = hbound;
      break;
    }
  }
  return p;
}
