/** Shared types of the harvesting stage. */

export type SourceCategory =
  | 'timing'
  | 'scheduling'
  | 'io'
  | 'ipc'
  | 'microarch'
  | 'thermal'
  | 'composite'
  | 'signal'
  | 'system'
  | 'network'
  | 'novel'
  | 'reference'
  | 'sensor';

/**
 * How a source's output may be credited by the entropy pool:
 * - `physical`: measured physics, credited min(catalog credit, startup estimate);
 * - `counter`: world-readable, mostly deterministic counters, recorded but credited 0;
 * - `reference`: a hardware/OS RNG, a ceiling for comparisons, never presented as measured physics.
 */
export type SourceKind = 'physical' | 'counter' | 'reference';

/** Unit of one raw int64 measurement. */
export type MeasurementUnit = 'tsc' | 'ns' | 'count' | 'value';

export type SamplerParams = Record<string, number | boolean>;

export interface SourceSpec {
  /** Stable name; openentropy's name where the mechanism is faithful on Linux. */
  readonly name: string;
  readonly category: SourceCategory;
  readonly kind: SourceKind;
  /** One line. */
  readonly description: string;
  /** A paragraph on the physical mechanism and what a VM does to it. */
  readonly physics: string;
  /** Human-readable requirements (hardware, permissions, files). */
  readonly requirements: readonly string[];
  /** In the default fast set (a batch of `batchSize` takes well under a second). */
  readonly fast: boolean;
  /** Native sampler name in the addon registry. */
  readonly sampler: string;
  /** Parameters passed to the native sampler (fixed workload sizes etc.). */
  readonly params?: SamplerParams;
  /** Default samples per pool batch (sized to several milliseconds of work). */
  readonly batchSize: number;
  /**
   * Catalog min-entropy credit in bits per extracted byte (0..8). The pool uses the smaller of this
   * and a startup estimate; counter and reference sources follow their own policy.
   */
  readonly credit: number;
  /** Opt-in only (slow or intrusive): never part of `all` unless named. */
  readonly optIn?: boolean;
  /** Extra availability check on the JS side (files, devices); null = available. */
  probe?(): string | null;
  /**
   * Documented extraction from raw measurements to the source's raw byte stream: one byte per
   * measurement unless the doc says otherwise. Must be a pure function of `values`.
   */
  extract(values: BigInt64Array): Uint8Array;
}

/** One batch of raw measurements from a source. */
export interface SampleBatch {
  source: string;
  values: BigInt64Array;
  unit: MeasurementUnit;
  /** Wall-clock start and end of the batch, ns since the Unix epoch. */
  startNs: bigint;
  endNs: bigint;
}
