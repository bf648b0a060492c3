/** oe's library API. Everything the CLI does is reachable from here. */

export { probeSource } from './collect/availability.js';
export { CATALOG, getSource, selectSources } from './collect/catalog.js';
export { SamplerPool, sampleDirect } from './collect/sampler-pool.js';
export type { MeasurementUnit, SampleBatch, SourceCategory, SourceKind, SourceSpec } from './collect/types.js';
export { type ErrorCode, EXIT_CODES, OeError } from './errors.js';
