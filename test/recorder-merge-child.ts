// Child process for test/session-merge.test.ts: records clock_jitter into argv[2] with a short flush and merge
// interval and a small merge size, so that merges of both kinds run every few hundred ms, until it is killed.
// argv[3] 'process': through the writer process; otherwise the default (in-process where the native scan is built).
import { writeFileSync } from 'node:fs';
import { getSource } from '../src/collect/catalog.js';
import { recordSession } from '../src/collect/recorder/index.js';

await recordSession({
  sources: [getSource('clock_jitter')],
  output: process.argv[2],
  durationSec: 120,
  maxRate: 200_000,
  flushIntervalMs: 50,
  telemetryIntervalMs: 100,
  mergeIntervalMs: 150,
  mergeMaxRows: 40_000,
  writerProcess: process.argv[3] === 'process' ? true : undefined,
  // The writer process's pid, for the test to check that it ends with this process.
  events: { writer: (e) => writeFileSync(`${process.argv[2]}.writer-pid`, String(e.pid)) },
});
