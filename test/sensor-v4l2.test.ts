// camera_noise's V4L2 capture path against a user-space fake V4L2 device: test/fixtures/v4l2-fake/fake-v4l2.c,
// compiled here and loaded with LD_PRELOAD into a child node process (test/sensor-v4l2-child.ts). The fake is a
// test double of the kernel interface (it answers the ioctls, mmap, poll and read of one fake path and passes
// everything else to libc); its frames carry a known pattern, so the expected pixel values are computed here from
// the pattern and the V4L2 format definitions, not from camera_noise. No real camera is involved: without the
// preload the source stays unavailable on this machine (test/sensor.test.ts).
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSource } from '../src/collect/catalog.js';
import { packageRoot } from '../src/util/paths.js';

const root = packageRoot();
const run = promisify(execFile);

/** The fake's call counts (cumulative over the child process), rewritten at every close of the fake fd. */
interface Summary {
  opens: number;
  closes: number;
  openFds: number;
  reqbufs: number;
  reqbufsFree: number;
  qbuf: number;
  dqbuf: number;
  streamon: number;
  streamoff: number;
  mmaps: number;
  munmaps: number;
  mapped: number;
  reads: number;
  polls: number;
  maxPollMs: number;
  frames: number;
  closedStreaming: number;
  closedWithBuffers: number;
  freedWhileMapped: number;
  blockingOpens: number;
  unknownIoctls: string[];
  format: string;
  width: number;
  height: number;
  bytesperline: number;
  buffers: number;
}
interface StepResult {
  kind: string;
  reason?: string | null;
  unit?: string;
  values?: number[];
  bytes?: number[];
  error?: string;
  summary: Summary;
}
type Step = { env?: Record<string, string> } & (
  | { kind: 'probe' }
  | { kind: 'raw'; n: number; params: Record<string, number>; timeoutMs?: number }
  | { kind: 'direct'; n: number }
  | { kind: 'pool'; n: number; timeoutMs: number }
);

let dir: string;
let shim: string;
let caseNo = 0;

interface FakeRun {
  path: string;
  /** The steps' outcomes; throws if the child failed or was killed at its timeout (a hung sampler). */
  readonly results: StepResult[];
}

/**
 * Runs the child with the fake device configured by `fake` (OE_FAKE_V4L2_* without the prefix). A failed child fails
 * only the tests that read its results.
 */
/**
 * `timeoutMs` only catches a hung sampler (which would never return): generous, because on a busy machine the
 * child's node + tsx start-up alone can take tens of seconds.
 */
async function runFake(fake: Record<string, string>, steps: Step[], timeoutMs = 120_000): Promise<FakeRun> {
  const sub = join(dir, `case${caseNo++}`);
  mkdirSync(sub);
  const path = join(sub, 'video0');
  writeFileSync(path, ''); // the fake really opens this regular file, so the fd is genuine
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    LD_PRELOAD: shim,
    OE_V4L2_DEVICE: path,
    OE_FAKE_V4L2_PATH: path,
    OE_FAKE_V4L2_LOG: join(sub, 'summary.json'),
  };
  for (const [k, v] of Object.entries(fake)) env[`OE_FAKE_V4L2_${k}`] = v;
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'test/sensor-v4l2-child.ts'), JSON.stringify(steps)],
      { cwd: root, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
    );
    const results = JSON.parse(stdout) as StepResult[];
    return { path, results };
  } catch (e) {
    const err = e as { killed?: boolean; stderr?: string; message: string };
    const why = err.killed ? `killed after ${timeoutMs} ms (a hung sampler?)` : err.message;
    return {
      path,
      get results(): StepResult[] {
        throw new Error(`child for ${JSON.stringify(fake)} failed: ${why} ${err.stderr ?? ''}`);
      },
    };
  }
}

/** Byte i of frame k as the fake generates it (see fake-v4l2.c). */
const patternByte = (k: number, i: number) => (k * 7 + i * 13) & 0xff;

interface Layout {
  width: number;
  height: number;
  bytesperline: number;
  /** Offset of the first sample in a row, bytes from one sample to the next, bytes per sample. */
  offset: number;
  step: number;
  bytes: 1 | 2;
  /** Significant bits of a 16-bit sample (V4L2 Y10/Y12: right-aligned, little-endian). */
  depth?: number;
}

/**
 * The first n pixel values of frames firstFrame, firstFrame + 1, … (leaving out `skip`), row by row, skipping row
 * padding.
 */
function expectedValues(l: Layout, firstFrame: number, n: number, skip: number[] = []): number[] {
  const out: number[] = [];
  for (let k = firstFrame; out.length < n; k++) {
    if (skip.includes(k)) continue;
    for (let row = 0; row < l.height && out.length < n; row++) {
      for (let x = 0; x < l.width && out.length < n; x++) {
        const at = row * l.bytesperline + l.offset + x * l.step;
        if (l.bytes === 1) out.push(patternByte(k, at));
        else out.push(patternByte(k, at) | ((patternByte(k, at + 1) & ((1 << ((l.depth ?? 16) - 8)) - 1)) << 8));
      }
    }
  }
  return out;
}

