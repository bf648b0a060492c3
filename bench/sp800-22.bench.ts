/**
 * SP 800-22 battery speed: all 15 tests on one 1,000,000-bit sequence and on 100 of them (worker pool),
 * reported next to NIST STS 2.1.2's figures on a 2-vCPU VM (../shared/reference/sp800-22/README.md:
 * -O2 2.2–2.6 s wall per sequence; -O0 as shipped 5.5–6.0 s) as ratios, plus an in-run baseline: the
 * two tests that dominate STS's time (LinearComplexity 1.53 s, NonOverlappingTemplate 1.34 s at -O2)
 * implemented the way STS does them (bit-by-bit Berlekamp–Massey; one scan per template, 148 scans)
 * against ours (bit-parallel BM; one window histogram for all templates), same data, same process.
 * Data: pseudo-random bits from node:crypto (a benchmark input, not an entropy source).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { runSp80022 } from '../src/analyze/sp800-22/battery.js';
import { bitsFromBytes } from '../src/analyze/sp800-22/bits.js';
import { linearComplexityTest } from '../src/analyze/sp800-22/linear-complexity-test.js';
import { nonOverlappingTemplateTest } from '../src/analyze/sp800-22/non-overlapping-template-test.js';
import { runSp80022OnSequences } from '../src/analyze/sp800-22/run-sequences.js';
import { aperiodicTemplates } from '../src/analyze/sp800-22/templates.js';
import { NIST_TEST_NAMES } from '../src/analyze/sp800-22/types.js';

const STS_O2 = [2.2, 2.6];
const N_BITS = 1_000_000;
const SEQUENCES = Number(process.env.OE_BENCH_SEQUENCES ?? 100);

const seq = () => bitsFromBytes(randomBytes(N_BITS / 8));

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const r = f();
  return [r, (performance.now() - t) / 1000];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** STS-style Berlekamp–Massey: one bit at a time, byte arrays (berlekamp_massey in STS's linearComplexity.c). */
function bmPerBit(bits: Uint8Array, start: number, M: number): number {
  const C = new Uint8Array(M);
  let B = new Uint8Array(M);
  const T = new Uint8Array(M);
  C[0] = B[0] = 1;
  let L = 0;
  let m = -1;
  for (let N = 0; N < M; N++) {
    let d = bits[start + N];
    for (let i = 1; i <= L; i++) d ^= C[i] & bits[start + N - i];
    if (d === 1) {
      T.set(C);
      for (let j = 0; j + N - m < M; j++) C[j + N - m] ^= B[j];
      if (L <= N / 2) {
        L = N + 1 - L;
        m = N;
        B = T.slice();
      }
    }
  }
  return L;
}

/** STS-style non-overlapping template test: one scan of the 8 blocks per template, 148 templates. */
function templatesPerScan(bits: Uint8Array, n: number): number {
  const m = 9;
  const N = 8;
  const M = Math.floor(n / N);
  let total = 0;
  for (const t of aperiodicTemplates(m)) {
    const tb = Array.from({ length: m }, (_, k) => (t >>> (m - 1 - k)) & 1);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < M - m + 1; j++) {
        let match = 1;
        for (let k = 0; k < m; k++) {
          if (tb[k] !== bits[i * M + j + k]) {
            match = 0;
            break;
          }
        }
        if (match) {
          total++;
          j += m - 1;
        }
      }
    }
  }
  return total;
}

