import { type AutocorrelationResult, autocorrelation } from './autocorrelation.js';
import { type BitBiasResult, bitBias } from './bit-bias.js';
import { type ChiSquareUniformResult, chiSquareUniform } from './chi-square-uniform.js';
import { discreteUniformMoments, type MomentsResult, moments } from './moments.js';
import {
  type BinnedSpectrum,
  binnedSpectrum,
  type SpectralFlatnessResult,
  type SpectralPeaksResult,
  spectralFlatness,
  spectralPeaks,
  welchPowerSpectrum,
} from './power-spectrum.js';
import { type RunsResult, runs } from './runs.js';
import { type ShannonEntropyResult, shannonEntropy } from './shannon-entropy.js';
import { type StationarityResult, stationarity } from './stationarity.js';

export interface StatsOptions {
  /** Largest autocorrelation lag (default 1000). */
  maxLag?: number;
  /** Windows for the stationarity test (default 10, at least 10 where the stream allows). */
  windows?: number;
  /** Window start indices (windows by time); overrides `windows`. */
  windowStarts?: ArrayLike<number>;
  /** Significance level of the per-statistic flags (default 0.01). */
  alpha?: number;
}

export interface SpectrumSummary {
  segmentLength: number;
  segments: number;
  edf: number;
  flatness: SpectralFlatnessResult;
  peaks: SpectralPeaksResult;
  /** The PSD itself at ≤ 512 points (for plots). */
  psd: BinnedSpectrum;
}

/** Statistics of a series of numbers (the raw measurements, or the bytes as numbers). */
export interface SeriesStatistics {
  moments: MomentsResult;
  autocorrelation: AutocorrelationResult;
  /** null when the stream is too short for two Welch segments. */
  spectrum: SpectrumSummary | null;
  stationarity: StationarityResult;
}

/** Statistics of the byte stream: the series statistics plus the byte-distribution ones. */
export interface ByteStatistics extends SeriesStatistics {
  n: number;
  shannon: ShannonEntropyResult;
  bitBias: BitBiasResult;
  chiSquareUniform: ChiSquareUniformResult;
  /** Moments of the discrete uniform on 0..255, for comparison with `moments`. */
  uniformMoments: ReturnType<typeof discreteUniformMoments>;
  runs: RunsResult;
}

/** Moments, FFT autocorrelation, Welch spectrum and the windowed F test of a numeric series. */
export function seriesStatistics(x: ArrayLike<number>, options: StatsOptions = {}): SeriesStatistics {
  const alpha = options.alpha ?? 0.01;
  const spec = welchPowerSpectrum(x);
  return {
    moments: moments(x),
    autocorrelation: autocorrelation(x, options.maxLag ?? 1000, alpha),
    spectrum: spec
      ? {
          segmentLength: spec.segmentLength,
          segments: spec.segments,
          edf: spec.edf,
          flatness: spectralFlatness(spec),
          peaks: spectralPeaks(spec, 10, alpha),
          psd: binnedSpectrum(spec),
        }
      : null,
    stationarity: stationarity(x, options.windows ?? 10, options.windowStarts),
  };
}

/** Every per-source statistic of a byte stream. */
export function byteStatistics(bytes: Uint8Array, options: StatsOptions = {}): ByteStatistics {
  return {
    n: bytes.length,
    shannon: shannonEntropy(bytes),
    bitBias: bitBias(bytes, options.alpha ?? 0.01),
    chiSquareUniform: chiSquareUniform(bytes),
    uniformMoments: discreteUniformMoments(256),
    runs: runs(bytes),
    ...seriesStatistics(bytes, options),
  };
}
