import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assessSp80022, assessSp80022Bytes } from '../src/analyze/sp800-22/assess.js';
import { bitsFromBytes } from '../src/analyze/sp800-22/bits.js';
import { extendedTests } from '../src/analyze/sp800-22/extended.js';
import { NIST_TEST_NAMES } from '../src/analyze/sp800-22/types.js';
import { recordSession } from '../src/collect/recorder/index.js';
import { closeSharedSamplerPool } from '../src/collect/sampler-pool.js';
import { assertSchema } from '../src/contracts/schema.js';
import { buildLiveReport, buildSessionReport } from '../src/jobs/report-data.js';
import { renderMarkdownReport } from '../src/report/markdown-report.js';
import { plotDirFor, readBitFile, writeReportFiles } from '../src/report/report-files.js';
import { sp80022Json } from '../src/report/sp800-22-json.js';
import { runOeInProcess as oe } from './cli-helpers.js';

const FIX = join(import.meta.dirname, 'fixtures', 'sp800-22');

describe('oe report --input', () => {
  it('--json on the sqrt2 bits (ASCII) gives STS p-values in NIST order, valid against the schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oe-report-'));
    const bits = bitsFromBytes(new Uint8Array(readFileSync(join(FIX, 'sqrt2.bin'))));
    // NIST's ASCII format with line breaks every 64 characters (whitespace is ignored)
    let ascii = '';
    for (let i = 0; i < bits.n; i += 64) ascii += `${Array.from(bits.bits.subarray(i, i + 64)).join('')}\n`;
    const file = join(dir, 'sqrt2.txt');
    writeFileSync(file, ascii);
    const r = await oe(['report', '--input', file, '--format', 'ascii', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    assertSchema('sp800-22', json);
    const ref = JSON.parse(readFileSync(join(FIX, 'sqrt2.json'), 'utf8'));
    expect(json.tests.map((t: { name: string }) => t.name)).toEqual([...NIST_TEST_NAMES]);
    json.tests.forEach((t: { pValues: number[] }, i: number) => {
      expect(t.pValues.length).toBe(ref.tests[i].pValues.length);
      t.pValues.forEach((p, j) => {
        expect(Math.abs(p - ref.tests[i].pValues[j])).toBeLessThan(1e-6);
      });
    });
    expect(json.extended.length).toBeGreaterThan(0);

    // binary input (packed path) on pi
    const rb = await oe(['report', '--input', join(FIX, 'pi.bin'), '--json']);
    expect(rb.code, rb.stderr).toBe(0);
    const jb = JSON.parse(rb.stdout);
    const refPi = JSON.parse(readFileSync(join(FIX, 'pi.json'), 'utf8'));
    jb.tests.forEach((t: { pValues: number[] }, i: number) => {
      expect(t.pValues.length).toBe(refPi.tests[i].pValues.length);
      t.pValues.forEach((p, j) => {
        expect(Math.abs(p - refPi.tests[i].pValues[j])).toBeLessThan(1e-6);
      });
    });
  }, 60_000);

  it('bad input gets one clear line and the right exit code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oe-report-'));
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '0101x');
    const missing = await oe(['report', '--input', join(dir, 'nope.bin')]);
    const r = await oe(['report', '--input', bad, '--format', 'ascii']);
    const none = await oe(['report', '--input', bad, '--session', 'x']);
    const tooMany = await oe(['report', '--input', join(FIX, 'pi.bin'), '--sequences', '2000000']);
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/not found/);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/byte 4/);
    expect(none.code).toBe(2);
    expect(tooMany.code).toBe(4);
  }, 60_000);
});

