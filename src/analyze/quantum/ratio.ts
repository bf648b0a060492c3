/**
 * A ratio that may be infinite, as written to JSON: a finite number, the string "inf" for +∞
 * (denominator 0, numerator > 0), or null when undefined (0/0). Never null for infinity.
 */
export type Ratio = number | 'inf' | null;
export const RATIO_INFINITE = 'inf' as const;

export function ratio(num: number, den: number): Ratio {
  if (den > 0) return num / den;
  return num > 0 ? RATIO_INFINITE : null;
}
