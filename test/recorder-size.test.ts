import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSource } from '../src/collect/catalog.js';
import { parseSize } from '../src/collect/recorder/duration.js';
import { freeBytesAt, recordSession, type SizeEstimate } from '../src/collect/recorder/index.js';
import { expectedSize } from '../src/collect/recorder/size.js';
import { SamplerPool } from '../src/collect/sampler-pool.js';
import { openSession } from '../src/collect/session/index.js';
import { closeDb } from '../src/db/index.js';
import { OeError } from '../src/errors.js';
import { runOeInProcess } from './cli-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'oe-size-'));
let pool: SamplerPool;
beforeAll(() => {
  pool = new SamplerPool();
});
afterAll(async () => {
  await pool.close();
  await closeDb();
  rmSync(root, { recursive: true, force: true });
});

describe('sizes', () => {
  it('parses --max-size with SI and binary units; junk is a usage error naming the flag', () => {
    expect(parseSize('500MB', '--max-size')).toBe(500_000_000);
    expect(parseSize('2GiB', '--max-size')).toBe(2 * 2 ** 30);
    expect(parseSize('1.5k', '--max-size')).toBe(1500);
    expect(parseSize('4096', '--max-size')).toBe(4096);
    for (const bad of ['', '0', '-1MB', '5 parsecs', 'MB']) {
      const e = (() => {
        try {
          parseSize(bad, '--max-size');
        } catch (x) {
          return x as OeError;
        }
      })();
      expect(e).toBeInstanceOf(OeError);
      expect(e?.code).toBe('USAGE');
      expect(e?.message).toContain('--max-size');
    }
  });

  it('expects rate × duration × bytes per sample, bounded by max-samples and max-size', () => {
    const specs = [getSource('clock_jitter'), getSource('memory_timing')];
    const plan = { durationSec: 60, maxSamples: null, specs, maxSizeBytes: null };
    expect(expectedSize(plan, 1000, 2.5)).toBe(150_000);
    expect(expectedSize({ ...plan, maxSamples: 10_000 }, 1000, 2.5)).toBe(50_000);
    expect(expectedSize({ ...plan, maxSizeBytes: 1000 }, 1000, 2.5)).toBe(1000);
    expect(expectedSize({ ...plan, durationSec: null }, 1000, 2.5)).toBeNull();
    const free = freeBytesAt(join(root, 'not', 'yet', 'there'));
    expect(free.disk).toBe(root);
    expect(free.free).toBeGreaterThan(0);
  });
});

