import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mostCommonValue } from '../src/analyze/sp800-90b/most-common-value.js';
import { probeSource } from '../src/collect/availability.js';
import { getSource } from '../src/collect/catalog.js';
import { scanSources } from '../src/collect/scan.js';
import { schemaValidator } from '../src/contracts/schema.js';

const root = join(import.meta.dirname, '..');

function oe(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/run.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, OE_CACHE_DIR: join(tmpdir(), 'oe-test-cache') },
    timeout: 60_000,
  });
}

describe('scanSources (library)', () => {
  it('reports availability, unit, rate and MCV min-entropy; validates against the schema', async () => {
    const specs = ['clock_jitter', 'sleep_jitter', 'nvme_latency', 'fsync_journal'].map(getSource);
    const seen: string[] = [];
    const report = await scanSources(specs, { budgetMs: 50, onProgress: (_d, _t, e) => seen.push(e.name) });
    expect(
      schemaValidator('scan')({ sources: report.sources, machine: report.machine, elapsedMs: report.elapsedMs }),
    ).toBe(true);
    expect(seen.sort()).toEqual(specs.map((s) => s.name).sort());
    for (const e of report.sources) {
      const reason = probeSource(getSource(e.name));
      expect(e.available).toBe(reason === null);
      if (!e.available) {
        expect(e.reason).toBe(reason);
        expect(e.rate).toBeNull();
        expect(e.minEntropy).toBeNull();
      } else if (e.optIn) {
        // Listed, not run, unless the user names it.
        expect(e.rate).toBeNull();
        expect(e.note).toMatch(/opt-in/);
      } else {
        expect(e.error).toBeUndefined();
        expect(e.samples).toBeGreaterThan(1);
        expect(e.rate).toBeGreaterThan(0);
        expect(e.minEntropy).toBeGreaterThanOrEqual(0);
        expect(e.minEntropy).toBeLessThanOrEqual(8);
      }
    }
    const sleep = report.sources.find((e) => e.name === 'sleep_jitter');
    expect(sleep?.unit).toBe('ns');
    // A 1 us sleep cannot run more than 1e6 times per second of sampler time.
    expect(sleep?.rate).toBeLessThan(1e6);
  });

  it('puts min-entropy on the SP 800-90B MCV scale: a constant source scores 0', async () => {
    const constant = { ...getSource('clock_jitter'), name: 'constant', sampler: 'test_constant', params: { value: 5 } };
    const report = await scanSources([constant], { budgetMs: 20 });
    expect(report.sources[0].minEntropy).toBe(0);
    expect(report.sources[0].minEntropy).toBe(mostCommonValue(new Uint8Array([5, 5, 5])).hMin);
  });

  it('reports a failing source as an error row and keeps scanning the others', async () => {
    const broken = { ...getSource('clock_jitter'), name: 'broken', sampler: 'test_throw' };
    const report = await scanSources([broken, getSource('clock_jitter')], { budgetMs: 20 });
    expect(report.sources[0].available).toBe(true);
    expect(report.sources[0].error).toMatch(/deliberate test failure/);
    expect(report.sources[1].rate).toBeGreaterThan(0);
  });
});

describe('oe scan (CLI)', () => {
  it('--json --output writes a schema-valid report of the selected sources, progress on stderr', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'oe-scan-')), 'scan.json');
    const r = oe(['scan', '--json', '--sources', 'clock_jitter,nvme_*,getrandom', '--budget', '50', '--output', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const data = JSON.parse(readFileSync(out, 'utf8'));
    expect(schemaValidator('scan')(data)).toBe(true);
    const names = data.sources.map((s: { name: string }) => s.name);
    expect(names).toEqual(['clock_jitter', 'nvme_latency', 'getrandom']);
    // Progress went to stderr as plain lines (not a TTY here).
    expect(r.stderr).toMatch(/scan \[\d+\/\d+\] clock_jitter/);
  });

  it('an unknown --sources filter is a one-line usage error (exit 2)', () => {
    const r = oe(['scan', '--sources', 'no_such_source_xyz']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^oe: unknown source "no_such_source_xyz"/);
  });
});
