/**
 * One restart of a validation (SP 800-90B §3.1.4): a fresh process that loads the native sampler, as
 * after a power-up, takes the source's first `n` raw measurements and writes them to stdout as
 * little-endian int64 (the parent applies the package's sample mapping). Arguments: sampler name,
 * sampler parameters (JSON), n, batch deadline in ms. Errors: one line on stderr, exit 1.
 */
import { loadNative } from '../../collect/native.js';

function main(): void {
  const [sampler, paramsJson, nText, timeoutText] = process.argv.slice(2);
  const n = Number(nText);
  const params = JSON.parse(paramsJson) as Record<string, number | boolean>;
  const addon = loadNative();
  const out = new BigInt64Array(n);
  let filled = 0;
  while (filled < n) {
    const r = addon.sample(sampler, out.subarray(filled), params, null, Number(timeoutText));
    if (r.filled === 0) throw new Error(`${sampler} returned no samples`);
    filled += r.filled;
  }
  process.stdout.write(new Uint8Array(out.buffer));
}

try {
  main();
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
