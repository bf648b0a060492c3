import type { NistTestName } from './types.js';

/**
 * Where the constants of each test that has some come from, in each constants mode (`--constants`).
 * Only LongestRun, OverlappingTemplate and LinearComplexity differ between the modes; the others use the
 * same values in both, listed so that the report names the source of every constant.
 */
export function constantSources(mode: 'sts' | 'exact'): { test: NistTestName; source: string }[] {
  const sts = mode === 'sts';
  return [
    {
      test: 'LongestRun',
      source: sts
        ? 'class probabilities as STS 2.1.2 tabulates them (SP 800-22 §3.4; M = 10⁴ to 4 decimals, up to 0.0016 from the exact values)'
        : 'class probabilities computed exactly by the longest-run recurrence (SP 800-22 §3.4, unrounded)',
    },
    { test: 'Rank', source: 'rank probabilities from the exact product formula of SP 800-22 §3.5 (as STS)' },
    {
      test: 'NonOverlappingTemplate',
      source: 'mean and variance from the formulas of SP 800-22 §2.7.4, templates of Appendix A (as STS)',
    },
    {
      test: 'OverlappingTemplate',
      source: sts
        ? 'class probabilities from the compound-Poisson approximation STS 2.1.2 computes (Pr(), η = (M − m + 1)/2^(m+1); π₀ = 0.367879 where the exact value is 0.364091)'
        : "exact class probabilities by a Markov chain over the run of ones (Hamano and Kaneko 2007; SP 800-22 §3.8's corrected table to 6 digits)",
    },
    {
      test: 'Universal',
      source: "expected value and variance for L = 6…16 from SP 800-22 §2.9.4's table, c(L, K) from §2.9.4 (as STS)",
    },
    { test: 'RandomExcursions', source: 'π_k(x) of SP 800-22 §3.14 as STS tabulates them (10 decimals)' },
    {
      test: 'LinearComplexity',
      source: sts
        ? 'class probabilities as STS 2.1.2 hard-codes them (π₀ = 0.01047, π₆ = 0.020833)'
        : 'the fractions of SP 800-22 §3.10 (1/96, 1/32, 1/8, 1/2, 1/4, 1/16, 1/48)',
    },
  ];
}
