import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareInputs, summarize, tQuantile, welch } from '../src/analyze/compare/compare.js';
import { assertSchema } from '../src/contracts/schema.js';
import type { BenchReport, BenchSourceRow } from '../src/jobs/bench.js';
import { loadCompareInput } from '../src/jobs/compare-inputs.js';
import { renderCompareMarkdown } from '../src/report/compare-markdown.js';
import { compareDocument, renderCompareText } from '../src/report/compare-text.js';

describe('compare statistics against scipy', () => {
  it('t quantiles, t-intervals and Welch tests', () => {
    // scipy.stats.t.ppf(0.975, 4), t.ppf(0.975, 3.7)
    expect(tQuantile(0.05, 4)).toBeCloseTo(2.7764451051977934, 9);
    expect(tQuantile(0.05, 3.7)).toBeCloseTo(2.8675207071911895, 9);
    const s = summarize([6.1, 6.3, 6.2, 6.25, 6.15]);
    expect(s.ci_low!).toBeCloseTo(6.101837841926122, 9);
    expect(s.ci_high!).toBeCloseTo(6.298162158073878, 9);
    // scipy.stats.ttest_ind(b, a, equal_var=False)
    expect(welch([1, 2, 3, 4], [2, 4, 6, 8.5])!.p).toBeCloseTo(0.1579142676824098, 9);
    expect(welch([6.1, 6.3, 6.2, 6.25, 6.15], [5.2, 5.5, 5.35, 5.4, 5.3])!.p).toBeCloseTo(1.8543423052320883e-6, 12);
    expect(welch([1], [2, 3])).toBeNull();
  });
});

function row(name: string, h: number[], sh: number[], bps: number[]): BenchSourceRow {
  return {
    name,
    category: 'timing',
    kind: 'physical',
    composite: false,
    available: true,
    reason: null,
    state: 'OK',
    healthy: true,
    rounds: h.length,
    success_rounds: h.length,
    failures: 0,
    errors: [],
    bytes_total: 4096 * h.length,
    avg_shannon: sh.reduce((a, b) => a + b, 0) / sh.length,
    round_min_entropy: h,
    round_shannon: sh,
    round_throughput_bps: bps,
    avg_round_min_entropy: h.reduce((a, b) => a + b, 0) / h.length,
    min_entropy: 6.5,
    min_entropy_method: 'SP 800-90B non-IID',
    grade_samples: 16384,
    grade: 'A',
    grade_note: null,
    avg_throughput_bps: bps.reduce((a, b) => a + b, 0) / bps.length,
    stability: 0.99,
    score: 0.8,
  };
}

function benchFile(cpu: string, rows: BenchSourceRow[], samplesPerRound = 4096): BenchReport {
  return {
    format: 'oe-bench',
    format_version: 1,
    generated_unix: 1_700_000_000,
    generated_at: '2026-11-27T12:00:00.000Z',
    profile: 'standard',
    conditioning: 'sha256',
    rank_by: 'balanced',
    seed: 1,
    settings: {
      samples_per_round: samplesPerRound,
      rounds: 5,
      warmup_rounds: 1,
      timeout_sec: 3,
      grade_samples: 16384,
      grade_method: 'x',
    },
    fingerprint: {
      machine: {
        os: 'linux',
        platform: 'linux',
        arch: 'x64',
        kernel: '6.1.0',
        cpu_model: cpu,
        cpu_vendor: null,
        cpu_flags: null,
        cores: 2,
        cpus_online: 2,
        memory_bytes: 1,
        virtualization: { detected: true, vendor: 'kvm', product: null },
        clocksource: 'tsc',
        cpufreq_governor: null,
        machine_id: cpu.slice(0, 4),
      },
      software: {
        oe: '0.1.0',
        node: 'v20',
        v8: '11',
        duckdb: null,
        addon: { built: true, arch: 'x64', tick_unit: 'tsc', samplers: 1, mtime: null },
        git_commit: null,
      },
    } as BenchReport['fingerprint'],
    standard: { sources: rows, pool: null, pool_note: 'skipped (--no-pool)' },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'oe-compare-'));
function write(name: string, r: BenchReport): string {
  const p = join(dir, name);
  assertSchema('bench', r);
  writeFileSync(p, JSON.stringify(r));
  return p;
}

const steady = [6.1, 6.3, 6.2, 6.25, 6.15];
const sh = [7.95, 7.96, 7.955, 7.952, 7.958];
const bps = [1.0e6, 1.02e6, 0.99e6, 1.01e6, 1.0e6];

