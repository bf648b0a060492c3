import { APT_WINDOW, APT_WINDOW_BINARY, type AptCutoffForm, aptCutoff, DEFAULT_ALPHA } from './cutoffs.js';

/**
 * Adaptive Proportion Test, SP 800-90B §4.4.2: the first sample of each window of W samples
 * (W = 512, or 1024 for binary samples) is the reference; the test fails when the reference value
 * occurs `cutoff` or more times within its window (the reference itself counts, as in the standard's
 * pseudocode: B starts at 1). Windows are consecutive and non-overlapping; state carries over
 * between `feed` calls.
 */
export class AdaptiveProportionTest {
  readonly cutoff: number;
  readonly window: number;
  private ref = -1;
  private count = 0;
  private seen = 0;

  constructor(h: number, options: { alpha?: number; binary?: boolean; window?: number; form?: AptCutoffForm } = {}) {
    this.window = options.window ?? (options.binary ? APT_WINDOW_BINARY : APT_WINDOW);
    this.cutoff = aptCutoff(h, options.alpha ?? DEFAULT_ALPHA, this.window, options.form);
  }

  /** Tests `samples` in order; returns the index of the sample that reached the cutoff, or -1. */
  feed(samples: Uint8Array): number {
    const w = this.window;
    const c = this.cutoff;
    let ref = this.ref;
    let count = this.count;
    let seen = this.seen;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i];
      if (seen === 0) {
        ref = x;
        count = 1;
        seen = 1;
        // A cutoff of 1 could never pass; aptCutoff never returns less than 2 for W >= 2.
        continue;
      }
      if (x === ref && ++count >= c) {
        this.reset();
        return i;
      }
      if (++seen === w) seen = 0;
    }
    this.ref = ref;
    this.count = count;
    this.seen = seen;
    return -1;
  }

  reset(): void {
    this.ref = -1;
    this.count = 0;
    this.seen = 0;
  }
}
