/**
 * oe's library API (`import { … } from 'oe'`): sampling, the health tests and the entropy pool,
 * recording and reading sessions, the SP 800-90B and SP 800-22 estimators and tests, the statistics,
 * the analyses, benchmarks, comparisons and reports, and the outputs (stream, FIFO, HTTP). docs/API.md
 * lists every export, grouped by what it is for; test/api.test.ts keeps the two equal. Helpers that
 * only serve these (SQL quoting, Parquet relations, the benchmark's unguarded sampler call, special
 * functions, flag parsers) stay internal.
 */

export { type CompareInput, type CompareResult, compareInputs } from './analyze/compare/compare.js';
export { benjaminiHochberg } from './analyze/dependence/benjamini-hochberg.js';
export { type DependenceOptions, type DependenceResult, dependence } from './analyze/dependence/dependence.js';
export {
  type Analysis,
  type AnalysisDocument,
  type AnalysisOptions,
  analysisDocument,
  analyzeSource,
  type SourceAnalysis,
  type SourceData,
} from './analyze/source-analysis.js';
export { assessSp80022, type Sp80022Assessment } from './analyze/sp800-22/assess.js';
export { type BatteryOptions, runSp80022 } from './analyze/sp800-22/battery.js';
export { type BitSequence, bitsFromAscii, bitsFromBytes } from './analyze/sp800-22/bits.js';
export { type ExtendedResult, extendedTests } from './analyze/sp800-22/extended.js';
export { type SecondLevelReport, secondLevelAnalysis } from './analyze/sp800-22/second-level.js';
export { NIST_TEST_NAMES, type Sp80022Result } from './analyze/sp800-22/types.js';
export { type AssessReport, assessSamples } from './analyze/sp800-90b/assess.js';
export { assessIid, type IidResult } from './analyze/sp800-90b/iid.js';
export { type MostCommonValueResult, mostCommonValue } from './analyze/sp800-90b/most-common-value.js';
export { iidToNistJson, nonIidToNistJson } from './analyze/sp800-90b/nist-json.js';
export { assessNonIid, assessNonIidSync, type NonIidResult } from './analyze/sp800-90b/non-iid.js';
export { type RestartResult, restartTest } from './analyze/sp800-90b/restart.js';
export { type AutocorrelationResult, autocorrelation } from './analyze/stats/autocorrelation.js';
export { shannonEntropy } from './analyze/stats/shannon-entropy.js';
export { byteStatistics, seriesStatistics } from './analyze/stats/source-statistics.js';
export { type Verdict, type VerdictResult, verdict } from './analyze/stats/verdict.js';
export { detectAvailable, probeSource, type SourceAvailability } from './collect/availability.js';
export { CATALOG, closeSourceNames, getSource, selectSources } from './collect/catalog.js';
export {
  type Conditioning,
  FULL_ENTROPY_INPUT_BITS,
  OUTPUT_BLOCK_BYTES,
  parseConditioning,
  Sha256Conditioner,
  type SourceContribution,
  VonNeumannDebiaser,
  vonNeumann,
} from './collect/conditioning/index.js';
export {
  EntropyPool,
  type EntropyPoolOptions,
  MAX_REQUEST_BYTES,
  type PoolHealthReport,
  type PoolSourceInfo,
  type PoolSourceReport,
} from './collect/entropy-pool.js';
export { type Fingerprint, fingerprint } from './collect/fingerprint.js';
export { AdaptiveProportionTest } from './collect/health/adaptive-proportion-test.js';
export { APT_WINDOW, APT_WINDOW_BINARY, aptCutoff, DEFAULT_ALPHA, rctCutoff } from './collect/health/cutoffs.js';
export { RepetitionCountTest } from './collect/health/repetition-count-test.js';
export {
  type HealthFailure,
  type HealthOptions,
  type HealthStatus,
  SourceHealth,
  type SourceHealthReport,
  STARTUP_SAMPLES,
} from './collect/health/source-health.js';
export {
  type BatchEvent,
  type BatchOutcome,
  DEFAULT_MAX_RATE,
  type FilesEvent,
  type FlushEvent,
  type MergeEvent,
  type RecordedTable,
  type RecorderEvents,
  type RecordOptions,
  type RecordProgress,
  type RecordResult,
  recordSession,
  type SizeEstimate,
} from './collect/recorder/index.js';
export type { SampleOptions, Sampler, SamplerBackoff } from './collect/sampler.js';
export {
  closeSharedSamplerPool,
  SamplerPool,
  type SamplerPoolOptions,
  type SourceSample,
  type SourceState,
  sampleSource,
  sharedSamplerPool,
} from './collect/sampler-pool.js';
export { type ScanEntry, type ScanOptions, type ScanReport, scanSources } from './collect/scan.js';
export {
  type CompactResult,
  compactSession,
  listSessions,
  type RepairResult,
  repairSession,
  resolveSession,
  type SessionManifest,
  type SessionSummary,
  telemetrySummary,
} from './collect/session/index.js';
export { openSession, readSourceSamples, readTelemetry, streamSourceSamples } from './collect/session/reader.js';
export {
  captureTelemetryWindow,
  type TelemetryMetric,
  type TelemetrySnapshot,
  type TelemetryWindow,
  telemetrySnapshot,
  telemetryWindow,
} from './collect/telemetry/index.js';
export type { MeasurementUnit, SourceCategory, SourceKind, SourceSpec } from './collect/types.js';
export { type ColumnChunk, closeDb, queryColumns, streamColumns } from './db/index.js';
export { type ErrorCode, EXIT_CODES, isOeError, OeError } from './errors.js';
export { type BenchOptions, type BenchReport, runBench } from './jobs/bench.js';
export { loadCompareInput } from './jobs/compare-inputs.js';
export { analyzeLive } from './jobs/live-analysis.js';
export { LiveMonitor, type MonitorFrame } from './jobs/monitor.js';
export { buildLiveReport, buildSessionReport } from './jobs/report-data.js';
export { analyzeSession } from './jobs/session-analysis.js';
export {
  type ValidateOptions,
  type ValidationDocument,
  type VerifyResult,
  validateSource,
  verifyPackage,
} from './jobs/validate/index.js';
export { type ReportDocument, renderMarkdownReport } from './report/markdown-report.js';
export { type ReportJson, reportJson, type StructuredReport } from './report/report-json.js';

export { type FifoEvent, type FifoOptions, runFifoDevice } from './serve/fifo-device.js';
export { createEntropyServer, MAX_HTTP_LENGTH, RANDOM_TYPES, startEntropyServer } from './serve/http-server.js';
export { type StreamOptions, type StreamResult, streamEntropy } from './serve/stream.js';
export type { StreamFormat } from './serve/stream-encoder.js';
