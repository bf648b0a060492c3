import type { AnalysisDocument } from '../analyze/source-analysis.js';

/**
 * The analysis document as plain JSON data: typed arrays become arrays and numbers that are not finite
 * become null (schemas/analysis.schema.json says so). Key order follows the objects', so two runs on the
 * same data serialise identically apart from generated_at.
 */
export function analysisJsonData(doc: AnalysisDocument): unknown {
  return JSON.parse(
    JSON.stringify(doc, (_k, v) =>
      ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v,
    ),
  );
}