/** After a batch: every buffer unmapped and freed, streaming stopped before close, the device closed. */
function expectCleanedUp(s: Summary) {
  expect(s.openFds).toBe(0);
  expect(s.closes).toBe(s.opens);
  expect(s.mapped).toBe(0);
  expect(s.munmaps).toBe(s.mmaps);
  expect(s.streamoff).toBe(s.streamon);
  expect(s.closedStreaming).toBe(0);
  expect(s.closedWithBuffers).toBe(0);
  expect(s.freedWhileMapped).toBe(0);
  expect(s.blockingOpens).toBe(0);
  expect(s.unknownIoctls).toEqual([]);
  expect(s.maxPollMs).toBeLessThanOrEqual(20);
  expect(s.maxPollMs).toBeGreaterThanOrEqual(0);
}

const settle = Number(getSource('camera_noise').params?.settleFrames);

// The cases run as parallel child processes, started once.
let yuyv: Awaited<ReturnType<typeof runFake>>;
let grey: Awaited<ReturnType<typeof runFake>>;
let y10read: Awaited<ReturnType<typeof runFake>>;
let mjpeg: Awaited<ReturnType<typeof runFake>>;
let noIo: Awaited<ReturnType<typeof runFake>>;
let never: Awaited<ReturnType<typeof runFake>>;
let faulty: Awaited<ReturnType<typeof runFake>>;
let signalLoss: Awaited<ReturnType<typeof runFake>>;

