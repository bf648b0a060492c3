/**
 * Worker thread of the session-analysis job (created through src/util/workers.ts): analyses one source
 * whose chunks arrive on a MessagePort (acknowledging each, so the reader never runs ahead by more than
 * a few chunks), or computes a share of the dependence pairs.
 */
import type { MessagePort } from 'node:worker_threads';
import { type DependenceOptions, type DependenceSource, dependencePairs } from '../analyze/dependence/dependence.js';
import type { EntropyWindow, WindowSpec } from '../analyze/entropy-over-time.js';
import {
  type AnalysisOptions,
  minEntropyOf,
  type SourceAnalysis,
  SourceAnalyzer,
  type SourceAnalyzerSetup,
  sourceAnalysisOf,
} from '../analyze/source-analysis.js';
import { assessNonIidSync } from '../analyze/sp800-90b/non-iid.js';
import { conditionForAssessment } from './conditioned-input.js';

/** The options a worker needs (no callbacks: they do not cross threads). */
export type WorkerAnalysisOptions = Pick<AnalysisOptions, 'entropy' | 'entropySamples' | 'conditioning' | 'maxLag'>;

export interface SourceTask {
  kind: 'source';
  port: MessagePort;
  setup: SourceAnalyzerSetup;
  options: WorkerAnalysisOptions;
}

export interface PairsTask {
  kind: 'pairs';
  sources: DependenceSource[];
  options: DependenceOptions;
  part: number;
  parts: number;
}

/** A chunk sent to a source task; `end` closes the stream, `abort` gives it up (the reader failed). */
export type ChunkMessage =
  | { type: 'chunk'; bytes: Uint8Array; values: BigInt64Array | null; times: Float64Array | null }
  | { type: 'end' }
  | { type: 'abort'; reason: string };

export interface SourceOutcome {
  analysis: SourceAnalysis;
  windows: EntropyWindow[] | null;
  window: WindowSpec | null;
  /** The first bytes kept for the dependence step. */
  dependenceBytes: Uint8Array;
}

function consume(task: SourceTask): Promise<SourceAnalyzer> {
  const a = new SourceAnalyzer(task.setup);
  return new Promise((resolve, reject) => {
    task.port.on('message', (m: ChunkMessage) => {
      try {
        if (m.type === 'chunk') {
          a.push(m.bytes, m.values, m.times);
          task.port.postMessage('ack');
          return;
        }
        task.port.close();
        if (m.type === 'end') resolve(a);
        else reject(new Error(m.reason));
      } catch (e) {
        task.port.close();
        reject(e);
      }
    });
  });
}

async function analyseSource(task: SourceTask): Promise<SourceOutcome> {
  const p = (await consume(task)).finish();
  const minEntropy = await minEntropyOf(p, task.options, conditionForAssessment, (s, bits) =>
    assessNonIidSync(s, bits),
  );
  return {
    analysis: sourceAnalysisOf(p, minEntropy),
    windows: p.windows,
    window: p.window,
    dependenceBytes: p.headBytes.slice(0, task.setup.dependenceSamples),
  };
}

export default function run(task: SourceTask | PairsTask) {
  if (task.kind === 'pairs') return dependencePairs(task.sources, task.options, (k) => k % task.parts === task.part);
  return analyseSource(task);
}
