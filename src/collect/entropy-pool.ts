/**
 * The entropy pool: harvests health-tested bytes from every selected source and serves them in one
 * of three modes (docs/CONDITIONING.md). The recorder, `oe stream`, `oe device`, `oe server` and the
 * library all go through this one module.
 */
import { availableParallelism } from 'node:os';
import { mostCommonValue } from '../analyze/sp800-90b/most-common-value.js';
import { shannonEntropy } from '../analyze/stats/shannon-entropy.js';
import { errorMessage, OeError } from '../errors.js';
import { concatInto } from '../util/typed-arrays.js';
import { probeSource } from './availability.js';
import { getSource, selectSources } from './catalog.js';
import {
  type Conditioning,
  FULL_ENTROPY_INPUT_BITS,
  OUTPUT_BLOCK_BYTES,
  parseConditioning,
  Sha256Conditioner,
  type SourceContribution,
  VonNeumannDebiaser,
} from './conditioning/index.js';
import { type HealthOptions, SourceHealth, type SourceHealthReport } from './health/source-health.js';
import type { Sampler } from './sampler.js';
import { sharedSamplerPool } from './sampler-pool.js';
import type { SampleBatch, SourceCategory, SourceKind, SourceSpec } from './types.js';

export interface EntropyPoolOptions extends HealthOptions {
  /** Source specs, or a `--sources` filter (absent: the fast set). */
  sources?: readonly SourceSpec[] | string;
  /** Sampler to use (default: the process-wide `sharedSamplerPool()`; the pool never closes its sampler). */
  sampler?: Sampler;
  /** Availability probe (default: probeSource). Returns null or the reason a source cannot run. */
  probe?: (spec: SourceSpec) => string | null;
  /** Samples per batch (default: each source's catalog batchSize). */
  batchSize?: number;
  /** Per-batch sampler deadline in ms (default 5000). */
  batchTimeoutMs?: number;
  /** A request that cannot be served within this many ms fails with TIMEOUT (default 30 000). */
  requestTimeoutMs?: number;
  /** Health-tested bytes held per source before harvesting pauses (default 1 MiB). */
  maxQueuedBytes?: number;
  /** Batches running or queued at once across all sources (default: the sampler's workers, max(2, CPUs), + 2). */
  maxInFlight?: number;
}

/** Static description of a pool source (openentropy's `sources()`). */
export interface PoolSourceInfo {
  name: string;
  kind: SourceKind;
  category: SourceCategory;
  description: string;
  physics: string;
  requirements: readonly string[];
  catalogCredit: number;
  available: boolean;
  reason: string | null;
}

/** Per-source accounting next to its health state. */
export interface PoolSourceReport extends SourceHealthReport {
  healthy: boolean;
  /** Measurements the pool's batches returned for this source (before extraction and health tests). */
  samples: number;
  /** Health-tested bytes accepted from this source. */
  bytesIn: number;
  /** Min-entropy credited to those bytes, bits. */
  creditedBitsIn: number;
  /** Bytes and credited bits consumed by sha256 output blocks. */
  bytesConditioned: number;
  creditedBitsUsed: number;
  /** Bytes served unconditioned (raw or von Neumann input). */
  bytesRawOut: number;
  /** Bytes waiting in the queue, and their credit. */
  queuedBytes: number;
  queuedCreditBits: number;
  /** Last batch: Shannon entropy and MCV min-entropy of its bytes (bits/byte), duration in s. */
  lastBatch: { bytes: number; shannon: number; minEntropy: number; seconds: number; at: string } | null;
  batches: number;
}

export interface PoolHealthReport {
  /** At least one credited source is healthy: sha256 output can be served. */
  healthy: boolean;
  status: 'healthy' | 'degraded' | 'failed';
  sourcesHealthy: number;
  sourcesTotal: number;
  totals: {
    bytesIn: number;
    creditedBitsIn: number;
    creditedBitsUsed: number;
    blocks: number;
    outputBytes: { sha256: number; vonneumann: number; raw: number; total: number };
    /** Requests refused because no healthy source could back them (fail closed), and the bytes they asked for. */
    refused: Record<Conditioning, { requests: number; bytes: number }>;
    /** Full-entropy output bits per credited input bit consumed (limit 256/320 = 0.8). */
    efficiency: number | null;
  };
  sources: PoolSourceReport[];
  generatedAt: string;
}