// YUYV 64x48 (the smallest of three listed sizes) with 16 bytes of padding per row: luma at even byte offsets.
const yuyvLayout: Layout = { width: 64, height: 48, bytesperline: 64 * 2 + 16, offset: 0, step: 2, bytes: 1 };
const yuyvLayout64x48: Layout = { ...yuyvLayout, bytesperline: 64 * 2 };
const YUYV_RAW = 3 * 64 * 48 + 100; // spans four frames
const YUYV_DIRECT = 8000;
const YUYV_POOL = 5000;
// GREY from a stepwise range (32x16 minimum), offered after MJPG and YUYV.
const greyLayout: Layout = { width: 32, height: 16, bytesperline: 32, offset: 0, step: 1, bytes: 1 };
const GREY_DIRECT = 1500;
// UYVY (luma at odd byte offsets) and NV12 (a full-size luma plane, then interleaved chroma) at 30x20.
const uyvyLayout: Layout = { width: 30, height: 20, bytesperline: 60, offset: 1, step: 2, bytes: 1 };
const nv12Layout: Layout = { width: 30, height: 20, bytesperline: 30, offset: 0, step: 1, bytes: 1 };
const LUMA_DIRECT = 1500;
// Y10 through read() only (no streaming capability): 16-bit little-endian words with 10 significant bits.
const y10Layout: Layout = { width: 40, height: 30, bytesperline: 80, offset: 0, step: 2, bytes: 2, depth: 10 };
const Y10_DIRECT = 2500;
// YUYV 64x48 whose frames 1 and 3 are dequeued with V4L2_BUF_FLAG_ERROR and whose queue fails after 8 frames.
const FAULTY_FIRST = 3 * 64 * 48; // frames 0 and 2 settle, 4, 5, 6 are used: 7 of the 8
const FAULTY_SECOND = 10 * 64 * 48; // needs more than 8

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oe-v4l2-fake-'));
  shim = join(dir, 'fake-v4l2.so');
  execFileSync('cc', [
    '-shared',
    '-fPIC',
    '-O1',
    '-o',
    shim,
    join(root, 'test/fixtures/v4l2-fake/fake-v4l2.c'),
    '-ldl',
  ]);
  [yuyv, grey, y10read, mjpeg, noIo, faulty, signalLoss, never] = await Promise.all([
    runFake({ FORMATS: 'YUYV', SIZES: '160x120,64x48,320x240', PAD: '16' }, [
      { kind: 'probe' },
      { kind: 'raw', n: YUYV_RAW, params: { settleFrames: 0 } },
      { kind: 'direct', n: YUYV_DIRECT },
      { kind: 'pool', n: YUYV_POOL, timeoutMs: 10_000 },
    ]),
    runFake({ FORMATS: 'MJPG,YUYV,GREY', SIZES: 'S:32x16-640x480', IO: 'both' }, [
      { kind: 'probe' },
      { kind: 'direct', n: GREY_DIRECT },
      { kind: 'direct', n: LUMA_DIRECT, env: { OE_FAKE_V4L2_FORMATS: 'UYVY', OE_FAKE_V4L2_SIZES: '30x20' } },
      { kind: 'direct', n: LUMA_DIRECT, env: { OE_FAKE_V4L2_FORMATS: 'NV12', OE_FAKE_V4L2_SIZES: '30x20' } },
    ]),
    runFake({ FORMATS: 'Y10', SIZES: '40x30', IO: 'read' }, [{ kind: 'probe' }, { kind: 'direct', n: Y10_DIRECT }]),
    runFake({ FORMATS: 'MJPG,H264' }, [{ kind: 'probe' }, { kind: 'direct', n: 100 }]),
    runFake({ FORMATS: 'YUYV', IO: 'none' }, [{ kind: 'probe' }]),
    runFake({ FORMATS: 'YUYV', ERROR_FRAMES: '1,3', FAIL_AFTER: '8' }, [
      { kind: 'direct', n: FAULTY_FIRST },
      { kind: 'direct', n: FAULTY_SECOND },
    ]),
    runFake({ FORMATS: 'YUYV', DQBUF_EIO: '1' }, [{ kind: 'direct', n: 100 }]),
    runFake({ FORMATS: 'YUYV', NEVER: '1' }, [
      { kind: 'probe' },
      { kind: 'raw', n: 100, params: { settleFrames: 0 }, timeoutMs: 300 },
      { kind: 'pool', n: 100, timeoutMs: 2000 }, // the child warms its worker up first
      { kind: 'direct', n: 100 },
    ]),
  ]);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('camera_noise on a fake V4L2 device: YUYV, mmap streaming, padded rows', () => {
  it('is available and negotiates YUYV at the smallest listed size; the driver’s padded bytesperline is used', () => {
    const [probe] = yuyv.results;
    expect(probe.reason).toBeNull();
    expect(probe.summary).toMatchObject({ format: 'YUYV', width: 64, height: 48, bytesperline: 144 });
  });

  it('without settle frames returns the luma bytes of frames 0, 1, 2, … (padding skipped)', () => {
    const raw = yuyv.results[1];
    expect(raw.error).toBeUndefined();
    expect(raw.unit).toBe('value');
    expect(raw.values).toEqual(expectedValues(yuyvLayout, 0, YUYV_RAW));
    expect(raw.summary.frames).toBe(Math.ceil(YUYV_RAW / (64 * 48)));
  });

  it('the catalog entry drops its settle frames, then returns luma, direct and through the pool', () => {
    expect(settle).toBe(2);
    const direct = yuyv.results[2];
    expect(direct.error).toBeUndefined();
    expect(direct.values).toEqual(expectedValues(yuyvLayout, settle, YUYV_DIRECT));
    expect(direct.bytes).toEqual(direct.values); // lowByte of 8-bit samples
    const frames = (s: StepResult) => s.summary.frames;
    expect(frames(direct) - frames(yuyv.results[1])).toBe(settle + Math.ceil(YUYV_DIRECT / (64 * 48)));
    const pool = yuyv.results[3];
    expect(pool.error).toBeUndefined();
    expect(pool.unit).toBe('value');
    expect(pool.values).toEqual(expectedValues(yuyvLayout, settle, YUYV_POOL));
  });

  it('streams with mmap buffers, requeues them, and after each batch unmaps, frees, stops streaming and closes', () => {
    for (const r of yuyv.results.slice(1)) expectCleanedUp(r.summary);
    const s = yuyv.results[3].summary;
    expect(s.opens).toBe(4); // the probe plus one open per batch
    expect(s.streamon).toBe(3);
    expect(s.buffers).toBe(4);
    expect(s.mmaps).toBe(3 * 4);
    expect(s.reqbufsFree).toBe(3);
    expect(s.qbuf).toBe(3 * 4 + s.dqbuf); // every dequeued buffer is queued again
    expect(s.reads).toBe(0);
  });
});