describe('recording within bounds', () => {
  it('ends cleanly at --max-size, never above it', async () => {
    const max = 150_000;
    const { dir, manifest } = await recordSession({
      sources: [getSource('clock_jitter')],
      durationSec: 60,
      maxRate: Number.POSITIVE_INFINITY,
      maxSizeBytes: max,
      output: join(root, 'capped'),
      sampler: pool,
      skipProbe: true,
    });
    expect(manifest.end_reason).toBe('max-size');
    expect(manifest.status).toBe('complete');
    expect(manifest.config.max_size_bytes).toBe(max);
    expect(manifest.size_bytes).toBeLessThanOrEqual(max);
    expect(manifest.total_samples).toBeGreaterThan(0);
    openSession(dir, { verify: true });
  });

  it('ends cleanly when the disk would keep less than minFreeBytes free', async () => {
    const { manifest } = await recordSession({
      sources: [getSource('clock_jitter')],
      durationSec: 60,
      minFreeBytes: Number.MAX_SAFE_INTEGER,
      output: join(root, 'full'),
      sampler: pool,
      skipProbe: true,
    });
    expect(manifest.end_reason).toBe('disk-space');
    expect(manifest.status).toBe('complete');
  });

  it('states the estimate after the first seconds of the session itself and stops one that cannot fit there', async () => {
    const out = join(root, 'refused');
    const seen: SizeEstimate[] = [];
    const e = await recordSession({
      sources: [getSource('clock_jitter')],
      durationSec: 1e9,
      output: out,
      sampler: pool,
      skipProbe: true,
      flushIntervalMs: 200,
      sizeCheck: { calibrationSec: 0.4 },
      onEstimate: (x) => seen.push(x),
    }).catch((x) => x);
    expect(e).toBeInstanceOf(OeError);
    expect(e.code).toBe('IO');
    expect(e.message).toMatch(/would need about .* measured over its first .* free on .*stopped there/);
    expect(e.message).not.toContain('\n');
    expect(seen).toHaveLength(1);
    const est = seen[0];
    expect(est.fits).toBe(false);
    expect(est.samplesPerSec).toBeGreaterThan(0);
    expect(est.bytesPerSample).toBeGreaterThan(0);
    expect(est.writtenBytes).toBeGreaterThan(0);
    expect(est.calibrationSec).toBeGreaterThanOrEqual(0.4);
    expect(est.expectedBytes).toBeCloseTo(est.samplesPerSec * 1e9 * est.bytesPerSample, -3);
    // Nothing recorded twice: the one folder is the session, which kept its first seconds and says why it stopped.
    const dirs = readdirSync(out);
    expect(dirs).toHaveLength(1);
    const { manifest } = openSession(join(out, dirs[0]), { verify: true });
    expect(manifest.status).toBe('failed');
    expect(manifest.end_reason).toBe('space-check');
    expect(manifest.error).toMatch(/would need about/);
    expect(manifest.total_samples).toBeGreaterThan(0);
    expect(manifest.duration_ms).toBeLessThan(120_000);
  });

  it('goes on past an estimate that does not fit when told to, and bounds the estimate by max-size', async () => {
    const out = join(root, 'overflow');
    const seen: SizeEstimate[] = [];
    const controller = new AbortController();
    let stoppedAt = 0;
    const { manifest } = await recordSession({
      sources: [getSource('clock_jitter')],
      durationSec: 1e9,
      output: out,
      sampler: pool,
      skipProbe: true,
      flushIntervalMs: 200,
      signal: controller.signal,
      sizeCheck: { calibrationSec: 0.4, allowOverflow: true },
      onEstimate: (x) => {
        seen.push(x);
        // Stop a little later, after more flushes than the check needed.
        setTimeout(() => {
          stoppedAt = x.calibrationSec;
          controller.abort('test');
        }, 600);
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0].fits).toBe(false);
    expect(manifest.status).toBe('complete');
    expect(manifest.end_reason).toBe('test');
    expect(manifest.duration_ms).toBeGreaterThan(stoppedAt * 1000 + 500);

    const capped = await recordSession({
      sources: [getSource('clock_jitter')],
      durationSec: 1e9,
      maxSizeBytes: 150_000,
      output: out,
      sampler: pool,
      skipProbe: true,
      flushIntervalMs: 200,
      sizeCheck: { calibrationSec: 0.4 },
      // The estimate needs samples on disk before the guard, which counts unwritten samples at 9 bytes,
      // reaches 150 kB (~0.8 s): written here, so that a low-priority writer process starved by a loaded
      // machine cannot delay the first parts past that.
      writerProcess: false,
      onEstimate: (x) => seen.push(x),
    });
    expect(seen[1].expectedBytes).toBe(150_000);
    expect(seen[1].fits).toBe(true);
    expect(capped.manifest.end_reason).toBe('max-size');
    expect(readdirSync(out)).toHaveLength(2);
  });

  it('measures a short session over its first half', async () => {
    const seen: SizeEstimate[] = [];
    const { manifest } = await recordSession({
      sources: [getSource('clock_jitter')],
      durationSec: 3,
      output: join(root, 'short'),
      sampler: pool,
      skipProbe: true,
      flushIntervalMs: 200,
      sizeCheck: {},
      onEstimate: (x) => seen.push(x),
    });
    expect(manifest.end_reason).toBe('duration');
    expect(seen).toHaveLength(1);
    expect(seen[0].calibrationSec).toBeGreaterThanOrEqual(1.5);
    expect(seen[0].calibrationSec).toBeLessThan(3);
    expect(seen[0].fits).toBe(true);
  });

  it('checks calibrationSec before anything is written', async () => {
    const out = join(root, 'bad-option');
    const e = await recordSession({
      sources: [getSource('clock_jitter')],
      output: out,
      skipProbe: true,
      sizeCheck: { calibrationSec: 0 },
    }).catch((x) => x);
    expect(e).toBeInstanceOf(OeError);
    expect(e.code).toBe('USAGE');
    expect(e.message).toContain('calibrationSec');
    expect(readdirSync(root)).not.toContain('bad-option');
  });

  it('oe record: a session that cannot fit stops after its first seconds with one line and exit status 6', async () => {
    const out = join(root, 'cli-refused');
    const r = await runOeInProcess([
      'record',
      '--sources',
      'clock_jitter',
      '--duration',
      '1000000h',
      '--flush-interval',
      '200ms',
      '--output',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(6);
    const lines = r.stderr.trim().split('\n');
    // The estimate (stated once it is measured), then the one-line reason: no stack trace.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^expected size .*measured over the first .* free on /);
    expect(lines[1]).toMatch(/^oe: the session would need about .*--no-space-check.*ended early/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    const dirs = readdirSync(out);
    expect(dirs).toHaveLength(1);
    const { manifest } = openSession(join(out, dirs[0]), { verify: true });
    expect(manifest.status).toBe('failed');
    expect(manifest.end_reason).toBe('space-check');
    expect(manifest.duration_ms).toBeLessThan(60_000);
  });
});
