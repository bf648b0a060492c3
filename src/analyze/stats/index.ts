/** Per-source statistics: pure functions over typed arrays, one concept per file. */
export { autocorrelation } from './autocorrelation.js';
export { bitBias } from './bit-bias.js';
export { chiSquareUniform } from './chi-square-uniform.js';
export * from './distributions.js';
export { incompleteBeta } from './incomplete-beta.js';
export { mean, populationSd, populationVariance, sampleSd, sampleVariance } from './mean-sd.js';
export { discreteUniformMoments, moments } from './moments.js';
export { spectralFlatness, spectralPeaks, welchPowerSpectrum } from './power-spectrum.js';
export { runs } from './runs.js';
export { shannonEntropy } from './shannon-entropy.js';
export { byteStatistics, seriesStatistics } from './source-statistics.js';
export { stationarity } from './stationarity.js';
export { verdict } from './verdict.js';
