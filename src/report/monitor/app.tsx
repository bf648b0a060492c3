/**
 * The `oe monitor` dashboard (ink + React): the source list with category, health, live min-entropy,
 * rate and a sparkline; a chart of the active source; keys to move, select, cycle conditioning and
 * chart, record, pause and quit. It renders frames from LiveMonitor and computes nothing itself.
 */
import { Box, Text, useApp, useInput } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MonitorFrame, SourceView } from '../../jobs/monitor.js';
import { bucket, CHARTS, type ChartKind, columnChart, signedChart, sparkline } from './charts.js';

/** What the dashboard needs from the monitor (LiveMonitor implements it; tests inject a fake clockless one). */
export interface MonitorDriver {
  tick(): Promise<MonitorFrame>;
  frame(): MonitorFrame;
  setActive(name: string): void;
  cycleConditioning(): string;
}

/** Starts or stops a recording; resolves to a status line ("recording sessions/…", "saved …"). */
export type RecordToggle = (activeSource: string | null) => Promise<string>;

export interface DashboardProps {
  driver: MonitorDriver;
  refreshMs: number;
  onRecord?: RecordToggle;
  /** Called once the user quits (after the app unmounts). */
  onExit?: () => void;
}

const CATEGORY_CODE: Record<string, string> = {
  timing: 'TMG',
  scheduling: 'SCH',
  io: 'I/O',
  ipc: 'IPC',
  microarch: 'uAR',
  thermal: 'THM',
  composite: 'CMP',
  signal: 'SIG',
  system: 'SYS',
  network: 'NET',
  novel: 'NOV',
  reference: 'REF',
  sensor: 'SNS',
};

/** Colour of a min-entropy value in bits per byte (openentropy's bands). */
export function entropyColor(bits: number): 'green' | 'yellow' | 'red' {
  return bits >= 7.5 ? 'green' : bits >= 5 ? 'yellow' : 'red';
}

function healthColor(h: SourceView['health']): string {
  switch (h) {
    case 'healthy':
      return 'green';
    case 'startup':
      return 'cyan';
    case 'unavailable':
      return 'gray';
    default:
      return 'red';
  }
}