interface Chunk {
  bytes: Uint8Array;
  off: number;
  creditPerByte: number;
}

/** The counters a source's report shows as they are (the rest of PoolSourceReport is computed). */
type PoolSourceCounters = Pick<
  PoolSourceReport,
  | 'samples'
  | 'bytesIn'
  | 'creditedBitsIn'
  | 'bytesConditioned'
  | 'creditedBitsUsed'
  | 'bytesRawOut'
  | 'batches'
  | 'lastBatch'
>;

/** One source inside the pool: its health tests, queue of tested bytes, conditioner and counters. */
interface PoolSource extends PoolSourceCounters {
  spec: SourceSpec;
  health: SourceHealth;
  queue: Chunk[];
  queuedBytes: number;
  queuedCredit: number;
  inFlight: Promise<void> | null;
  /** Not sampled before this time (ms): the sampler refused for reasons that are not the source's fault. */
  cooldownUntil: number;
  lastStart: number;
  sampleSeconds: number;
  conditioner?: Sha256Conditioner;
  debiaser?: VonNeumannDebiaser;
  vnSurplus?: Uint8Array;
}

/** Bits taken from one source per round-robin turn when assembling an output block. */
const TURN_BITS = 64;
const RAW_TURN_BYTES = 4096;
/** A live source whose last batch started longer ago than this is sampled before the productive ones. */
const STALE_MS = 5000;

/**
 * SP 800-90B health-tested entropy pool.
 *
 * - `sha256` (default): full-entropy output. Each 32-byte block hashes the previous state with fresh
 *   bytes carrying >= 320 bits of credited min-entropy from healthy sources, drawn round-robin in
 *   64-bit turns; the state is never output and is rekeyed one-way after every block.
 * - `vonneumann`: von Neumann debiasing of the raw mix, exactly n bytes; no entropy claim.
 * - `raw`: the healthy sources' extracted bytes, unprocessed.
 *
 * Fails closed: with no healthy source that can serve a request, it throws OeError('HEALTH'); no
 * unbacked byte is ever returned. Bytes are used once: whatever one mode consumed no other mode sees.
 */
export class EntropyPool {
  private readonly states: PoolSource[];
  private readonly byName: Map<string, PoolSource>;
  private readonly sampler: Sampler;
  private readonly batchSize?: number;
  private readonly batchTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxQueuedBytes: number;
  private readonly maxInFlight: number;
  private readonly creditReference: boolean;
  private readonly conditioner = new Sha256Conditioner('pool');
  private readonly debiaser = new VonNeumannDebiaser();
  private vnSurplus: Uint8Array = new Uint8Array(0);
  private rr = 0;
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly out = { sha256: 0, vonneumann: 0, raw: 0 };
  private readonly refused: Record<Conditioning, { requests: number; bytes: number }> = {
    sha256: { requests: 0, bytes: 0 },
    vonneumann: { requests: 0, bytes: 0 },
    raw: { requests: 0, bytes: 0 },
  };
  private blocks = 0;
  /** Resolvers of harvest loops waiting for the next batch to finish. */
  private readonly waiters = new Set<() => void>();

  constructor(options: EntropyPoolOptions = {}) {
    const specs =
      typeof options.sources === 'string' || options.sources === undefined
        ? selectSources(options.sources)
        : [...options.sources];
    if (specs.length === 0) throw new OeError('USAGE', 'the entropy pool needs at least one source');
    const probe = options.probe ?? probeSource;
    this.states = specs.map((spec) => {
      const health = new SourceHealth(spec.name, spec.kind, spec.credit, options);
      const reason = probe(spec);
      if (reason !== null) health.markUnavailable(reason);
      return {
        spec,
        health,
        queue: [],
        queuedBytes: 0,
        queuedCredit: 0,
        inFlight: null,
        cooldownUntil: 0,
        lastStart: 0,
        sampleSeconds: 0,
        samples: 0,
        bytesIn: 0,
        creditedBitsIn: 0,
        bytesConditioned: 0,
        creditedBitsUsed: 0,
        bytesRawOut: 0,
        batches: 0,
        lastBatch: null,
      };
    });
    this.byName = new Map(this.states.map((s) => [s.spec.name, s]));
    this.sampler = options.sampler ?? sharedSamplerPool();
    this.batchSize = options.batchSize;
    this.batchTimeoutMs = options.batchTimeoutMs ?? 5000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 1 << 20;
    // Two more than the workers, so that a worker finds its next batch queued when it finishes one.
    this.maxInFlight = Math.max(1, options.maxInFlight ?? Math.max(2, availableParallelism()) + 2);
    this.creditReference = options.creditReference ?? false;
  }

