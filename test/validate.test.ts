import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conditionedEntropy } from '../src/analyze/sp800-90b/conditioning.js';
import { restartTest } from '../src/analyze/sp800-90b/restart.js';
import { bitPositions, chooseVariableBits, lowBits } from '../src/analyze/sp800-90b/sample-mapping.js';
import { rctCutoff } from '../src/collect/health/cutoffs.js';
import { closeSharedSamplerPool } from '../src/collect/sampler-pool.js';
import { schemaValidator } from '../src/contracts/schema.js';
import { countFalseAlarms, healthEvidence, mcvJumpBound } from '../src/jobs/validate/health-evidence.js';
import { PACKAGE_FILES, validateSource, verifyPackage } from '../src/jobs/validate/index.js';
import { MANIFEST, writeManifest } from '../src/jobs/validate/package-files.js';
import { conditioningComponent } from '../src/jobs/validate/registration.js';
import { tsxLoader } from '../src/util/workers.js';

const ROOT = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'oe-validate-'));
afterAll(async () => {
  await closeSharedSamplerPool();
  rmSync(work, { recursive: true, force: true });
});

function oe(args: string[], env: Record<string, string | undefined> = {}) {
  return spawnSync(process.execPath, ['--import', tsxLoader(), join(ROOT, 'src/cli/run.ts'), 'validate', ...args], {
    encoding: 'utf8',
    cwd: work,
    timeout: 300_000,
    env: { ...process.env, ...env },
  });
}

describe('sample mappings for wide measurements', () => {
  const values = BigInt64Array.from([0x1234n, -1n, 0n, 0x8000_0000_0000_0001n - 0x1_0000_0000_0000_0000n, 0xff00n]);
  it('keeps the N low bits, or the given bit positions with the first most significant', () => {
    expect([...lowBits(values, 4)]).toEqual([4, 15, 0, 1, 0]);
    expect([...lowBits(values, 8)]).toEqual([0x34, 0xff, 0, 1, 0]);
    // bit 63 (sign), bit 12, bit 0
    expect([...bitPositions(values, [63, 12, 0])]).toEqual([0b010, 0b111, 0b000, 0b101, 0b010]);
    expect(() => lowBits(values, 9)).toThrow(RangeError);
    expect(() => bitPositions(values, [64])).toThrow(RangeError);
  });

  it('chooses the most variable positions of a calibration stretch, highest first', () => {
    // bit 3 alternates, bit 10 is set a quarter of the time, every other bit is constant
    const cal = BigInt64Array.from({ length: 4000 }, (_, i) =>
      BigInt(((i & 1) << 3) | (i % 4 === 0 ? 1 << 10 : 0) | 0x20),
    );
    expect(chooseVariableBits(cal, 2)).toEqual([10, 3]);
    expect(chooseVariableBits(cal, 1)).toEqual([3]);
  });
});

describe('SHA-256 conditioning component (SP 800-90B §3.1.5.1.2)', () => {
  it('Output_Entropy equals the formula evaluated directly where doubles suffice, and the log-domain limits', () => {
    for (const [nIn, nOut, nw, hIn] of [
      [16, 8, 8, 10],
      [24, 16, 12, 20],
      [40, 32, 32, 30],
    ]) {
      const n = Math.min(nOut, nw);
      const pHigh = 2 ** -hIn;
      const pLow = (1 - pHigh) / (2 ** nIn - 1);
      const psi = 2 ** (nIn - n) * pLow + pHigh;
      const u = 2 ** (nIn - n) + Math.sqrt(2 * n * 2 ** (nIn - n) * Math.LN2);
      const direct = -Math.log2(Math.min(1, Math.max(psi, u * pLow)));
      expect(conditionedEntropy(nIn, nOut, nw, hIn)).toBeCloseTo(direct, 10);
    }
    // 256 full-entropy bits into SHA-256: ω = (1 + √(512 ln 2))·2^−256
    expect(conditionedEntropy(256, 256, 256, 256)).toBeCloseTo(256 - Math.log2(1 + Math.sqrt(512 * Math.LN2)), 9);
    const c = conditioningComponent(0.5);
    expect(c.samplesPerBlock).toBe(640);
    expect(c.nIn).toBe(5120);
    expect(c.hIn).toBe(320);
    expect(c.margin64).toBe(true);
    expect(c.hOut).toBeGreaterThan(255.999999);
  });
});