async function main() {
  const la = loadavg();
  process.stdout.write(
    `CPUs: ${availableParallelism()}; load average ${la.map((x) => x.toFixed(1)).join(' ')} (STS's figures are from a quiet machine); sequence: ${N_BITS.toLocaleString('en-US')} bits\n`,
  );
  // Warm-up (JIT, FFT plan).
  runSp80022(seq());

  // One sequence, all 15 tests: median of 5.
  const singles: number[] = [];
  const cpu: number[] = [];
  const perTest = new Map<string, number[]>();
  for (let r = 0; r < 5; r++) {
    const s = seq();
    let total = 0;
    const c0 = process.cpuUsage();
    for (const name of NIST_TEST_NAMES) {
      const cpuBefore = process.cpuUsage();
      const [, dt] = time(() => runSp80022(s, { tests: [name] }));
      const cpuTest = process.cpuUsage(cpuBefore);
      total += dt;
      perTest.set(name, [...(perTest.get(name) ?? []), (cpuTest.user + cpuTest.system) / 1e6]);
    }
    singles.push(total);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  const one = median(singles);
  const oneCpu = median(cpu);
  process.stdout.write(
    `one sequence, 15 tests: ${one.toFixed(3)} s (median of 5) = ${(one / STS_O2[1]).toFixed(3)}–${(one / STS_O2[0]).toFixed(3)} × STS -O2 (2.2–2.6 s); target ≤ 0.2\n`,
  );
  process.stdout.write(
    `  CPU time (user+sys, this process): ${oneCpu.toFixed(3)} s = ${(oneCpu / 2.5).toFixed(3)} × STS -O2's 2.5 s user CPU\n`,
  );
  process.stdout.write(
    `  per test (CPU ms, median): ${NIST_TEST_NAMES.map((n) => `${n} ${(median(perTest.get(n)!) * 1000).toFixed(0)}`).join(', ')}\n`,
  );

  // In-run baseline: STS's algorithms for its two slowest tests, same sequence.
  const s = seq();
  const [lcOurs, tLcOurs] = time(() => linearComplexityTest(s));
  const [lcSts, tLcSts] = time(() => {
    const nu = [0, 0, 0, 0, 0, 0, 0];
    const M = 500;
    const mean = M / 2 + (9 + (-1) ** (M + 1)) / 36 - (M / 3 + 2 / 9) / 2 ** M;
    for (let b = 0; b < Math.floor(N_BITS / M); b++) {
      const t = bmPerBit(s.bits, b * M, M) - mean + 2 / 9;
      nu[t <= -2.5 ? 0 : t <= -1.5 ? 1 : t <= -0.5 ? 2 : t <= 0.5 ? 3 : t <= 1.5 ? 4 : t <= 2.5 ? 5 : 6]++;
    }
    return nu;
  });
  if (JSON.stringify(lcSts) !== JSON.stringify(lcOurs.statistics.nu)) throw new Error('BM baselines disagree');
  const [, tNotOurs] = time(() => nonOverlappingTemplateTest(s));
  const [, tNotSts] = time(() => templatesPerScan(s.bits, N_BITS));
  process.stdout.write(
    `LinearComplexity: bit-parallel BM ${(tLcOurs * 1000).toFixed(0)} ms vs per-bit BM (STS's way) ${(tLcSts * 1000).toFixed(0)} ms: ${(tLcOurs / tLcSts).toFixed(3)}×\n`,
  );
  process.stdout.write(
    `NonOverlappingTemplate: one histogram pass ${(tNotOurs * 1000).toFixed(0)} ms vs 148 scans (STS's way) ${(tNotSts * 1000).toFixed(0)} ms: ${(tNotOurs / tNotSts).toFixed(3)}×\n`,
  );

  // 100 sequences on the worker pool.
  const many = Array.from({ length: SEQUENCES }, seq);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await runSp80022OnSequences(many);
  const tMany = (performance.now() - t0) / 1000;
  const cMany = process.cpuUsage(c0);
  const cpuMany = (cMany.user + cMany.system) / 1e6;
  process.stdout.write(
    `${SEQUENCES} sequences, worker pool (${Math.min(availableParallelism(), SEQUENCES)} threads): ${tMany.toFixed(2)} s = ${(tMany / SEQUENCES).toFixed(3)} s per sequence = ${(tMany / (SEQUENCES * STS_O2[1])).toFixed(3)}–${(tMany / (SEQUENCES * STS_O2[0])).toFixed(3)} × STS -O2 (${SEQUENCES} × 2.2–2.6 s, one process)\n`,
  );
  process.stdout.write(
    `  CPU time (all threads): ${cpuMany.toFixed(2)} s = ${(cpuMany / SEQUENCES).toFixed(3)} s per sequence = ${(cpuMany / (SEQUENCES * 2.5)).toFixed(3)} × STS -O2's 2.5 s user CPU per sequence\n`,
  );
}

await main();