  /** A pool over the default fast set (or `options.sources`), sampling in worker threads. */
  static auto(options: EntropyPoolOptions = {}): EntropyPool {
    return new EntropyPool(options);
  }

  /**
   * Runs start-up testing now: samples every available source until each has passed its 1024-sample
   * start-up tests or been quarantined. Optional (requests start sources on demand); useful before
   * serving so that /health is meaningful from the first request.
   */
  async ready(): Promise<PoolHealthReport> {
    const deadline = Date.now() + this.requestTimeoutMs;
    for (;;) {
      const pending = this.states.filter((s) => s.health.status === 'startup');
      if (pending.length === 0 || Date.now() > deadline) break;
      this.schedule(pending, false);
      await this.waitForBatch(deadline);
    }
    return this.healthReport();
  }

  /** `n` full-entropy bytes (sha256 conditioning over every healthy credited source). */
  getRandomBytes(n: number): Promise<Uint8Array> {
    return this.getBytes(n, 'sha256');
  }

  /** `n` bytes from the whole pool in the given mode (default sha256). */
  async getBytes(n: number, conditioning: Conditioning | string = 'sha256'): Promise<Uint8Array> {
    const mode = parseConditioning(conditioning);
    checkLength(n);
    return this.exclusive(mode, n, async () => {
      const deadline = Date.now() + this.requestTimeoutMs;
      if (mode === 'sha256') return this.sha256Bytes(n, this.states, this.conditioner, deadline);
      if (mode === 'raw') return this.rawBytes(n, this.states, deadline);
      return this.vnBytes(n, null, deadline);
    });
  }

  /** `n` raw bytes from the healthy sources (no processing). */
  getRawBytes(n: number): Promise<Uint8Array> {
    return this.getBytes(n, 'raw');
  }

  /**
   * `n` bytes from one named source only. In sha256 mode the source has its own conditioner and
   * only its own credit counts.
   */
  async getSourceBytes(name: string, n: number, conditioning: Conditioning | string = 'sha256'): Promise<Uint8Array> {
    const mode = parseConditioning(conditioning);
    checkLength(n);
    const s = this.byName.get(name);
    if (!s) {
      getSource(name); // unknown to the catalog: NOT_FOUND with the catalog's message
      throw new OeError('NOT_FOUND', `source "${name}" is not in this pool (selected: ${this.names().join(', ')})`);
    }
    return this.exclusive(mode, n, async () => {
      const deadline = Date.now() + this.requestTimeoutMs;
      if (mode === 'sha256') {
        s.conditioner ??= new Sha256Conditioner(`source:${name}`);
        return this.sha256Bytes(n, [s], s.conditioner, deadline);
      }
      if (mode === 'raw') return this.rawBytes(n, [s], deadline);
      return this.vnBytes(n, s, deadline);
    });
  }

  /** Names of the pool's sources, in catalog order. */
  names(): string[] {
    return this.states.map((s) => s.spec.name);
  }

  /** Static information on every source in the pool. */
  sources(): PoolSourceInfo[] {
    return this.states.map(({ spec, health }) => {
      const unavailable = health.status === 'unavailable';
      return {
        name: spec.name,
        kind: spec.kind,
        category: spec.category,
        description: spec.description,
        physics: spec.physics,
        requirements: spec.requirements,
        catalogCredit: spec.credit,
        available: !unavailable,
        reason: unavailable ? health.report().reason : null,
      };
    });
  }