describe('health-test evidence through the pool’s own tests', () => {
  it('counts false alarms (a planted stuck run is one RCT alarm) and detects a stuck source within the RCT cutoff', {
    timeout: 120_000,
  }, async () => {
    const data = new Uint8Array(200_000);
    let s = 5;
    for (let i = 0; i < data.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      data[i] = s >>> 24;
    }
    const clean = countFalseAlarms(data, 7, 2 ** -30, false);
    expect(clean.map((x) => x.observed)).toEqual([0, 0]);
    const stuck = data.slice();
    stuck.fill(9, 1000, 1000 + rctCutoff(7, 2 ** -30));
    expect(countFalseAlarms(stuck, 7, 2 ** -30, false)[0].observed).toBe(1);
    const e = await healthEvidence(data, 7, 8, { trials: 20, faultProbability: 0.5, stopDeadlineMs: 300 });
    expect(schemaValidator('validation-health')(e)).toBe(true);
    const stuckFault = e.induced.find((f) => f.fault === 'stuck');
    expect(stuckFault?.detected).toBe(20);
    expect(stuckFault?.samplesToDetect?.max).toBeLessThanOrEqual(e.rct.cutoff);
    expect(stuckFault?.beyondLimit).toBe(0);
    const jump = e.induced.find((f) => f.fault === 'mcv-jump');
    expect(jump?.detected).toBe(20);
    // p = 0.5, every window the value starts fires: 30 windows (0.5^30 < 1e-9) after the one at the onset
    expect(jump?.limit?.samples).toBe(31 * e.apt.window);
    expect(mcvJumpBound(0.5, e.apt.cutoff, e.apt.window)).toBe(31 * e.apt.window);
    expect(jump?.samplesToDetect?.max).toBeLessThanOrEqual(jump?.limit?.samples ?? 0);
    expect(jump?.beyondLimit).toBe(0);
    const stop = e.induced.find((f) => f.fault === 'stop');
    expect(stop?.detected).toBe(1);
    expect(stop?.stop?.error).toMatch(/no healthy entropy source|deadline/);
  });
});

describe('SHA256SUMS of a package', () => {
  it('--verify reports changed, missing and unlisted files', () => {
    const dir = join(work, 'manifest');
    mkdirSync(join(dir, 'nist'), { recursive: true });
    writeFileSync(join(dir, 'a.bin'), 'a');
    writeFileSync(join(dir, 'nist', 'b.json'), '{}');
    writeFileSync(join(dir, 'c.txt'), 'c');
    expect(writeManifest(dir)).toBe(3);
    expect(verifyPackage(dir).valid).toBe(true);
    appendFileSync(join(dir, 'a.bin'), 'x');
    rmSync(join(dir, 'c.txt'));
    writeFileSync(join(dir, 'extra'), '');
    const r = verifyPackage(dir);
    expect(r).toMatchObject({
      valid: false,
      mismatched: ['a.bin'],
      missing: ['c.txt'],
      unlisted: ['extra'],
      ok: ['nist/b.json'],
    });
    writeFileSync(join(dir, MANIFEST), 'not a manifest line\n');
    expect(() => verifyPackage(dir)).toThrow(/SHA256SUMS line 1/);
  });
});

