import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSource } from '../src/collect/availability.js';
import { getSource } from '../src/collect/catalog.js';
import { RepetitionCountTest } from '../src/collect/health/repetition-count-test.js';
import { sampleDirect } from '../src/collect/sampler-pool.js';
import { packageRoot } from '../src/util/paths.js';

const root = packageRoot();
const hasAlsaCapture = existsSync('/dev/snd') && readdirSync('/dev/snd').some((f) => /^pcmC\d+D\d+c$/.test(f));
const hasVideo = readdirSync('/dev').some((f) => /^video\d+$/.test(f));

interface ChildResult {
  probe: string | null;
  raw: { filled: number; unit: string; values: number[] };
  direct: { unit: string; values: number[]; bytes: number[] };
  pool: { unit: string; values: number[] };
}

/** Runs test/sensor-alsa-child.ts with `env` added (alsa-lib caches its configuration per process). */
function runChild(env: Record<string, string>, n: number): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/sensor-alsa-child.ts'), String(n)], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

/** Sets environment variables for the duration of `fn` (vitest runs each file in its own process). */
function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const apply = (e: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(e)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(env);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}

describe('audio_noise through alsa-lib’s file PCM plugin (capture data read from a file)', () => {
  const N = 8192;
  let dir: string;
  let samples: Int16Array;
  let fileBytes: Buffer;
  let result: ChildResult;
  const spec = getSource('audio_noise');
  // Frames the catalog entry discards after opening (its params, not its output).
  const settle = Math.round((Number(spec.params?.rate) * Number(spec.params?.settleMs)) / 1000);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'oe-alsa-'));
    // Random int16 samples (independent of oe), more than the discard plus one request.
    fileBytes = randomBytes(2 * (settle + N + 1000));
    samples = new Int16Array(fileBytes.buffer.slice(fileBytes.byteOffset, fileBytes.byteOffset + fileBytes.length));
    const infile = join(dir, 'in.raw');
    writeFileSync(infile, fileBytes);
    // alsa.conf loads $XDG_CONFIG_HOME/alsa/asoundrc; the file plugin reads capture data from `infile` on top
    // of the null PCM (which accepts any format, rate and channel count).
    mkdirSync(join(dir, 'alsa'));
    writeFileSync(
      join(dir, 'alsa', 'asoundrc'),
      `pcm.oetest {\n  type file\n  slave.pcm "null"\n  file "/dev/null"\n  infile "${infile}"\n  format "raw"\n}\n`,
    );
    result = runChild({ XDG_CONFIG_HOME: dir, OE_ALSA_PCM: 'oetest' }, N);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is available when OE_ALSA_PCM names a capture PCM', () => {
    expect(result.probe).toBeNull();
  });

  it('negotiates S16_LE and returns the file’s samples in order (no discard requested)', () => {
    expect(result.raw.unit).toBe('value');
    expect(result.raw.filled).toBe(N);
    expect(result.raw.values).toEqual(Array.from(samples.subarray(0, N)));
  });

  it('the catalog entry drops its settle time, then returns the file’s samples, direct and through the pool', () => {
    expect(settle).toBeGreaterThan(0);
    const expected = Array.from(samples.subarray(settle, settle + N));
    expect(result.direct.unit).toBe('value');
    expect(result.direct.values).toEqual(expected);
    expect(result.pool.unit).toBe('value');
    expect(result.pool.values).toEqual(expected);
  });

  it('extracts the low byte of each sample (the first byte of each little-endian int16 in the file)', () => {
    const expected = Array.from({ length: N }, (_, i) => fileBytes[2 * (settle + i)]);
    expect(result.direct.bytes).toEqual(expected);
  });
});

describe('audio_noise on alsa-lib’s null PCM (silence)', () => {
  it('captures all zeros, which the repetition count test rejects', () => {
    const r = runChild({ OE_ALSA_PCM: 'null' }, 4096);
    expect(r.probe).toBeNull();
    expect(new Set(r.direct.values)).toEqual(new Set([0]));
    const rct = new RepetitionCountTest(1);
    expect(rct.feed(Uint8Array.from(r.direct.bytes))).toBeGreaterThanOrEqual(0);
  });
});

describe('audio_noise unavailable reasons', () => {
  const spec = getSource('audio_noise');

  it('without a capture device or OE_ALSA_PCM says there is no ALSA capture device', () => {
    if (hasAlsaCapture) return;
    const reason = withEnv({ OE_ALSA_PCM: undefined }, () => probeSource(spec));
    expect(reason).toMatch(/no ALSA capture device/);
    expect(reason).toMatch(/OE_ALSA_PCM/);
  });

  it('OE_ALSA_PCM naming a PCM that does not exist gives alsa-lib’s reason', () => {
    const reason = withEnv({ OE_ALSA_PCM: 'oe_no_such_pcm' }, () => probeSource(spec));
    expect(reason).toMatch(/oe_no_such_pcm/);
    expect(reason).toMatch(/cannot open for capture/);
    expect(reason).toMatch(/Unknown PCM/);
  });

  it('sampling a missing PCM fails with the same one-line reason', () => {
    expect(() => withEnv({ OE_ALSA_PCM: 'oe_no_such_pcm' }, () => sampleDirect(spec, 16))).toThrow(
      /audio_noise.*oe_no_such_pcm.*cannot open for capture/,
    );
  });
});

describe('camera_noise unavailable reasons', () => {
  const spec = getSource('camera_noise');

  it('without /dev/video* or OE_V4L2_DEVICE says there is no V4L2 camera', () => {
    if (hasVideo) return;
    const reason = withEnv({ OE_V4L2_DEVICE: undefined }, () => probeSource(spec));
    expect(reason).toMatch(/no V4L2 camera/);
    expect(reason).toMatch(/OE_V4L2_DEVICE/);
  });

  it('a device that is not V4L2 (/dev/null: VIDIOC_QUERYCAP gives ENOTTY) is refused', () => {
    const reason = withEnv({ OE_V4L2_DEVICE: '/dev/null' }, () => probeSource(spec));
    expect(reason).toBe('V4L2 device /dev/null: not a V4L2 device (VIDIOC_QUERYCAP failed)');
  });

  it('a regular file is not a V4L2 device either', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oe-v4l2-'));
    try {
      const f = join(dir, 'video0');
      writeFileSync(f, 'x');
      expect(withEnv({ OE_V4L2_DEVICE: f }, () => probeSource(spec))).toMatch(/not a V4L2 device/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a path that does not exist says it cannot be opened', () => {
    const reason = withEnv({ OE_V4L2_DEVICE: '/nonexistent/video9' }, () => probeSource(spec));
    expect(reason).toBe('V4L2 device /nonexistent/video9: cannot open: No such file or directory');
  });

  it('sampling a non-V4L2 device fails with the reason instead of producing values', () => {
    expect(() => withEnv({ OE_V4L2_DEVICE: '/dev/null' }, () => sampleDirect(spec, 16))).toThrow(/not a V4L2 device/);
  });
});
