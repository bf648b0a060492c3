import { mostCommonValue } from '../../analyze/sp800-90b/most-common-value.js';
import { concatInto } from '../../util/typed-arrays.js';
import type { SourceKind } from '../types.js';
import { AdaptiveProportionTest } from './adaptive-proportion-test.js';
import { type AptCutoffForm, DEFAULT_ALPHA } from './cutoffs.js';
import { RepetitionCountTest } from './repetition-count-test.js';

/** SP 800-90B §4.3 item 1: start-up tests run over at least 1024 consecutive samples. */
export const STARTUP_SAMPLES = 1024;

export type HealthStatus = 'startup' | 'healthy' | 'quarantined' | 'unavailable';
/** Which check failed: the two §4.4 tests, the §4.3 start-up estimate, or the sampler itself (error/timeout). */
export type HealthTest = 'rct' | 'apt' | 'startup' | 'sampler';

export interface HealthOptions {
  /** False-positive probability of each test (default 2^-30, see cutoffs.ts). */
  alpha?: number;
  /** Samples that must pass before a source contributes (default and minimum 1024, §4.3). */
  startupSamples?: number;
  /** First quarantine lasts this long; each consecutive failure doubles it (default 1000 ms). */
  backoffBaseMs?: number;
  /** Longest quarantine (default 60 000 ms). */
  backoffMaxMs?: number;
  /** Credit reference sources (hardware/OS RNGs) at min(catalog credit, estimate) instead of 0. */
  creditReference?: boolean;
  aptForm?: AptCutoffForm;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
}

export interface HealthFailure {
  test: HealthTest;
  /** `startup` while the source was being (re)admitted, `continuous` once it was contributing. */
  phase: 'startup' | 'continuous';
  at: string;
  detail: string;
}

export interface SourceHealthReport {
  name: string;
  kind: SourceKind;
  status: HealthStatus;
  reason: string | null;
  /** Catalog credit, bits per byte. */
  catalogCredit: number;
  /** MCV (SP 800-90B §6.3.1) min-entropy of the last start-up samples, bits per byte; null before. */
  startupEstimate: number | null;
  /** H the cutoffs are computed from: min(credit cap, startup estimate). */
  hTest: number | null;
  /** Min-entropy credited to the pool per byte (0 for counter and, by default, reference sources). */
  creditPerByte: number;
  binary: boolean;
  alpha: number;
  rctCutoff: number | null;
  aptCutoff: number | null;
  aptWindow: number | null;
  samplesTested: number;
  startupsPassed: number;
  failures: { rct: number; apt: number; startup: number; sampler: number; total: number };
  lastFailure: HealthFailure | null;
  consecutiveFailures: number;
  quarantinedUntil: string | null;
}

export type FeedResult =
  | { ok: true; accepted: Uint8Array; creditPerByte: number }
  | { ok: false; failure: HealthFailure };

/**
 * The health state of one source: start-up testing (SP 800-90B §4.3), the continuous RCT and APT
 * (§4.4) on its extracted byte stream, quarantine with exponential backoff, and the counts the health
 * report shows. Pure apart from the injected clock: it never samples; the pool feeds it batches.
 *
 * H per sample = min(credit cap, startup MCV estimate), where the cap is the catalog credit for
 * physical sources (and for reference sources when `creditReference`); counter sources, and reference
 * sources by default, are tested with H = their estimate but credited 0.
 */
export class SourceHealth {
  readonly name: string;
  readonly kind: SourceKind;
  readonly catalogCredit: number;
  private readonly alpha: number;
  private readonly startupSamples: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly creditReference: boolean;
  private readonly aptForm: AptCutoffForm;
  private readonly now: () => number;

