import { errorMessage } from '../errors.js';
import { CATALOG } from './catalog.js';
import { loadNative } from './native.js';
import type { MeasurementUnit, SourceCategory, SourceKind, SourceSpec } from './types.js';

let compiled: Map<string, MeasurementUnit> | undefined;

/** Native samplers compiled into this build, with their runtime unit. */
function compiledSamplers(): Map<string, MeasurementUnit> {
  compiled ??= new Map(
    loadNative()
      .list()
      .map((s) => [s.name, s.unit as MeasurementUnit]),
  );
  return compiled;
}

/** The unit a source's measurements have on this machine, or null when its sampler is not in this build. */
export function sourceUnit(spec: SourceSpec): MeasurementUnit | null {
  try {
    return compiledSamplers().get(spec.sampler) ?? null;
  } catch {
    return null;
  }
}

/**
 * null when the source can run here, otherwise the reason it cannot: its sampler missing from this build
 * (e.g. RDRAND on arm64), then the native probe, then the JS probe.
 */
export function probeSource(spec: SourceSpec): string | null {
  try {
    const native = loadNative();
    if (!compiledSamplers().has(spec.sampler)) {
      return `sampler ${spec.sampler} is not compiled into this build (architecture ${native.arch()})`;
    }
    const reason = native.probe(spec.sampler, spec.params ?? {});
    if (reason !== null) return reason;
    return spec.probe ? spec.probe() : null;
  } catch (e) {
    return errorMessage(e);
  }
}

export interface SourceAvailability {
  name: string;
  category: SourceCategory;
  kind: SourceKind;
  available: boolean;
  /** Why the source cannot run here (only when unavailable). */
  reason?: string;
  /** Unit of the raw measurements, null when the sampler is not in this build. */
  unit: MeasurementUnit | null;
  fast: boolean;
  optIn: boolean;
}

/** Probes every source of `catalog` (default: the whole catalog) without sampling it. */
export function detectAvailable(catalog: readonly SourceSpec[] = CATALOG): SourceAvailability[] {
  return catalog.map((spec) => {
    const reason = probeSource(spec);
    return {
      name: spec.name,
      category: spec.category,
      kind: spec.kind,
      available: reason === null,
      ...(reason !== null ? { reason } : {}),
      unit: sourceUnit(spec),
      fast: spec.fast,
      optIn: spec.optIn === true,
    };
  });
}