describe('oe compare on synthetic bench files', () => {
  it('flags a known difference, with the right sign, and nothing else', async () => {
    const a = write(
      'a.json',
      benchFile('CPU A', [row('clock_jitter', steady, sh, bps), row('memory_timing', steady, sh, bps)]),
    );
    const b = write(
      'b.json',
      benchFile('CPU B', [
        row('clock_jitter', [5.2, 5.5, 5.35, 5.4, 5.3], sh, bps),
        row(
          'memory_timing',
          [6.15, 6.2, 6.3, 6.1, 6.25],
          [7.951, 7.957, 7.96, 7.95, 7.955],
          bps.map((x) => x * 1.001),
        ),
      ]),
    );
    const doc = compareDocument(compareInputs([await loadCompareInput(a, 'A'), await loadCompareInput(b, 'B')]));
    assertSchema('compare', JSON.parse(JSON.stringify(doc)));
    const cj = doc.sources.find((s) => s.name === 'clock_jitter')!;
    const hm = cj.comparisons.find((c) => c.metric === 'min_entropy')!;
    expect(hm.significant).toBe(true);
    expect(hm.difference!).toBeCloseTo(5.35 - 6.2, 12);
    expect(hm.difference_ci_high!).toBeLessThan(0);
    expect(cj.verdict).toMatch(/^clock_jitter: DIFFERENT: min-entropy -0\.850/);
    expect(cj.comparisons.filter((c) => c.significant)).toHaveLength(1);
    const mt = doc.sources.find((s) => s.name === 'memory_timing')!;
    expect(mt.comparisons.some((c) => c.significant)).toBe(false);
    expect(mt.verdict).toBe('memory_timing: no significant difference');
    expect(doc.inputs[1].machine).toMatch(/CPU B, 2 cores, VM \(kvm\)/);
    const md = renderCompareMarkdown(doc, 'compare-plots');
    expect(md.markdown).toContain('![Min-entropy per source and input](compare-plots/min-entropy.svg)');
    expect(md.markdown).toContain('**≠**');
    expect(md.plots[0].svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(renderCompareText(doc)).toContain('≠');
  });

  it('flags nothing when two files differ only by noise', async () => {
    const a = write('n1.json', benchFile('CPU A', [row('clock_jitter', steady, sh, bps)]));
    const b = write(
      'n2.json',
      benchFile('CPU A', [
        row(
          'clock_jitter',
          [6.2, 6.15, 6.3, 6.1, 6.25],
          [7.958, 7.95, 7.955, 7.96, 7.952],
          [1.01e6, 1.0e6, 1.02e6, 0.99e6, 1.0e6],
        ),
      ]),
    );
    const doc = compareDocument(compareInputs([await loadCompareInput(a, 'A'), await loadCompareInput(b, 'B')]));
    expect(doc.sources[0].comparisons.every((c) => c.comparable && !c.significant)).toBe(true);
    expect(doc.sources[0].verdict).toBe('clock_jitter: no significant difference');
  });

  it('does not compare min-entropy across different replicate sizes, and reports missing sources', async () => {
    const a = write('s1.json', benchFile('CPU A', [row('clock_jitter', steady, sh, bps)], 4096));
    const b = write(
      's2.json',
      benchFile(
        'CPU A',
        [row('clock_jitter', [5, 5.1, 5.05, 5.2, 4.9], sh, bps), row('only_b', steady, sh, bps)],
        2048,
      ),
    );
    const doc = compareDocument(compareInputs([await loadCompareInput(a, 'A'), await loadCompareInput(b, 'B')]));
    const h = doc.sources[0].comparisons.find((c) => c.metric === 'min_entropy')!;
    expect(h.comparable).toBe(false);
    expect(h.significant).toBe(false);
    expect(h.note).toMatch(/different sizes/);
    expect(doc.sources.find((s) => s.name === 'only_b')!.verdict).toMatch(/NOT COMPARED: source missing in A/);
  });

  it('rejects a file that is not a bench report with a clear error', async () => {
    const p = join(dir, 'bad.json');
    writeFileSync(p, '{"hello": 1}');
    await expect(loadCompareInput(p, 'A')).rejects.toThrow(/not an oe bench report/);
    writeFileSync(p, 'not json');
    await expect(loadCompareInput(p, 'A')).rejects.toThrow(/not a readable JSON/);
    expect(readFileSync(p, 'utf8')).toBe('not json');
  });
});