  private statusValue: HealthStatus = 'startup';
  private reason: string | null = null;
  private startupBuf: Uint8Array[] = [];
  private startupLen = 0;
  private rct: RepetitionCountTest | null = null;
  private apt: AdaptiveProportionTest | null = null;
  private estimate: number | null = null;
  private hTest: number | null = null;
  private credit = 0;
  private binary = false;
  private samplesTested = 0;
  private startupsPassed = 0;
  private readonly failures = { rct: 0, apt: 0, startup: 0, sampler: 0, total: 0 };
  private lastFailure: HealthFailure | null = null;
  private consecutive = 0;
  private until = 0;
  private healthyBatches = 0;

  constructor(name: string, kind: SourceKind, catalogCredit: number, options: HealthOptions = {}) {
    this.name = name;
    this.kind = kind;
    this.catalogCredit = catalogCredit;
    this.alpha = options.alpha ?? DEFAULT_ALPHA;
    this.startupSamples = Math.max(STARTUP_SAMPLES, options.startupSamples ?? STARTUP_SAMPLES);
    this.backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.backoffMaxMs = options.backoffMaxMs ?? 60_000;
    this.creditReference = options.creditReference ?? false;
    this.aptForm = options.aptForm ?? 'sp800-90b';
    this.now = options.now ?? Date.now;
  }

  get status(): HealthStatus {
    return this.statusValue;
  }

  /** Healthy: passed start-up and every continuous test since. */
  get healthy(): boolean {
    return this.statusValue === 'healthy';
  }

  /** Bits of min-entropy credited per byte while healthy (0 otherwise). */
  get creditPerByte(): number {
    return this.statusValue === 'healthy' ? this.credit : 0;
  }

  /**
   * Whether the pool may sample this source now. A quarantined source whose backoff has elapsed
   * re-enters start-up testing here.
   */
  canSample(): boolean {
    if (this.statusValue === 'unavailable') return false;
    if (this.statusValue === 'quarantined') {
      if (this.now() < this.until) return false;
      this.enterStartup();
    }
    return true;
  }

  /** Milliseconds until a quarantined source may be retried (0 if it may be sampled now). */
  retryInMs(): number {
    return this.statusValue === 'quarantined' ? Math.max(0, this.until - this.now()) : 0;
  }

  /** Marks the source permanently unavailable (probe said why). */
  markUnavailable(reason: string): void {
    this.statusValue = 'unavailable';
    this.reason = reason;
  }

  /** Tests one batch of the source's extracted bytes, in order. */
  feed(bytes: Uint8Array): FeedResult {
    if (this.statusValue === 'quarantined' || this.statusValue === 'unavailable') {
      return { ok: true, accepted: new Uint8Array(0), creditPerByte: 0 };
    }
    if (this.statusValue === 'startup') return this.feedStartup(bytes);
    const rct = this.rct as RepetitionCountTest;
    const apt = this.apt as AdaptiveProportionTest;
    const r = rct.feed(bytes);
    const a = apt.feed(bytes);
    if (r >= 0 || a >= 0) {
      this.samplesTested += Math.max(r, a) + 1;
      const test: HealthTest = r >= 0 && (a < 0 || r <= a) ? 'rct' : 'apt';
      const detail =
        test === 'rct'
          ? `value repeated ${rct.cutoff} times in a row (cutoff ${rct.cutoff}, H=${fmt(this.hTest)})`
          : `reference value reached ${apt.cutoff} of a ${apt.window}-sample window (cutoff ${apt.cutoff}, H=${fmt(this.hTest)})`;
      return { ok: false, failure: this.fail(test, 'continuous', detail) };
    }
    this.samplesTested += bytes.length;
    if (++this.healthyBatches >= 2) this.consecutive = 0;
    return { ok: true, accepted: bytes, creditPerByte: this.credit };
  }

  /** Records a sampler error or timeout: the source is quarantined like a failed test. */
  samplerFailed(detail: string): HealthFailure {
    return this.fail('sampler', this.statusValue === 'healthy' ? 'continuous' : 'startup', detail);
  }

