import { approximateEntropyTest } from './approximate-entropy-test.js';
import { binaryMatrixRankTest } from './binary-matrix-rank-test.js';
import type { BitSequence } from './bits.js';
import { blockFrequencyTest } from './block-frequency-test.js';
import { cumulativeSumsTest } from './cumulative-sums-test.js';
import { discreteFourierTransformTest } from './discrete-fourier-transform-test.js';
import { frequencyTest } from './frequency-test.js';
import { linearComplexityTest } from './linear-complexity-test.js';
import { longestRunOfOnesTest } from './longest-run-test.js';
import { nonOverlappingTemplateTest } from './non-overlapping-template-test.js';
import { overlappingTemplateTest } from './overlapping-template-test.js';
import { randomExcursionsTest } from './random-excursions-test.js';
import { randomExcursionsVariantTest } from './random-excursions-variant-test.js';
import { runsTest } from './runs-test.js';
import { serialTest } from './serial-test.js';
import { NIST_TEST_NAMES, type NistTestName, type Sp80022Result } from './types.js';
import { universalTest } from './universal-test.js';

/** Parameters of the battery; every field defaults to NIST's (STS 2.1.2's) value. */
export interface BatteryOptions {
  /** BlockFrequency block length (128). */
  blockFrequencyM?: number;
  /** NonOverlappingTemplate template length (9). */
  nonOverlappingTemplateM?: number;
  /** OverlappingTemplate template length (9). */
  overlappingTemplateM?: number;
  /** ApproximateEntropy block length (10). */
  approximateEntropyM?: number;
  /** Serial block length (16). */
  serialM?: number;
  /** LinearComplexity block length (500). */
  linearComplexityM?: number;
  /** 'sts' (default): STS 2.1.2's rounded constants; 'exact': SP 800-22's exact class probabilities. */
  constants?: 'sts' | 'exact';
  /** Run only these tests (default: all 15). */
  tests?: readonly NistTestName[];
}

const RUNNERS: Record<NistTestName, (seq: BitSequence, o: BatteryOptions) => Sp80022Result> = {
  Frequency: (seq) => frequencyTest(seq),
  BlockFrequency: (seq, o) => blockFrequencyTest(seq, { M: o.blockFrequencyM }),
  CumulativeSums: (seq) => cumulativeSumsTest(seq),
  Runs: (seq) => runsTest(seq),
  LongestRun: (seq, o) => longestRunOfOnesTest(seq, { constants: o.constants }),
  Rank: (seq) => binaryMatrixRankTest(seq),
  FFT: (seq) => discreteFourierTransformTest(seq),
  NonOverlappingTemplate: (seq, o) => nonOverlappingTemplateTest(seq, { m: o.nonOverlappingTemplateM }),
  OverlappingTemplate: (seq, o) => overlappingTemplateTest(seq, { m: o.overlappingTemplateM, constants: o.constants }),
  Universal: (seq) => universalTest(seq),
  ApproximateEntropy: (seq, o) => approximateEntropyTest(seq, { m: o.approximateEntropyM }),
  RandomExcursions: (seq) => randomExcursionsTest(seq),
  RandomExcursionsVariant: (seq) => randomExcursionsVariantTest(seq),
  Serial: (seq, o) => serialTest(seq, { m: o.serialM }),
  LinearComplexity: (seq, o) => linearComplexityTest(seq, { M: o.linearComplexityM, constants: o.constants }),
};

/**
 * Runs the SP 800-22 Rev. 1a battery on one sequence and returns one result per test in NIST's order.
 * A test that needs more bits than the sequence has returns `applicable: false` with the reason;
 * the others still run.
 */
export function runSp80022(seq: BitSequence, options: BatteryOptions = {}): Sp80022Result[] {
  const only = options.tests ? new Set(options.tests) : undefined;
  const constants = options.constants ?? 'sts';
  const results: Sp80022Result[] = [];
  for (const name of NIST_TEST_NAMES) {
    if (!only || only.has(name)) results.push(RUNNERS[name](seq, { ...options, constants }));
  }
  return results;
}