describe('camera_noise on a fake V4L2 device: format choice and read()', () => {
  it('prefers GREY over YUYV and MJPG, takes the minimum of a stepwise size range, and returns the raw bytes', () => {
    const [probe, direct] = grey.results;
    expect(probe.reason).toBeNull();
    expect(direct.error).toBeUndefined();
    expect(direct.summary).toMatchObject({ format: 'GREY', width: 32, height: 16, bytesperline: 32 });
    expect(direct.values).toEqual(expectedValues(greyLayout, settle, GREY_DIRECT));
    expect(direct.summary.reads).toBe(0); // streaming is preferred when both are offered
    expectCleanedUp(direct.summary);
  });

  it('takes luma from UYVY (odd bytes) and from NV12 (the luma plane only, not the chroma after it)', () => {
    const [, , uyvy, nv12] = grey.results;
    expect(uyvy.error).toBeUndefined();
    expect(uyvy.summary).toMatchObject({ format: 'UYVY', width: 30, height: 20, bytesperline: 60 });
    expect(uyvy.values).toEqual(expectedValues(uyvyLayout, settle, LUMA_DIRECT));
    expectCleanedUp(uyvy.summary);
    expect(nv12.error).toBeUndefined();
    expect(nv12.summary).toMatchObject({ format: 'NV12', width: 30, height: 20, bytesperline: 30 });
    expect(nv12.values).toEqual(expectedValues(nv12Layout, settle, LUMA_DIRECT));
    expectCleanedUp(nv12.summary);
  });

  it('on a read()-only device reads Y10 frames and returns the 10-bit little-endian words', () => {
    const [probe, direct] = y10read.results;
    expect(probe.reason).toBeNull();
    expect(direct.error).toBeUndefined();
    expect(direct.summary).toMatchObject({ format: 'Y10 ', width: 40, height: 30, bytesperline: 80 });
    const expected = expectedValues(y10Layout, settle, Y10_DIRECT);
    expect(Math.max(...expected)).toBeGreaterThan(255);
    expect(Math.max(...expected)).toBeLessThan(1024);
    expect(direct.values).toEqual(expected);
    expect(direct.bytes).toEqual(expected.map((v) => v & 0xff));
    expect(direct.summary.reads).toBe(settle + Math.ceil(Y10_DIRECT / (40 * 30)));
    expect(direct.summary).toMatchObject({ reqbufs: 0, mmaps: 0, streamon: 0 });
    expectCleanedUp(direct.summary);
  });
});

describe('camera_noise on a fake V4L2 device: unavailable and failing devices', () => {
  it('a device with only MJPG and H.264 is unavailable: compressed pixels carry no raw sensor noise', () => {
    const [probe, direct] = mjpeg.results;
    const reason = `V4L2 device ${mjpeg.path}: only compressed formats (MJPG, H264); compressed pixels carry no raw sensor noise`;
    expect(probe.reason).toBe(reason);
    // sampleDirect prefixes the source; the addon prefixes the sampler name.
    expect(direct.error).toBe(`source camera_noise: ${reason}`);
    expect(direct.summary).toMatchObject({ opens: 2, closes: 2, sFmt: 0, reqbufs: 0, streamon: 0 });
  });

  it('a device with neither streaming nor read() I/O is unavailable', () => {
    expect(noIo.results[0].reason).toBe(`V4L2 device ${noIo.path}: supports neither streaming I/O nor read()`);
  });

  it('frames flagged V4L2_BUF_FLAG_ERROR are skipped and not counted as settle frames', () => {
    const [first] = faulty.results;
    expect(first.error).toBeUndefined();
    expect(first.values).toEqual(expectedValues(yuyvLayout64x48, 0, FAULTY_FIRST, [0, 1, 2, 3]));
    expect(first.summary.frames).toBe(7);
    expectCleanedUp(first.summary);
  });

  it('a queue error mid-stream (POLLERR, as on unplugging) fails the batch and still cleans up', () => {
    const second = faulty.results[1];
    expect(second.error).toBe(`source camera_noise: V4L2 device ${faulty.path}: device error or disconnected`);
    expect(second.summary.frames - faulty.results[0].summary.frames).toBe(8);
    expectCleanedUp(second.summary);
  });

  it('a device whose poll reports frames that DQBUF never delivers (EIO, signal loss) fails after 5 s', () => {
    const [direct] = signalLoss.results;
    expect(direct.error).toBe(`source camera_noise: V4L2 device ${signalLoss.path}: no frame for 5 s`);
    expect(direct.summary.frames).toBe(0);
    expect(direct.summary.dqbuf).toBeGreaterThan(1); // EIO was retried as a transient error
    expectCleanedUp(direct.summary);
  });

  it('a device that never delivers a frame: the batch returns nothing at its deadline, in ≤ 20 ms poll slices', () => {
    const [probe, raw] = never.results;
    expect(probe.reason).toBeNull();
    expect(raw.error).toBeUndefined();
    expect(raw.values).toEqual([]);
    expect(raw.summary.frames).toBe(0);
    expect(raw.summary.polls).toBeGreaterThanOrEqual(5); // 300 ms in slices of at most 20 ms
    expectCleanedUp(raw.summary);
  });

  it('through the pool the cancelled batch is a TIMEOUT with no samples; without a deadline it fails after 5 s', () => {
    const pool = never.results[2];
    expect(pool.error).toBe('source camera_noise: 0 of 100 samples before the 2000 ms deadline');
    expectCleanedUp(pool.summary);
    const direct = never.results[3];
    expect(direct.error).toBe(`source camera_noise: V4L2 device ${never.path}: no frame for 5 s`);
    expect(direct.summary.frames).toBe(0);
    expectCleanedUp(direct.summary);
    expect(direct.summary.streamon).toBe(3);
  });
});