function formatRate(r: number): string {
  if (r >= 1e6) return `${(r / 1e6).toFixed(1)}M/s`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)}k/s`;
  return `${r.toFixed(0)}/s`;
}

function SourceRow({ s, cursor, active }: { s: SourceView; cursor: boolean; active: boolean }) {
  return (
    <Text inverse={cursor}>
      {active ? '●' : ' '} {s.name.padEnd(22).slice(0, 22)} {(CATEGORY_CODE[s.category] ?? '???').padEnd(4)}
      <Text color={healthColor(s.health)}>{s.health.padEnd(12)}</Text>
      {s.health === 'unavailable' ? (
        <Text color="gray">{(s.reason ?? '').slice(0, 40)}</Text>
      ) : (
        <>
          <Text color={entropyColor(s.minEntropy)}>{s.minEntropy.toFixed(2).padStart(5)}</Text>
          {' b/B '}
          {formatRate(s.rate).padStart(8)} <Text color="cyan">{sparkline(s.history, 20)}</Text>
        </>
      )}
    </Text>
  );
}

const CHART_HEIGHT = 8;
const CHART_WIDTH = 64;

/** The chart of the active source as text rows, with a title that names what and in which units. */
export function chartLines(frame: MonitorFrame, chart: ChartKind): { title: string; rows: string[] } {
  const a = frame.active;
  if (!a) return { title: 'no active source', rows: [] };
  const src = frame.sources.find((s) => s.name === a.name);
  switch (chart) {
    case 'min-entropy':
      return {
        title: `${a.name}: min-entropy per tick (MCV, bits/byte, 0–8)`,
        rows: columnChart((src?.history ?? []).slice(-CHART_WIDTH), CHART_HEIGHT, 0, 8),
      };
    case 'histogram': {
      const cols = bucket(Array.from(a.histogram), CHART_WIDTH);
      const max = Math.max(1, ...cols);
      return {
        title: `${a.name}: byte histogram (0–255 in ${cols.length} bins, peak ${max.toFixed(0)})`,
        rows: columnChart(cols, CHART_HEIGHT, 0, max),
      };
    }
    case 'autocorrelation': {
      const r = Array.from(a.autocorrelation).slice(0, CHART_WIDTH);
      const limit = Math.max(a.autocorrelationThreshold * 2, ...r.map(Math.abs), 1e-9);
      return {
        title: `${a.name}: autocorrelation r_k, lags 1–${r.length} (±${limit.toFixed(3)}; significant above ${a.autocorrelationThreshold.toFixed(3)})`,
        rows: signedChart(r, CHART_HEIGHT, limit),
      };
    }
    case 'walk': {
      const w = bucket(a.walk, CHART_WIDTH);
      const lo = Math.min(0, ...w);
      const hi = Math.max(0, ...w);
      return {
        title: `${a.name}: random walk Σ(byte − 127.5) over ${a.walk.length} bytes (${lo.toFixed(0)} … ${hi.toFixed(0)})`,
        rows: columnChart(
          w.map((v) => v - lo),
          CHART_HEIGHT,
          0,
          hi - lo,
        ),
      };
    }
  }
}

export function Dashboard({ driver, refreshMs, onRecord, onExit }: DashboardProps) {
  const { exit } = useApp();
  const [frame, setFrame] = useState<MonitorFrame>(() => driver.frame());
  const [cursor, setCursor] = useState(0);
  const [chart, setChart] = useState<ChartKind>('min-entropy');
  const [paused, setPaused] = useState(false);
  const [status, setStatus] = useState('');
  const busy = useRef(false);
  const alive = useRef(true);

  const refresh = useCallback(async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      const f = await driver.tick();
      if (alive.current) setFrame(f);
    } catch (e) {
      if (alive.current) setStatus(`error: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      busy.current = false;
    }
  }, [driver]);

  useEffect(() => {
    alive.current = true;
    if (paused) return;
    void refresh();
    const id = setInterval(() => void refresh(), refreshMs);
    return () => clearInterval(id);
  }, [paused, refresh, refreshMs]);

  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  useInput((input, key) => {
    const n = frame.sources.length;
    if (input === 'q' || key.escape) {
      alive.current = false;
      exit();
      onExit?.();
    } else if (key.upArrow || input === 'k') setCursor((c) => (c - 1 + n) % Math.max(1, n));
    else if (key.downArrow || input === 'j') setCursor((c) => (c + 1) % Math.max(1, n));
    else if (input === ' ' || key.return) {
      const s = frame.sources[cursor];
      if (s) {
        driver.setActive(s.name);
        setFrame(driver.frame());
      }
    } else if (input === 'c') {
      const mode = driver.cycleConditioning();
      setStatus(`conditioning: ${mode}`);
      setFrame(driver.frame());
    } else if (input === 'g') setChart((c) => CHARTS[(CHARTS.indexOf(c) + 1) % CHARTS.length]);
    else if (input === 'p') setPaused((p) => !p);
    else if (input === 'r') {
      if (!onRecord) setStatus('recording is not available here');
      else
        void onRecord(frame.active?.name ?? null).then(
          (s) => alive.current && setStatus(s),
          (e: unknown) => alive.current && setStatus(`record: ${e instanceof Error ? e.message : String(e)}`),
        );
    }
  });

  const { title, rows } = chartLines(frame, chart);
  const healthy = frame.sources.filter((s) => s.health === 'healthy').length;
  return (
    <Box flexDirection="column">
      <Text bold>
        oe monitor — {healthy}/{frame.sources.length} healthy · tick {frame.tick} · conditioning {frame.conditioning}
        {paused ? ' · PAUSED' : ''}
      </Text>
      <Text color="gray">{'  source                 cat  health       H∞ (MCV)    rate     history'}</Text>
      {frame.sources.map((s, i) => (
        <SourceRow key={s.name} s={s} cursor={i === cursor} active={s.name === frame.active?.name} />
      ))}
      <Box flexDirection="column" marginTop={1}>
        <Text bold>{title}</Text>
        {rows.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: chart rows are positional
          <Text key={i} color="cyan">
            {r}
          </Text>
        ))}
      </Box>
      <Text>
        {frame.conditioning} output:{' '}
        {frame.active?.previewError ? (
          <Text color="red">{frame.active.previewError}</Text>
        ) : (
          (frame.active?.preview ?? '')
        )}
      </Text>
      <Text color="gray">↑/↓ move · space select · c conditioning · g chart · r record · p pause · q quit</Text>
      {status ? <Text color="yellow">{status}</Text> : null}
    </Box>
  );
}
