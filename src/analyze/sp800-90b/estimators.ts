import { collisionEstimate } from './collision.js';
import { compressionEstimate } from './compression.js';
import { lagEstimate } from './lag.js';
import { lrsFromCounts } from './lrs.js';
import { lz78yEstimate } from './lz78y.js';
import { markovEstimate } from './markov.js';
import { mostCommonValue } from './most-common-value.js';
import { multiMcwEstimate } from './multi-mcw.js';
import { multiMmcEstimate } from './multi-mmc.js';
import type { PredictionResult } from './prediction.js';
import { tTupleFromCounts } from './t-tuple.js';
import { tupleCounts } from './tuple-counts.js';

/** Which sequence an estimator ran on: the (translated) samples or their bitstring. */
export type Track = 'literal' | 'bitstring';

export type EstimatorId =
  | 'mcv'
  | 'collision'
  | 'markov'
  | 'compression'
  | 't-tuple'
  | 'lrs'
  | 'multi-mcw'
  | 'lag'
  | 'multi-mmc'
  | 'lz78y';

/** One estimator's outcome on one track. */
export interface EstimatorOutcome {
  id: EstimatorId;
  /** The name NIST's verbose output uses ("Most Common Value", "MultiMCW Prediction", …). */
  name: string;
  /** SP 800-90B section. */
  section: string;
  track: Track;
  /** Min-entropy in bits per symbol of this track (per bit for the bitstring); absent when skipped. */
  hMin?: number;
  /** Intermediate values under NIST's verbose names ("p-hat", "p_u", "X-bar'", "P_global'", …). */
  values?: Record<string, number>;
  /** Why the estimator did not run (too few samples, nothing repeats 35 times, …). */
  skipped?: string;
}

export const ESTIMATORS: Record<EstimatorId, { name: string; section: string }> = {
  mcv: { name: 'Most Common Value', section: '6.3.1' },
  collision: { name: 'Collision', section: '6.3.2' },
  markov: { name: 'Markov', section: '6.3.3' },
  compression: { name: 'Compression', section: '6.3.4' },
  't-tuple': { name: 't-Tuple', section: '6.3.5' },
  lrs: { name: 'LRS', section: '6.3.6' },
  'multi-mcw': { name: 'MultiMCW Prediction', section: '6.3.7' },
  lag: { name: 'Lag Prediction', section: '6.3.8' },
  'multi-mmc': { name: 'MultiMMC Prediction', section: '6.3.9' },
  lz78y: { name: 'LZ78Y Prediction', section: '6.3.10' },
};

/** Jobs the orchestrator schedules (t-Tuple and LRS share one suffix array: job "tuple"). */
export type JobId = Exclude<EstimatorId, 't-tuple' | 'lrs'> | 'tuple';

function outcome(id: EstimatorId, track: Track, hMin: number, values: Record<string, number>): EstimatorOutcome {
  return { id, ...ESTIMATORS[id], track, hMin, values };
}
function skip(id: EstimatorId, track: Track, reason: string): EstimatorOutcome {
  return { id, ...ESTIMATORS[id], track, skipped: reason };
}
function prediction(id: EstimatorId, track: Track, r: PredictionResult | null, need: string): EstimatorOutcome {
  if (!r) return skip(id, track, need);
  const values: Record<string, number> = {
    C: r.C,
    r: r.r,
    N: r.N,
    P_global: r.pGlobal,
    "P_global'": r.pGlobalPrime,
  };
  if (r.pLocal !== null) values.P_local = r.pLocal;
  return outcome(id, track, r.hMin, values);
}

/**
 * Runs one job on `seq` (k = its alphabet size: 2 for a bitstring). Pure: the same input gives the
 * same outcomes. Returns one outcome, or two for the shared t-Tuple/LRS job.
 */
export function runJob(job: JobId, seq: Uint8Array, k: number, track: Track): EstimatorOutcome[] {
  const L = seq.length;
  switch (job) {
    case 'mcv': {
      if (L < 2) return [skip('mcv', track, `needs at least 2 samples, got ${L}`)];
      const r = mostCommonValue(seq);
      return [outcome('mcv', track, r.hMin, { 'Mode count': r.modeCount, 'p-hat': r.pHat, p_u: r.pU })];
    }
    case 'collision': {
      if (L < 3) return [skip('collision', track, `needs at least 3 samples, got ${L}`)];
      const r = collisionEstimate(seq);
      return [
        outcome('collision', track, r.hMin, {
          v: r.v,
          'Sum t_i': r.sumT,
          'X-bar': r.xBar,
          'sigma-hat': r.sigmaHat,
          "X-bar'": r.xBarPrime,
          p: r.p,
        }),
      ];
    }
    case 'markov': {
      if (L < 2) return [skip('markov', track, `needs at least 2 samples, got ${L}`)];
      const r = markovEstimate(seq);
      return [
        outcome('markov', track, r.hMin, {
          P_0: r.P0,
          P_1: r.P1,
          'P_{0,0}': r.P00,
          'P_{0,1}': r.P01,
          'P_{1,0}': r.P10,
          'P_{1,1}': r.P11,
          'p-hat_max': r.pHatMax,
        }),
      ];
    }
    case 'compression': {
      const r = compressionEstimate(seq);
      if (!r) return [skip('compression', track, `needs more than 1000 six-bit blocks (at least 6006 bits), got ${L}`)];
      return [
        outcome('compression', track, r.hMin, {
          'X-bar': r.xBar,
          'sigma-hat': r.sigmaHat,
          "X-bar'": r.xBarPrime,
          p: r.p,
        }),
      ];
    }
    case 'tuple': {
      if (L < 2)
        return [skip('t-tuple', track, 'needs at least 2 samples'), skip('lrs', track, 'needs at least 2 samples')];
      const c = tupleCounts(seq);
      if (c.v === 0)
        return [skip('t-tuple', track, 'no substring repeats'), skip('lrs', track, 'no substring repeats')];
      const t = tTupleFromCounts(c);
      const l = lrsFromCounts(c);
      return [
        t
          ? outcome('t-tuple', track, t.hMin, { t: t.t, 'p-hat_max': t.pHatMax, p_u: t.pU })
          : skip('t-tuple', track, 'no tuple occurs 35 times'),
        l
          ? outcome('lrs', track, l.hMin, { u: l.u, v: l.v, 'p-hat': l.pHat, p_u: l.pU })
          : skip('lrs', track, 'the longest repeated substring is shorter than u (v < u)'),
      ];
    }
    case 'multi-mcw':
      return [prediction('multi-mcw', track, multiMcwEstimate(seq, k), `needs at least 4096 samples, got ${L}`)];
    case 'lag':
      return [prediction('lag', track, lagEstimate(seq, k), `needs at least 3 samples, got ${L}`)];
    case 'multi-mmc':
      return [prediction('multi-mmc', track, multiMmcEstimate(seq, k), `needs at least 3 samples, got ${L}`)];
    case 'lz78y':
      return [prediction('lz78y', track, lz78yEstimate(seq, k), `needs at least 18 samples, got ${L}`)];
  }
}
