import { lowByte } from '../src/collect/extract.js';
import { recordSession } from '../src/collect/recorder/index.js';
import type { SampleBatch, SourceSpec } from '../src/collect/types.js';

/**
 * Test-only generators standing in for samplers so that a session's statistical properties are known in
 * advance. They are labelled as such and never reach the catalog: the sessions they produce exist only in
 * temporary directories of the analysis tests and the analysis benchmark.
 */
export type Generator = (seq: number, n: number) => BigInt64Array;

export function testSpec(name: string): SourceSpec {
  return {
    name,
    category: 'timing',
    kind: 'physical',
    description: 'test generator (analysis tests only)',
    physics: 'none: deterministic test data',
    requirements: [],
    fast: true,
    sampler: `test_${name}`,
    batchSize: 4096,
    credit: 0,
    extract: lowByte,
  };
}

/** Splitmix64 of the index: a deterministic, well-mixed 64-bit value per sample. */
export function mix64(i: bigint, salt: bigint): bigint {
  let z = BigInt.asUintN(64, i * 0x9e3779b97f4a7c15n + salt);
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
  return BigInt.asIntN(64, z ^ (z >> 31n));
}

/** Uniform low bytes: mix64 of the sequence number. */
export const uniformGen =
  (salt: bigint): Generator =>
  (seq, n) =>
    BigInt64Array.from({ length: n }, (_, i) => mix64(BigInt(seq + i), salt));

/** The uniform generator delayed by `lag` samples: perfectly dependent on it at that lag. */
export const laggedGen =
  (salt: bigint, lag: number): Generator =>
  (seq, n) =>
    BigInt64Array.from({ length: n }, (_, i) => (seq + i >= lag ? mix64(BigInt(seq + i - lag), salt) : 0n));

/** A slowly varying value (a sine of period 1000 plus a little noise): strong autocorrelation. */
export const wavyGen =
  (salt: bigint): Generator =>
  (seq, n) =>
    BigInt64Array.from({ length: n }, (_, i) => {
      const k = seq + i;
      const noise = Number(BigInt.asUintN(8, mix64(BigInt(k), salt)));
      return BigInt(Math.round(1000 + 100 * Math.sin((2 * Math.PI * k) / 1000) + noise / 16));
    });

export const constantGen =
  (v: bigint): Generator =>
  (_seq, n) =>
    new BigInt64Array(n).fill(v);

/** Records a session of the given generators through the real recorder (Parquet via DuckDB, telemetry of this host). */
export async function recordTestSession(
  root: string,
  id: string,
  sources: Record<string, Generator>,
  options: { maxSamples: number; telemetryIntervalMs?: number },
): Promise<string> {
  const seqs = new Map<string, number>();
  const specs = Object.keys(sources).map(testSpec);
  const sampler = {
    async sample(spec: SourceSpec, n: number): Promise<SampleBatch> {
      const seq = seqs.get(spec.name) ?? 0;
      const startNs = process.hrtime.bigint() + BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
      const values = sources[spec.name](seq, n);
      seqs.set(spec.name, seq + n);
      return { source: spec.name, values, unit: 'tsc', startNs, endNs: startNs + 1_000_000n };
    },
  };
  const r = await recordSession({
    sources: specs,
    output: root,
    id,
    maxSamples: options.maxSamples,
    maxRate: Number.POSITIVE_INFINITY,
    telemetryIntervalMs: options.telemetryIntervalMs ?? 200,
    flushIntervalMs: 200,
    sampler,
    skipProbe: true,
  });
  return r.dir;
}
