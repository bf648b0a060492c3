/**
 * The JSON the page reads, as the server sends it (schemas/ui-api.schema.json, and for analyses and
 * comparisons the CLI's own schemas/analysis.schema.json and compare.schema.json). Only the fields the
 * page uses are typed. Where these look like collect/'s or analyze/'s types they describe the JSON on the
 * wire (its snake_case names), not those modules: the page's compile unit has no Node types to import them.
 */
export type {
  BenchRow,
  CatalogSource,
  JobView as Job,
  LiveFrame,
  LiveSource,
  RecordingView as Recording,
  SessionList,
  SessionRow,
  TelemetryPlotSeries,
} from '../api-types.js';

export interface SessionDetail {
  kind: 'session';
  id: string;
  status: string;
  samples_on_disk: number;
  manifest: {
    id: string;
    status: string;
    started_at: string;
    ended_at: string | null;
    duration_ms: number | null;
    end_reason: string | null;
    error: string | null;
    repaired_at: string | null;
    sources: {
      name: string;
      category: string;
      kind: string;
      unit: string | null;
      extraction: string;
      credit: number;
    }[];
    config: Record<string, unknown>;
    tags: Record<string, string>;
    note: string | null;
    fingerprint: { machine: Record<string, unknown>; software: Record<string, unknown> };
    counts: Record<
      string,
      { samples: number; batches: number; parts: number; timeouts: number; errors: number; last_error: string | null }
    >;
    total_samples: number;
    size_bytes: number;
    files: unknown[];
    skipped_sources?: { name: string; reason: string }[];
  };
  telemetry_summary: {
    domain: string;
    name: string;
    unit: string;
    source: string;
    kind: string;
    n: number;
    mean: number;
    mean_rate: number | null;
    min: number;
    max: number;
  }[];
}

export interface Reason {
  check: string;
  severity: 'WARNING' | 'CRITICAL';
  pValue?: number;
  message: string;
}

export interface NonIid {
  hOriginal: number;
  hBitstring: number | null;
  hAssessed: number;
  estimators: { name: string; track: string; hMin: number | null }[];
  warnings: string[];
}

export interface SeriesStats {
  moments: { n: number; mean: number; variance: number };
  autocorrelation: {
    n: number;
    maxLag: number;
    r: number[];
    maxAbs: number;
    maxAbsLag: number;
    threshold: number;
    violations: number;
    maxPValue: number;
  };
  spectrum: {
    segmentLength: number;
    segments: number;
    edf: number;
    psd: { binsPerPoint: number; power: number[] };
    flatness: { flatness: number; expectedWhite: number; relative: number };
    peaks: {
      peaks: { frequency: number; relativePower: number; pValue: number }[];
      significant: number;
      alpha: number;
      minPValue: number;
    };
  } | null;
}

export interface SourceAnalysis {
  name: string;
  unit: string | null;
  samples: number;
  unavailable?: string;
  bytes?: SeriesStats & {
    n: number;
    shannon: { bitsPerByte: number };
    chiSquareUniform: { histogram: number[]; pValue: number };
  };
  measurements?: SeriesStats | null;
  minEntropy?: {
    mcv: { pHat: number; pU: number; hMin: number } | null;
    sp800_90b: {
      samples: number;
      conditioning: string;
      bytes: NonIid | { error: string };
      measurements: unknown;
    } | null;
  };
  verdict?: { verdict: 'GOOD' | 'WARNING' | 'CRITICAL'; reasons: Reason[]; tests: number };
}

export interface PairDependence {
  a: string;
  b: string;
  n: number;
  correlation: { lag0: number; maxAbs: number; maxLag: number; pValue: number; qValue: number };
  mutualInformation: { bits: number | null; pValue: number; qValue: number };
  flagged: boolean;
}

export interface Dependence {
  sources: string[];
  alpha: number;
  maxLag: number;
  matrix: { correlation: (number | null)[][]; mutualInformationBits: (number | null)[][] };
  pairs: PairDependence[];
  skipped: { a: string; b: string; reason: string }[];
  flagged: { a: string; b: string; by: string[] }[];
}

export interface EntropyWindow {
  index: number;
  start: number | null;
  end: number | null;
  n: number;
  minEntropy: number | null;
}

export interface TelemetryCorrelation {
  domain: string;
  name: string;
  source: string;
  unit: string;
  measure: string;
  n: number;
  rho: number;
  pValue: number;
  qValue: number;
}

export interface EntropyOverTime {
  source: string;
  window: { by: 'time'; seconds: number } | { by: 'count'; samples: number };
  windows: EntropyWindow[];
  telemetry:
    | null
    | { available: false; reason: string }
    | {
        windows: number;
        tested: number;
        untested: { series: string; reason: string }[];
        correlations: TelemetryCorrelation[];
        headline: Record<string, { series: string | null; result: TelemetryCorrelation | null; reason?: string }>;
      };
}

export interface AnalysisDoc {
  format: 'oe-analysis';
  generated_at: string;
  options: Record<string, unknown>;
  analyses: {
    input: { id: string | null; status: string | null; dir: string | null };
    standard: {
      sources: SourceAnalysis[];
      summary: { good: number; warning: number; critical: number; unavailable: number; recommendation: string };
      dependence: Dependence | { available: false; reason: string } | null;
    };
    experimental: {
      entropy_over_time: EntropyOverTime[];
      quantum_proxy_v3?: {
        model_id: string;
        model_version: number;
        sample_bytes: number;
        telemetry: string;
        report: QuantumReport;
      };
    };
  }[];
}

export interface QuantumReport {
  label: string;
  sources: Record<string, number | string | null>[];
  excluded: { name: string; reason: string }[];
  aggregate: Record<string, number | string | null>;
  coupling: Record<string, number | string | boolean>;
}

export interface MetricSummary {
  n: number;
  mean: number | null;
  ci_low: number | null;
  ci_high: number | null;
}

export interface CompareDoc {
  format: 'oe-compare';
  alpha: number;
  baseline: string;
  method: string;
  inputs: { label: string; origin: string; kind: string; machine: string; replicate_samples: number | null }[];
  sources: {
    name: string;
    inputs: Record<string, { present: boolean; metrics: Record<string, MetricSummary>; grade: string | null }>;
    comparisons: {
      metric: string;
      against: string;
      comparable: boolean;
      note: string | null;
      difference: number | null;
      p_value: number | null;
      q_value: number | null;
      significant: boolean;
    }[];
    verdict: string;
  }[];
}
