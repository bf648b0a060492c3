/** quantum_proxy_v3 (EXPERIMENTAL): the public surface. */
export { calibrationToJson, parseCalibration } from './calibration-file.js';
export {
  DEFAULT_QUANTUM_CONFIG,
  EXPERIMENTAL_LABEL,
  QUANTUM_MODEL_ID,
  QUANTUM_MODEL_VERSION,
  type QuantumConfig,
  resolveQuantumConfig,
} from './config.js';
export {
  type ConfoundMetric,
  type ConfoundSnapshot,
  type ConfoundWindow,
  telemetryConfound,
  telemetryWindowFromSeries,
} from './confound.js';
export { couplingAnalysis } from './coupling.js';
export {
  buildCalibration,
  type CalibrationRecord,
  defaultCalibration,
  type PriorCalibration,
  physicsPrior,
} from './prior.js';
export {
  type QuantumOptions,
  type QuantumReport,
  type QuantumSourceInput,
  type QuantumSourceReport,
  quantumProxyV3,
} from './proxy.js';
export { qualityFactor, qualityMetrics } from './quality.js';
export type { Ratio } from './ratio.js';
export { type StressSweepSource, sweepStress, windowStress } from './stress.js';
