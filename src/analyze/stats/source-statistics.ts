import { AutocorrelationAccumulator, type AutocorrelationResult } from './autocorrelation.js';
import { type BitBiasResult, bitBiasOfCounts } from './bit-bias.js';
import { type ChiSquareUniformResult, chiSquareUniformOfCounts } from './chi-square-uniform.js';
import { discreteUniformMoments, type MomentsResult, momentsOfSums } from './moments.js';
import {
  type BinnedSpectrum,
  binnedSpectrum,
  type SpectralFlatnessResult,
  type SpectralPeaksResult,
  spectralFlatness,
  spectralPeaks,
  WelchAccumulator,
} from './power-spectrum.js';
import { RunsAccumulator, type RunsResult, runsOfSummary } from './runs.js';
import { type ShannonEntropyResult, shannonEntropyOfCounts } from './shannon-entropy.js';
import { StationarityAccumulator, type StationarityResult, stationarity } from './stationarity.js';

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

/** Moments, autocorrelation, Welch spectrum and the windowed F test of a numeric series in memory. */
export function seriesStatistics(x: ArrayLike<number>, options: StatsOptions = {}): SeriesStatistics {
  const acc = new SeriesStatisticsAccumulator(x.length, options);
  acc.push(x);
  const r = acc.result();
  return options.windowStarts ? { ...r, stationarity: stationarity(x, 10, options.windowStarts) } : r;
}

/** Every per-source statistic of a byte stream in memory. */
export function byteStatistics(bytes: Uint8Array, options: StatsOptions = {}): ByteStatistics {
  const acc = new ByteStatisticsAccumulator(bytes.length, options);
  acc.push(bytes);
  const r = acc.result();
  return options.windowStarts ? { ...r, stationarity: stationarity(bytes, 10, options.windowStarts) } : r;
}

/**
 * seriesStatistics of a streamed series whose length is known in advance (it fixes the stationarity
 * windows, the autocorrelation's lags and the Welch segment length): moments and the F test from each
 * window's moment sums, the autocorrelation from block-wise lag sums, the spectrum segment by segment.
 * Memory: a few thousand values, whatever the length.
 */
export class SeriesStatisticsAccumulator {
  private readonly windows: StationarityAccumulator;
  private readonly acf: AutocorrelationAccumulator;
  private readonly welch: WelchAccumulator | null;
  private readonly alpha: number;

  constructor(expectedN: number, options: StatsOptions = {}) {
    this.alpha = options.alpha ?? 0.01;
    this.windows = new StationarityAccumulator(expectedN, options.windows ?? 10);
    this.acf = new AutocorrelationAccumulator(expectedN, options.maxLag ?? 1000, this.alpha);
    this.welch = WelchAccumulator.forLength(expectedN);
  }

  push(x: ArrayLike<number>): void {
    this.windows.push(x);
    this.acf.push(x);
    this.welch?.push(x);
  }

  result(): SeriesStatistics {
    const spec = this.welch?.result() ?? null;
    return {
      moments: momentsOfSums(this.windows.moments()),
      autocorrelation: this.acf.result(),
      spectrum: spec
        ? {
            segmentLength: spec.segmentLength,
            segments: spec.segments,
            edf: spec.edf,
            flatness: spectralFlatness(spec),
            peaks: spectralPeaks(spec, 10, this.alpha),
            psd: binnedSpectrum(spec),
          }
        : null,
      stationarity: this.windows.result(),
    };
  }
}

/** byteStatistics of a streamed byte stream: the series statistics plus the byte histogram and the runs. */
export class ByteStatisticsAccumulator {
  /** Counts of each byte value so far. */
  readonly counts = new Float64Array(256);
  private readonly series: SeriesStatisticsAccumulator;
  private readonly runs = new RunsAccumulator();
  private n = 0;

  constructor(
    expectedN: number,
    private readonly options: StatsOptions = {},
  ) {
    this.series = new SeriesStatisticsAccumulator(expectedN, options);
  }

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.counts[bytes[i]]++;
    this.n += bytes.length;
    this.runs.push(bytes);
    this.series.push(bytes);
  }

  result(): ByteStatistics {
    const { counts, n } = this;
    return {
      n,
      shannon: shannonEntropyOfCounts(counts, n),
      bitBias: bitBiasOfCounts(counts, n, this.options.alpha ?? 0.01),
      chiSquareUniform: chiSquareUniformOfCounts(counts, n),
      uniformMoments: discreteUniformMoments(256),
      runs: runsOfSummary(this.runs.summary(), counts),
      ...this.series.result(),
    };
  }
}