  report(): SourceHealthReport {
    return {
      name: this.name,
      kind: this.kind,
      status: this.statusValue,
      reason: this.reason,
      catalogCredit: this.catalogCredit,
      startupEstimate: this.estimate,
      hTest: this.hTest,
      creditPerByte: this.creditPerByte,
      binary: this.binary,
      alpha: this.alpha,
      rctCutoff: this.rct?.cutoff ?? null,
      aptCutoff: this.apt?.cutoff ?? null,
      aptWindow: this.apt?.window ?? null,
      samplesTested: this.samplesTested,
      startupsPassed: this.startupsPassed,
      failures: { ...this.failures },
      lastFailure: this.lastFailure ? { ...this.lastFailure } : null,
      consecutiveFailures: this.consecutive,
      quarantinedUntil: this.statusValue === 'quarantined' ? new Date(this.until).toISOString() : null,
    };
  }

  private creditCap(): number | null {
    if (this.kind === 'physical') return this.catalogCredit;
    if (this.kind === 'reference' && this.creditReference) return this.catalogCredit;
    return null;
  }

  private enterStartup(): void {
    this.statusValue = 'startup';
    this.reason = null;
    this.startupBuf = [];
    this.startupLen = 0;
    this.healthyBatches = 0;
  }

  private feedStartup(bytes: Uint8Array): FeedResult {
    this.startupBuf.push(bytes);
    this.startupLen += bytes.length;
    if (this.startupLen < this.startupSamples) return { ok: true, accepted: new Uint8Array(0), creditPerByte: 0 };
    const all = concatInto(new Uint8Array(this.startupLen), this.startupBuf);
    this.startupBuf = [];
    this.startupLen = 0;
    this.samplesTested += all.length;
    const est = mostCommonValue(all).hMin;
    this.estimate = est;
    let binary = true;
    for (let i = 0; i < all.length && binary; i++) if (all[i] > 1) binary = false;
    this.binary = binary;
    const cap = this.creditCap();
    const h = Math.min(est, cap !== null && cap > 0 ? cap : 8, binary ? 1 : 8);
    // Below 1/64 bit per sample the cutoffs exceed a thousand samples and the credit is negligible.
    if (!(h >= 1 / 64)) {
      this.hTest = null;
      this.rct = null;
      this.apt = null;
      return {
        ok: false,
        failure: this.fail(
          'startup',
          'startup',
          `start-up samples carry no usable min-entropy (MCV estimate ${fmt(est)} bit/sample over ${all.length})`,
        ),
      };
    }
    this.hTest = h;
    this.credit = cap !== null && cap > 0 ? h : 0;
    this.rct = new RepetitionCountTest(h, this.alpha);
    this.apt = new AdaptiveProportionTest(h, { alpha: this.alpha, binary, form: this.aptForm });
    const r = this.rct.feed(all);
    const a = this.apt.feed(all);
    if (r >= 0 || a >= 0) {
      const test: HealthTest = r >= 0 && (a < 0 || r <= a) ? 'rct' : 'apt';
      return {
        ok: false,
        failure: this.fail(
          test,
          'startup',
          `start-up ${test.toUpperCase()} failed at sample ${Math.min(...[r, a].filter((x) => x >= 0))} of ${all.length}`,
        ),
      };
    }
    this.statusValue = 'healthy';
    this.startupsPassed++;
    return { ok: true, accepted: all, creditPerByte: this.credit };
  }

  private fail(test: HealthTest, phase: 'startup' | 'continuous', detail: string): HealthFailure {
    const now = this.now();
    const failure: HealthFailure = { test, phase, at: new Date(now).toISOString(), detail };
    this.failures[test]++;
    this.failures.total++;
    this.lastFailure = failure;
    this.consecutive++;
    this.until = now + Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (this.consecutive - 1));
    this.statusValue = 'quarantined';
    this.reason = `${test.toUpperCase()} failed: ${detail}`;
    this.rct?.reset();
    this.apt?.reset();
    this.startupBuf = [];
    this.startupLen = 0;
    this.healthyBatches = 0;
    return failure;
  }
}

function fmt(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(3);
}