  /** Health and accounting of every source and of the pool (never blocks on a running batch). */
  healthReport(): PoolHealthReport {
    const sources = this.states.map((s): PoolSourceReport => {
      const r = s.health.report();
      return {
        ...r,
        healthy: s.health.healthy,
        samples: s.samples,
        bytesIn: s.bytesIn,
        creditedBitsIn: s.creditedBitsIn,
        bytesConditioned: s.bytesConditioned,
        creditedBitsUsed: s.creditedBitsUsed,
        bytesRawOut: s.bytesRawOut,
        queuedBytes: s.queuedBytes,
        queuedCreditBits: s.queuedCredit,
        lastBatch: s.lastBatch,
        batches: s.batches,
      };
    });
    const sum = (f: (s: PoolSource) => number) => this.states.reduce((a, s) => a + f(s), 0);
    const creditedHealthy = this.states.filter((s) => s.health.healthy && s.health.creditPerByte > 0).length;
    const anyHealthy = this.states.filter((s) => s.health.healthy).length;
    const creditedBitsUsed = sum((s) => s.creditedBitsUsed);
    return {
      healthy: creditedHealthy > 0,
      status: creditedHealthy > 0 ? 'healthy' : anyHealthy > 0 ? 'degraded' : 'failed',
      sourcesHealthy: anyHealthy,
      sourcesTotal: this.states.length,
      totals: {
        bytesIn: sum((s) => s.bytesIn),
        creditedBitsIn: sum((s) => s.creditedBitsIn),
        creditedBitsUsed,
        blocks: this.blocks,
        outputBytes: { ...this.out, total: this.out.sha256 + this.out.vonneumann + this.out.raw },
        refused: {
          sha256: { ...this.refused.sha256 },
          vonneumann: { ...this.refused.vonneumann },
          raw: { ...this.refused.raw },
        },
        efficiency: creditedBitsUsed > 0 ? (this.blocks * OUTPUT_BLOCK_BYTES * 8) / creditedBitsUsed : null,
      },
      sources,
      generatedAt: new Date().toISOString(),
    };
  }

