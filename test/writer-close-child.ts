// Child process for test/recorder.test.ts: records through the shared writer process, then awaits
// closeWriterProcesses() as its last work and says so. An idle writer process is unref'd, so a close that
// does not hold this process open while it waits ends it with the promise unsettled (exit 13, no line).
import { getSource } from '../src/collect/catalog.js';
import { closeWriterProcesses, recordSession } from '../src/collect/recorder/index.js';

await recordSession({
  sources: [getSource('clock_jitter')],
  output: process.argv[2],
  maxSamples: 2000,
  telemetryIntervalMs: 0,
  writerProcess: true,
});
await closeWriterProcesses();
process.stdout.write('closed\n');
