import { DEFAULT_ALPHA, rctCutoff } from './cutoffs.js';

/**
 * Repetition Count Test, SP 800-90B §4.4.1: counts how many times in a row the current sample has
 * been seen; a run of `cutoff` identical consecutive samples (C = 1 + ceil(-log2(alpha)/H)) is a
 * failure. Continuous: state carries over between `feed` calls, so a run spanning two batches counts.
 */
export class RepetitionCountTest {
  readonly cutoff: number;
  private last = -1;
  private run = 0;

  constructor(h: number, alpha: number = DEFAULT_ALPHA) {
    this.cutoff = rctCutoff(h, alpha);
  }

  /**
   * Tests `samples` in order. Returns the index of the sample that completed a failing run, or -1
   * when every sample passed. After a failure the test is reset (a quarantined source restarts).
   */
  feed(samples: Uint8Array): number {
    const c = this.cutoff;
    let last = this.last;
    let run = this.run;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i];
      if (x === last) {
        if (++run >= c) {
          this.reset();
          return i;
        }
      } else {
        last = x;
        run = 1;
      }
    }
    this.last = last;
    this.run = run;
    return -1;
  }

  reset(): void {
    this.last = -1;
    this.run = 0;
  }
}
