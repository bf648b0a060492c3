import { errorMessage } from '../errors.js';
import { loadNative } from './native.js';
import type { SourceSpec } from './types.js';

/** null when the source can run here, otherwise the reason it cannot (native probe first, then JS probe). */
export function probeSource(spec: SourceSpec): string | null {
  try {
    const reason = loadNative().probe(spec.sampler, spec.params ?? {});
    if (reason !== null) return reason;
    return spec.probe ? spec.probe() : null;
  } catch (e) {
    return errorMessage(e);
  }
}
