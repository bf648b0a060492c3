import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { getSource } from '../src/collect/catalog.js';
import { SamplerPool } from '../src/collect/sampler-pool.js';
import { LiveMonitor, type MonitorFrame } from '../src/jobs/monitor.js';
import { chartLines, Dashboard, type MonitorDriver } from '../src/report/monitor/app.js';
import { columnChart, signedChart, sparkline } from '../src/report/monitor/charts.js';
import { frameLines } from '../src/report/monitor/plain.js';

function frameFor(active: string, tick: number, conditioning = 'sha256'): MonitorFrame {
  const histogram = new Uint32Array(256);
  histogram[7] = 10;
  return {
    at: new Date(0),
    tick,
    conditioning: conditioning as MonitorFrame['conditioning'],
    sources: [
      {
        name: 'alpha',
        category: 'timing',
        kind: 'physical',
        health: 'healthy',
        reason: null,
        rate: 1500,
        minEntropy: 7.8,
        shannon: 7.9,
        total: 10,
        history: [1, 2, 3],
      },
      {
        name: 'beta',
        category: 'io',
        kind: 'physical',
        health: 'unavailable',
        reason: 'no device here',
        rate: 0,
        minEntropy: 0,
        shannon: 0,
        total: 0,
        history: [],
      },
      {
        name: 'gamma',
        category: 'ipc',
        kind: 'physical',
        health: 'quarantined',
        reason: 'rct failed',
        rate: 20,
        minEntropy: 0.5,
        shannon: 1,
        total: 5,
        history: [0.5],
      },
    ],
    active: {
      name: active,
      histogram,
      autocorrelation: Float64Array.from([0.5, -0.25, 0.01]),
      autocorrelationThreshold: 0.05,
      walk: Float64Array.from([1, 2, 3, 2]),
      preview: 'abcd',
      previewError: null,
    },
  };
}

/** A scripted driver: records what the dashboard asked for; frames follow its state. */
function scriptedDriver() {
  const calls: string[] = [];
  let active = 'alpha';
  let tick = 0;
  const modes = ['sha256', 'raw', 'vonneumann'];
  let mode = 0;
  const driver: MonitorDriver = {
    tick: async () => {
      tick++;
      return frameFor(active, tick, modes[mode]);
    },
    frame: () => frameFor(active, tick, modes[mode]),
    setActive: (name) => {
      calls.push(`active:${name}`);
      active = name;
    },
    cycleConditioning: () => {
      mode = (mode + 1) % modes.length;
      calls.push(`conditioning:${modes[mode]}`);
      return modes[mode];
    },
  };
  return { driver, calls };
}

/**
 * Waits until ink has handled what was written: at least 60 ms, then until three 20-ms timers in a row fire on time.
 * On a busy machine a starved process would otherwise look at the screen before ink parsed the key and re-rendered
 * (their callbacks run before a timer that fires on time).
 */
async function settle(): Promise<void> {
  const start = performance.now();
  let onTime = 0;
  while ((onTime < 3 || performance.now() - start < 60) && performance.now() - start < 20_000) {
    const t = performance.now();
    await new Promise((r) => setTimeout(r, 20));
    onTime = performance.now() - t < 40 ? onTime + 1 : 0;
  }
}

describe('monitor dashboard (keys in, frames out)', () => {
  it('renders sources, health, reasons and the key help', async () => {
    const { driver } = scriptedDriver();
    const app = render(createElement(Dashboard, { driver, refreshMs: 10_000 }));
    await settle();
    const out = app.lastFrame() ?? '';
    expect(out).toContain('alpha');
    expect(out).toContain('no device here');
    expect(out).toContain('quarantined');
    expect(out).toContain('q quit');
    expect(out).toMatch(/1\/3 healthy/);
    app.unmount();
  });

  it('moves with arrows, selects with space, cycles conditioning and chart, pauses', async () => {
    const { driver, calls } = scriptedDriver();
    const app = render(createElement(Dashboard, { driver, refreshMs: 10_000 }));
    await settle();
    app.stdin.write('\u001B[B'); // down
    await settle();
    app.stdin.write('\u001B[B'); // down
    await settle();
    app.stdin.write(' ');
    await settle();
    expect(calls).toContain('active:gamma');
    app.stdin.write('c');
    await settle();
    expect(calls).toContain('conditioning:raw');
    expect(app.lastFrame()).toContain('conditioning raw');
    expect(app.lastFrame()).toContain('min-entropy per tick');
    app.stdin.write('g');
    await settle();
    expect(app.lastFrame()).toContain('byte histogram');
    app.stdin.write('g');
    await settle();
    expect(app.lastFrame()).toContain('autocorrelation');
    app.stdin.write('p');
    await settle();
    expect(app.lastFrame()).toContain('PAUSED');
    app.stdin.write('r');
    await settle();
    expect(app.lastFrame()).toContain('recording is not available');
    app.unmount();
  });

  it('calls the record toggle with the active source and shows its status', async () => {
    const { driver } = scriptedDriver();
    const seen: (string | null)[] = [];
    const onRecord = async (s: string | null) => {
      seen.push(s);
      return 'recording to sessions/x';
    };
    const app = render(createElement(Dashboard, { driver, refreshMs: 10_000, onRecord }));
    await settle();
    app.stdin.write('r');
    await settle();
    expect(seen).toEqual(['alpha']);
    expect(app.lastFrame()).toContain('recording to sessions/x');
    app.unmount();
  });

  it('quits on q', async () => {
    const { driver } = scriptedDriver();
    let exited = false;
    const app = render(
      createElement(Dashboard, {
        driver,
        refreshMs: 10_000,
        onExit: () => {
          exited = true;
        },
      }),
    );
    await settle();
    app.stdin.write('q');
    await settle();
    expect(exited).toBe(true);
    app.unmount();
  });
});