describe('oe validate: the package of a fast source (reduced restart count)', () => {
  it('raw and restart files of the sizes NIST reads, every JSON valid, the restart matrix reproduces, the manifest verifies', {
    timeout: 900_000,
  }, async () => {
    const dir = join(work, 'pkg');
    const restarts = 6;
    const doc = await validateSource({ source: 'clock_jitter', output: dir, restarts, seed: 3 });
    expect(statSync(join(dir, PACKAGE_FILES.raw)).size).toBe(1_000_000);
    expect(statSync(join(dir, PACKAGE_FILES.restart)).size).toBe(restarts * 1000);
    const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
    for (const [file, schema] of [
      [PACKAGE_FILES.assessment, 'assess'],
      [PACKAGE_FILES.health, 'validation-health'],
      [PACKAGE_FILES.registration, 'validation-registration'],
    ]) {
      const v = schemaValidator(schema);
      expect(v(read(file)), `${file}: ${JSON.stringify(v.errors)}`).toBe(true);
    }
    // the restart data re-read from the file gives the package's restart results
    const matrix = new Uint8Array(readFileSync(join(dir, PACKAGE_FILES.restart)));
    const again = restartTest(matrix, doc.assessment.hI, 8, { rows: restarts, columns: 1000 });
    const stored = read(PACKAGE_FILES.assessment).restart;
    expect([again.xMax, again.hR, again.hC, again.sanityPassed]).toEqual([
      stored.xMax,
      stored.hR,
      stored.hC,
      stored.sanityPassed,
    ]);
    // the raw file is the recorded session's first million measurements under the stated mapping
    const reg = read(PACKAGE_FILES.registration);
    expect(reg.samples.mapping.kind).toBe('extract');
    expect(existsSync(join(dir, reg.samples.session.dir, 'session.json'))).toBe(true);
    // NIST-format results
    const nist = read(`${PACKAGE_FILES.nist}/ea_restart.json`);
    expect(nist.type).toBe('Restart');
    expect(read(`${PACKAGE_FILES.nist}/ea_non_iid.json`).testCases.at(-1).hAssessed).toBeCloseTo(doc.assessment.hI, 12);
    const report = readFileSync(join(dir, PACKAGE_FILES.report), 'utf8');
    for (const heading of ['## Raw data', '## Restart data', '## Health tests', '## Files'])
      expect(report).toContain(heading);
    expect(verifyPackage(dir).valid).toBe(true);
    // through the CLI: --verify passes, then fails once a file changes
    const ok = oe(['--verify', dir, '--json']);
    expect(ok.status).toBe(0);
    const verified = JSON.parse(ok.stdout);
    expect(schemaValidator('validation-verify')(verified)).toBe(true);
    expect(verified.valid).toBe(true);
    appendFileSync(join(dir, PACKAGE_FILES.raw), Uint8Array.of(1));
    const bad = oe(['--verify', dir]);
    expect(bad.status).toBe(4);
    expect(bad.stdout).toContain('changed: raw.bin');
  });

  it('bad input: unknown or unavailable source, an existing folder, a source too slow for the time limit', {
    timeout: 300_000,
  }, () => {
    for (const [args, env, code, msg] of [
      [['--source', 'no_such_source'], {}, 3, /unknown source "no_such_source"/],
      [['--source', 'dns_timing'], { OE_DNS_RESOLVER: undefined }, 5, /not available here/],
      [['--source', 'clock_jitter', '--output', work], {}, 2, /already exists/],
      [
        ['--source', 'sleep_jitter', '--max-time', '2s', '--output', join(work, 'slow')],
        {},
        7,
        /samples\/s here: 1000000 samples would take about .* over the limit of 2 s/,
      ],
      [['--bits', '4', '--reduce', 'middle', '--source', 'clock_jitter'], {}, 2, /reduce/],
      [[], {}, 2, /--source NAME/],
    ] as Array<[string[], Record<string, string | undefined>, number, RegExp]>) {
      const r = oe(args, env);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      // one error line (after any progress line), never a stack trace
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('oe: '));
      expect(errors, r.stderr).toHaveLength(1);
      expect(errors[0]).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(work, 'slow'))).toBe(false);
  });
});
