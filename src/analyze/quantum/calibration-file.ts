/** The quantum_proxy_v3 (EXPERIMENTAL) prior calibration file as text: parsed and validated, or written. */

import { schemaViolations } from '../../contracts/schema.js';
import { errorMessage, OeError } from '../../errors.js';
import { type BetaPosterior, betaPosterior, type PriorCalibration } from './prior.js';

/** The calibration as JSON text (schemas/quantum-calibration.schema.json). */
export function calibrationToJson(c: PriorCalibration): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}

/**
 * Parses and validates a calibration. Derived fields are recomputed from (α, β), so a hand-edited file
 * only needs α and β per entry. Bad input is an error, never a silent fallback to the default.
 */
export function parseCalibration(text: string, source = 'calibration'): PriorCalibration {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new OeError('BAD_INPUT', `${source}: not JSON (${errorMessage(e)})`);
  }
  const why = schemaViolations('quantum-calibration', data);
  if (why !== null) {
    throw new OeError(
      'BAD_INPUT',
      `${source}: not a quantum calibration file (schemas/quantum-calibration.schema.json): ${why}`,
    );
  }
  const d = data as PriorCalibration;
  const post = (p: BetaPosterior) => betaPosterior(p.alpha, p.beta);
  const map = (o: Record<string, BetaPosterior>) =>
    Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, post(o[k])]),
    );
  return {
    model_id: d.model_id,
    model_version: d.model_version,
    prior_alpha: d.prior_alpha,
    prior_beta: d.prior_beta,
    global: post(d.global),
    categories: map(d.categories),
    sources: map(d.sources),
    description: d.description ?? source,
  };
}
