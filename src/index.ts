/** oe's library API. Everything the CLI does is reachable from here. */

export { detectAvailable, probeSource, type SourceAvailability, sourceUnit } from './collect/availability.js';
export { CATALOG, getSource, selectSources } from './collect/catalog.js';
export {
  closeSharedSamplerPool,
  type SampleOptions,
  SamplerPool,
  type SamplerPoolOptions,
  type SourceSample,
  type SourceState,
  sampleDirect,
  sampleSource,
  sharedSamplerPool,
} from './collect/sampler-pool.js';
export { type ScanEntry, type ScanOptions, type ScanReport, scanSources } from './collect/scan.js';
export type { MeasurementUnit, SampleBatch, SourceCategory, SourceKind, SourceSpec } from './collect/types.js';
export { type ErrorCode, EXIT_CODES, OeError } from './errors.js';