  /**
   * Stops harvesting and waits for running batches. The sampler is not closed: by default it is the
   * process-wide `sharedSamplerPool()` (close it with `closeSharedSamplerPool()`), or the caller's.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.states.map((s) => s.inFlight).filter((p) => p !== null));
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Runs one request after the previous one; a request that fails closed is counted as refused (all n bytes). */
  private exclusive<T>(mode: Conditioning, n: number, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new OeError('UNAVAILABLE', 'the entropy pool is closed'));
    const run = this.lock.then(fn, fn).catch((e: unknown) => {
      if (e instanceof OeError && e.code === 'HEALTH') {
        this.refused[mode].requests++;
        this.refused[mode].bytes += n;
      }
      throw e;
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Credit policy: physical sources (and reference ones with `creditReference`) may be credited. */
  private creditable(s: PoolSource): boolean {
    if (s.spec.credit <= 0) return false;
    return s.spec.kind === 'physical' || (s.spec.kind === 'reference' && this.creditReference);
  }

  /** Starts one batch for `s` unless one is running, the queue is full, or the source may not run. */
  private startBatch(s: PoolSource): void {
    if (this.closed || s.inFlight || s.queuedBytes >= this.maxQueuedBytes || Date.now() < s.cooldownUntil) return;
    if (!s.health.canSample()) return;
    const n = this.batchSize ?? s.spec.batchSize;
    const failuresBefore = this.sampler.sourceState?.(s.spec.name).totalFailures;
    s.lastStart = Date.now();
    const p = this.sampler
      .sample(s.spec, n, { timeoutMs: this.batchTimeoutMs })
      .then(
        (batch) => this.ingest(s, batch),
        (e) => {
          const st = this.sampler.sourceState?.(s.spec.name);
          if (st && failuresBefore !== undefined && st.totalFailures === failuresBefore) {
            // Congestion (no free worker) or the sampler's own backoff for failures already counted:
            // not this source's fault, so no health failure; just wait a little.
            s.cooldownUntil = Math.max(Date.now() + 100, st.retryAt ?? 0);
            return;
          }
          s.health.samplerFailed(errorMessage(e));
          this.dropQueue(s);
        },
      )
      .finally(() => {
        s.inFlight = null;
        const ws = [...this.waiters];
        this.waiters.clear();
        for (const w of ws) w();
      });
    s.inFlight = p;
  }

  /**
   * Starts batches on the best candidates among `live`, keeping at most maxInFlight running: sources
   * never sampled first, then any whose last batch started over STALE_MS ago (every live source stays
   * health-tested and contributing), then the most productive (credited bits, or bytes when
   * `bytesOnly`, per second of sampling).
   */
  private schedule(live: readonly PoolSource[], bytesOnly: boolean): void {
    let running = this.states.reduce((a, s) => a + (s.inFlight ? 1 : 0), 0);
    if (running >= this.maxInFlight) return;
    const now = Date.now();
    // Tier 2: never tried; tier 1: last batch started over STALE_MS ago (oldest first); tier 0: by yield.
    const tier = (s: PoolSource) => (s.lastStart === 0 ? 2 : now - s.lastStart > STALE_MS ? 1 : 0);
    const yieldRate = (s: PoolSource) =>
      s.sampleSeconds > 0 ? (bytesOnly ? s.bytesIn : s.creditedBitsIn) / s.sampleSeconds : Number.MAX_VALUE;
    const candidates = live
      .filter((s) => !s.inFlight && s.queuedBytes < this.maxQueuedBytes && now >= s.cooldownUntil)
      .sort((a, b) => {
        const ta = tier(a);
        const tb = tier(b);
        if (ta !== tb) return tb - ta;
        if (ta === 1) return a.lastStart - b.lastStart;
        return yieldRate(b) - yieldRate(a) || 0;
      });
    for (const s of candidates) {
      if (running >= this.maxInFlight) break;
      this.startBatch(s);
      if (s.inFlight) running++;
    }
  }

  /** Resolves when any batch finishes (or after 20 ms when none is running, or at the deadline). */
  private waitForBatch(deadline: number): Promise<void> {
    const running = this.states.some((s) => s.inFlight !== null);
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, running ? Math.max(1, deadline - Date.now()) : 20);
      this.waiters.add(done);
    });
  }

  private ingest(s: PoolSource, batch: SampleBatch): void {
    let bytes: Uint8Array;
    try {
      bytes = s.spec.extract(batch.values);
    } catch (e) {
      s.health.samplerFailed(`extraction failed: ${errorMessage(e)}`);
      this.dropQueue(s);
      return;
    }
    s.samples += batch.values.length;
    s.batches++;
    s.sampleSeconds += Number(batch.endNs - batch.startNs) / 1e9;
    s.lastBatch = {
      bytes: bytes.length,
      ...byteEntropies(bytes),
      seconds: Number(batch.endNs - batch.startNs) / 1e9,
      at: new Date().toISOString(),
    };
    if (bytes.length === 0) return;
    const r = s.health.feed(bytes);
    if (!r.ok) {
      // The failing batch and everything queued since the last pass are discarded.
      this.dropQueue(s);
      return;
    }
    if (r.accepted.length === 0) return;
    // Copy: the batch buffer may be a view into a transferred sampler buffer.
    const own =
      r.accepted.byteOffset === 0 && r.accepted.byteLength === r.accepted.buffer.byteLength
        ? r.accepted
        : r.accepted.slice();
    s.queue.push({ bytes: own, off: 0, creditPerByte: r.creditPerByte });
    s.queuedBytes += own.length;
    s.queuedCredit += own.length * r.creditPerByte;
    s.bytesIn += own.length;
    s.creditedBitsIn += own.length * r.creditPerByte;
  }

  /** Empties the queue and zeroes its byte and credit counters. */
  private dropQueue(s: PoolSource): void {
    s.queue = [];
    s.queuedBytes = 0;
    s.queuedCredit = 0;
  }

  /**
   * Harvests until `enough()` holds. Throws OeError('HEALTH') as soon as no source among `among`
   * (filtered by `eligible`) is healthy or in start-up, and TIMEOUT at the deadline.
   */
  private async harvest(
    enough: () => boolean,
    among: readonly PoolSource[],
    eligible: (s: PoolSource) => boolean,
    deadline: number,
    what: string,
    bytesOnly = false,
  ): Promise<void> {
    while (!enough()) {
      const live = among.filter((s) => eligible(s) && s.health.status !== 'unavailable' && s.health.canSample());
      if (live.length === 0) throw this.failClosed(among, what);
      if (Date.now() > deadline) {
        throw new OeError('TIMEOUT', `${what}: not enough health-tested entropy within ${this.requestTimeoutMs} ms`);
      }
      this.schedule(live, bytesOnly);
      await this.waitForBatch(deadline);
    }
  }

  private failClosed(among: readonly PoolSource[], what: string): OeError {
    // Group sources by why they cannot serve, so that fifteen unavailable sources make one clause.
    const groups = new Map<string, string[]>();
    for (const s of among) {
      const r = s.health.report();
      let why: string;
      if (r.status === 'quarantined') {
        why = `quarantined: ${r.reason}; retry in ${Math.ceil(s.health.retryInMs() / 1000)} s`;
      } else if (r.status === 'unavailable') why = `unavailable: ${r.reason}`;
      else if (!this.creditable(s)) why = `uncredited ${r.kind} source`;
      else why = r.status;
      const list = groups.get(why);
      if (list) list.push(r.name);
      else groups.set(why, [r.name]);
    }
    const parts = [...groups].map(([why, names]) => {
      const shown =
        names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
      return `${shown} ${why}`;
    });
    return new OeError('HEALTH', `${what}: no healthy entropy source (${parts.join('; ')})`);
  }

  /** Prefetch: keep one batch running for every live source whose queue is low. */
  private prefetch(among: readonly PoolSource[]): void {
    this.schedule(
      among.filter((s) => s.queuedBytes < this.maxQueuedBytes / 4 && s.health.status !== 'unavailable'),
      false,
    );
  }

  private async sha256Bytes(
    n: number,
    among: readonly PoolSource[],
    conditioner: Sha256Conditioner,
    deadline: number,
  ): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    const credited = (s: PoolSource) => s.health.healthy && s.health.creditPerByte > 0;
    const queuedCredit = () => among.reduce((a, s) => a + (credited(s) ? s.queuedCredit : 0), 0);
    const what =
      among.length === 1 && among !== this.states ? `sha256 output from ${among[0].spec.name}` : 'sha256 output';
    for (let o = 0; o < n; o += OUTPUT_BLOCK_BYTES) {
      await this.harvest(
        // A hair of slack over 320: queue totals are float sums and may drift by ~1e-12.
        () => queuedCredit() >= FULL_ENTROPY_INPUT_BITS + 1e-6,
        among,
        (s) => this.creditable(s),
        deadline,
        what,
      );
      const contributions = this.takeCredit(among.filter(credited), FULL_ENTROPY_INPUT_BITS);
      const block = conditioner.generate(contributions);
      const take = Math.min(OUTPUT_BLOCK_BYTES, n - o);
      out.set(block.subarray(0, take), o);
      block.fill(0);
      this.blocks++;
      this.out.sha256 += take;
    }
    this.prefetch(among);
    return out;
  }

  /** Takes `bits` of credit round-robin, TURN_BITS per source per turn. */
  private takeCredit(sources: PoolSource[], bits: number): SourceContribution[] {
    const contributions: SourceContribution[] = [];
    let have = 0;
    const k = sources.length;
    while (have < bits) {
      let progressed = false;
      for (let j = 0; j < k && have < bits; j++) {
        const s = sources[(this.rr + j) % k];
        if (s.queuedCredit <= 0) continue;
        const want = Math.min(TURN_BITS, bits - have);
        const c = this.takeFrom(s, want);
        if (c.bytes.length > 0) {
          contributions.push(c);
          have += c.creditBits;
          progressed = true;
        }
      }
      if (!progressed) throw new Error('internal: credit accounting out of step with the queues');
    }
    this.rr = (this.rr + 1) % Math.max(1, k);
    return contributions;
  }

  /** Removes bytes worth at least `bits` of credit (or all that is queued) from one source's queue. */
  private takeFrom(s: PoolSource, bits: number): SourceContribution {
    const parts: Uint8Array[] = [];
    let credit = 0;
    let len = 0;
    while (credit < bits && s.queue.length > 0) {
      const c = s.queue[0];
      const avail = c.bytes.length - c.off;
      // At least one byte per step, so that a floating-point remainder of 1e-13 bits cannot stall the loop.
      const need = c.creditPerByte > 0 ? Math.max(1, Math.ceil((bits - credit) / c.creditPerByte - 1e-9)) : avail;
      const m = Math.min(avail, need);
      parts.push(c.bytes.subarray(c.off, c.off + m));
      c.off += m;
      credit += m * c.creditPerByte;
      len += m;
      if (c.off >= c.bytes.length) s.queue.shift();
      if (c.creditPerByte === 0) break;
    }
    s.queuedBytes -= len;
    s.queuedCredit = Math.max(0, s.queuedCredit - credit);
    // An empty queue holds exactly nothing (no floating-point residue of the credit).
    if (s.queue.length === 0) this.dropQueue(s);
    s.bytesConditioned += len;
    s.creditedBitsUsed += credit;
    const bytes = parts.length === 1 ? parts[0] : concatInto(new Uint8Array(len), parts);
    return { source: s.spec.name, bytes, creditBits: credit };
  }

  /** Removes up to `max` bytes from one source's queue, for raw or von Neumann output. */
  private takeRaw(s: PoolSource, max: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let len = 0;
    while (len < max && s.queue.length > 0) {
      const c = s.queue[0];
      const m = Math.min(c.bytes.length - c.off, max - len);
      parts.push(c.bytes.subarray(c.off, c.off + m));
      c.off += m;
      len += m;
      s.queuedCredit = Math.max(0, s.queuedCredit - m * c.creditPerByte);
      if (c.off >= c.bytes.length) s.queue.shift();
    }
    s.queuedBytes -= len;
    if (s.queue.length === 0) this.dropQueue(s);
    s.bytesRawOut += len;
    return parts.length === 1 ? parts[0] : concatInto(new Uint8Array(len), parts);
  }

  /** Harvests until a source among `among` is healthy with bytes queued; those sources (raw and von Neumann output). */
  private async healthyWithBytes(among: readonly PoolSource[], deadline: number, what: string): Promise<PoolSource[]> {
    const ready = () => among.filter((s) => s.health.healthy && s.queuedBytes > 0);
    await this.harvest(
      () => ready().length > 0,
      among,
      () => true,
      deadline,
      what,
      true,
    );
    return ready();
  }

  private async rawBytes(n: number, among: readonly PoolSource[], deadline: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const list = await this.healthyWithBytes(among, deadline, 'raw output');
      for (let j = 0; j < list.length && o < n; j++) {
        const s = list[(this.rr + j) % list.length];
        const b = this.takeRaw(s, Math.min(RAW_TURN_BYTES, n - o));
        out.set(b, o);
        o += b.length;
      }
      this.rr++;
    }
    this.out.raw += n;
    this.prefetch(among);
    return out;
  }

  private async vnBytes(n: number, one: PoolSource | null, deadline: number): Promise<Uint8Array> {
    const among = one ? [one] : this.states;
    let deb = this.debiaser;
    if (one) {
      one.debiaser ??= new VonNeumannDebiaser();
      deb = one.debiaser;
    }
    const out = new Uint8Array(n);
    let o = 0;
    let surplus = one ? (one.vnSurplus ?? new Uint8Array(0)) : this.vnSurplus;
    const drainSurplus = () => {
      const m = Math.min(surplus.length, n - o);
      out.set(surplus.subarray(0, m), o);
      o += m;
      surplus = surplus.subarray(m);
    };
    drainSurplus();
    while (o < n) {
      for (const s of await this.healthyWithBytes(among, deadline, 'von Neumann output')) {
        // About four input bytes per output byte for unbiased input; ask for a little more.
        surplus = deb.push(this.takeRaw(s, Math.min(RAW_TURN_BYTES * 4, (n - o) * 5 + 16)));
        drainSurplus();
        if (o >= n) break;
      }
    }
    const keep = surplus.slice();
    if (one) one.vnSurplus = keep;
    else this.vnSurplus = keep;
    this.out.vonneumann += n;
    this.prefetch(among);
    return out;
  }
}

/** The largest request the pool serves in one call (1 GiB); callers stream larger amounts. */
export const MAX_REQUEST_BYTES = 1 << 30;

function checkLength(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_REQUEST_BYTES) {
    throw new OeError('USAGE', `byte count must be an integer from 0 to ${MAX_REQUEST_BYTES}, got ${n}`);
  }
}

/**
 * Shannon entropy (plug-in) and the MCV point estimate −log2 p̂ (SP 800-90B §6.3.1 without its
 * confidence bound) of a batch's bytes, bits/byte; 0 for an empty batch.
 */
function byteEntropies(bytes: Uint8Array): { shannon: number; minEntropy: number } {
  if (bytes.length === 0) return { shannon: 0, minEntropy: 0 };
  const pHat = bytes.length < 2 ? 1 : mostCommonValue(bytes).pHat;
  return { shannon: shannonEntropy(bytes).bitsPerByte, minEntropy: -Math.log2(pHat) + 0 };
}