describe('text charts', () => {
  it('scales sparklines and column charts', () => {
    expect(sparkline([0, 8], 2)).toBe('▁█');
    expect(columnChart([0, 1], 2, 0, 1)).toEqual([' █', ' █']);
    expect(columnChart([0.5], 1, 0, 1)).toEqual(['▄']);
    const s = signedChart([1, -1], 2, 1);
    expect(s).toEqual(['█ ', '──', ' █']);
  });

  it('titles every chart with its units', () => {
    const f = frameFor('alpha', 1);
    expect(chartLines(f, 'histogram').title).toMatch(/byte histogram/);
    expect(chartLines(f, 'walk').title).toMatch(/random walk/);
    expect(chartLines(f, 'autocorrelation').rows.length).toBeGreaterThan(0);
  });

  it('prints plain tab-separated lines when not a terminal', () => {
    const lines = frameLines(frameFor('alpha', 4));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/tick=4\talpha\thealthy\tmin_entropy=7\.800/);
    expect(lines[1]).toMatch(/unavailable\tno device here/);
  });
});

describe('LiveMonitor on real sources', () => {
  it('samples, health-tests and charts a real source', async () => {
    // Worker threads started first, so the ticks' batch deadlines measure sampling, not thread start-up.
    const sampler = new SamplerPool({ threads: 1 });
    await sampler.warmUp();
    const monitor = new LiveMonitor({ sources: [getSource('clock_jitter')], sliceMs: 20, sampler });
    try {
      let f = await monitor.tick();
      f = await monitor.tick();
      const s = f.sources[0];
      expect(s.total).toBeGreaterThan(0);
      expect(s.rate).toBeGreaterThan(0);
      expect(s.history).toHaveLength(2);
      expect(f.active?.name).toBe('clock_jitter');
      const histTotal = f.active?.histogram.reduce((a, b) => a + b, 0);
      expect(histTotal).toBe(Math.min(16384, s.total));
      expect(monitor.cycleConditioning()).toBe('raw');
    } finally {
      await monitor.close();
      await sampler.close();
    }
  });

  it('records the active source from the monitor (r starts, r stops)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'oe-monitor-'));
    const monitor = new LiveMonitor({ sources: [getSource('clock_jitter')], sliceMs: 20 });
    try {
      await monitor.tick();
      const started = await monitor.toggleRecording(out);
      expect(started).toEqual({ state: 'recording', source: 'clock_jitter', output: out });
      // Until a samples part is on disk (the recorder flushes every second): on a busy machine the first batch can
      // take longer than any fixed wait.
      const deadline = Date.now() + 120_000;
      const hasPart = () =>
        readdirSync(out).some((id) => {
          const d = join(out, id, 'samples', 'source=clock_jitter');
          return existsSync(d) && readdirSync(d).some((f) => f.endsWith('.parquet'));
        });
      while (!hasPart() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const saved = await monitor.toggleRecording(out);
      expect(saved.state).toBe('saved');
      if (saved.state !== 'saved') return;
      const manifest = JSON.parse(readFileSync(join(saved.dir, 'session.json'), 'utf8'));
      expect(manifest.status).toBe('complete');
      expect(manifest.total_samples).toBe(saved.samples);
      expect(saved.samples).toBeGreaterThan(0);
    } finally {
      await monitor.close();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