describe('Markdown report', () => {
  it('writes the report with relative links to readable SVG plots beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oe-report-'));
    const { bytes } = readBitFile(join(FIX, 'pi.bin'), 'binary');
    const a = await assessSp80022Bytes(bytes.subarray(0, 50_000), { sequences: 4, threads: 0 });
    expect(a.secondLevel.rows.length).toBeGreaterThan(15);
    const out = join(dir, 'report.md');
    const rendered = renderMarkdownReport(
      {
        title: 'test report',
        generatedAt: '2026-01-01T00:00:00Z',
        context: [['input', 'pi']],
        sources: [
          {
            name: 'pi digits',
            origin: 'pi',
            bytes: bytes.subarray(0, 50_000),
            sp80022: a,
            extended: extendedTests(bytes),
          },
        ],
      },
      plotDirFor(out),
    );
    const written = writeReportFiles(rendered, out);
    const md = readFileSync(out, 'utf8');
    expect(md).toMatch(/^# test report/);
    expect(md).toMatch(/\| Frequency \| 1 \| 4 \|/);
    // 100,000-bit sequences: Universal and OverlappingTemplate are not applicable, with the reason
    expect(md).toMatch(/\| Universal \| — \| 0 \| — \| — \| — \| — \| — \| not applicable \(needs 387,840 bits\) \|/);
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBe(4);
    for (const l of links) {
      expect(l.startsWith('report-plots/')).toBe(true);
      const svg = readFileSync(join(dir, decodeURI(l)), 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg).toMatch(/font-weight="bold"[^>]*>[^<]+<\/text>/);
      expect(svg).toMatch(/aria-label="[xy]-axis label"/);
    }
    expect(written.every((p) => existsSync(p))).toBe(true);
  }, 60_000);

  it('says why uniformity does not enter the verdicts: fewer than 55 sequences, or sequences below 10⁶ bits', async () => {
    const { bytes } = readBitFile(join(FIX, 'pi.bin'), 'binary');
    const md = async (sequences: number) => {
      const a = await assessSp80022Bytes(bytes.subarray(0, 55 * 1_000), {
        sequences,
        threads: 0,
        tests: ['Frequency'],
      });
      const doc = {
        title: 't',
        generatedAt: '2026-01-01T00:00:00Z',
        context: [],
        sources: [{ name: 'pi', origin: 'pi', bytes: bytes.subarray(0, 55_000), sp80022: a, extended: [] }],
      };
      return renderMarkdownReport(doc, 'p').markdown;
    };
    const few = await md(54);
    expect(few).toMatch(/Fewer than 55 sequences/);
    expect(few).not.toMatch(/shorter than 10⁶ bits/);
    const short = await md(55); // 55 sequences of 8,000 bits
    expect(short).not.toMatch(/Fewer than 55 sequences/);
    expect(short).toMatch(/Sequences shorter than 10⁶ bits: the uniformity p-values do not enter the verdicts/);
  });

  it('the JSON of a K-sequence run carries the second-level rows and validates', async () => {
    const { bytes } = readBitFile(join(FIX, 'pi.bin'), 'binary');
    const a = await assessSp80022Bytes(bytes.subarray(0, 25_000), { sequences: 2, threads: 0 });
    const json = sp80022Json(a, { name: 'pi', kind: 'binary' }, []);
    assertSchema('sp800-22', json);
    const freq = json.tests[0];
    expect(freq.sequences).toHaveLength(2);
    expect(freq.pValues).toHaveLength(2);
    expect(freq.secondLevel?.[0].sequences).toBe(2);
    expect(json.secondLevelNote).toMatch(/55 sequences/);
  });

  it('packed byte input (sequences not starting on a byte) gives the same results as unpacked bits', async () => {
    const { bytes } = readBitFile(join(FIX, 'sqrt2.bin'), 'binary');
    const part = bytes.subarray(0, 25_001); // 200,008 bits → 3 sequences of 66,669 bits
    const packed = await assessSp80022Bytes(part, { sequences: 3, threads: 0, tests: ['Frequency', 'Runs', 'Rank'] });
    const unpacked = await assessSp80022(bitsFromBytes(part), {
      sequences: 3,
      threads: 0,
      tests: ['Frequency', 'Runs', 'Rank'],
    });
    expect(packed.sequenceLength).toBe(66_669);
    expect(packed.perSequence).toEqual(unpacked.perSequence);
  });
});

describe('live and session reports', () => {
  it('samples getrandom and clock_jitter live, records a session and reports both', async () => {
    const live = await buildLiveReport({ sources: 'getrandom,clock_jitter', samples: 20_000, threads: 0 });
    expect(live.sources.map((x) => x.name)).toEqual(['getrandom', 'clock_jitter']);
    for (const s of live.sources) {
      expect(s.bytes.length).toBe(20_000);
      expect(s.sp80022?.sequenceLength).toBe(160_000);
    }
    expect(live.dependence?.pairs).toHaveLength(1);
    const md = renderMarkdownReport(live, 'p');
    expect(md.plots.map((p) => p.path)).toContain('p/cross-correlation.svg');

    const root = mkdtempSync(join(tmpdir(), 'oe-report-sessions-'));
    const m = await recordSession({
      sources: 'getrandom',
      durationSec: 30,
      maxSamples: 12_000,
      output: root,
      telemetryIntervalMs: 0,
    });
    const doc = await buildSessionReport(root, m.manifest.id, { threads: 0 });
    expect(doc.sources).toHaveLength(1);
    expect(doc.sources[0].bytes.length).toBe(12_000);
    expect(doc.sources[0].sp80022?.perSequence[0].find((r) => r.name === 'Frequency')?.applicable).toBe(true);
    await closeSharedSamplerPool();
  }, 60_000);
});
