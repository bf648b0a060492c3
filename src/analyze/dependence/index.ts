/** Dependence between sources: lagged correlation, mutual information, circular-shift null, BH-FDR. */
export { benjaminiHochberg } from './benjamini-hochberg.js';
export { type DependenceOptions, type DependenceResult, type DependenceSource, dependence } from './dependence.js';
export { centredSpectrum, crossProducts, laggedCorrelation } from './lagged-correlation.js';
export { miBins, mutualInformation } from './mutual-information.js';
export { SeededRandom } from './prng.js';
