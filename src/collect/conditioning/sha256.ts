import { createHash } from 'node:crypto';

/** Bytes per output block of the sha256 mode. */
export const OUTPUT_BLOCK_BYTES = 32;

/**
 * Credited min-entropy behind each output block: 256 + 64 bits. SP 800-90B §3.1.5.1.2 treats the
 * output of a vetted conditioning function (SHA-256) as full entropy when its input carries at
 * least n_out + 64 bits of min-entropy.
 */
export const FULL_ENTROPY_INPUT_BITS = 256 + 64;

/** Fresh, health-tested bytes from one source, with the min-entropy credited to them. */
export interface SourceContribution {
  source: string;
  bytes: Uint8Array;
  creditBits: number;
}

const LABEL_OUT = Buffer.from([0x6f, 0x75, 0x74, 0x00]); // "out\0"
const LABEL_STATE = Buffer.from([0x6b, 0x65, 0x79, 0x00]); // "key\0"

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
function u64(n: bigint | number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}
function lp(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([u32(b.length), b]);
}

/**
 * The sha256 conditioning construction (docs/CONDITIONING.md). Per output block:
 *
 *   X      = "oe/v1/block" ‖ lp(domain) ‖ state ‖ u64(counter) ‖ u32(k) ‖ for each source in name order:
 *            lp(name) ‖ u64(len) ‖ bytes
 *   output = SHA-256(X ‖ "out\0")
 *   state' = SHA-256(X ‖ "key\0")
 *
 * Every block hashes >= 320 bits of fresh credited input, so each output block is SHA-256 of an input
 * with >= 256 + 64 bits of min-entropy (SP 800-90B §3.1.5.1.2 full entropy). The state is never
 * output; output and next state are SHA-256 of different messages, so an output reveals neither, and
 * an exposed state reveals no earlier output (backtracking resistance). Sources enter in a fixed order
 * with length prefixes, so no source can reorder, splice into or cancel another's input.
 */
export class Sha256Conditioner {
  readonly domain: string;
  private state: Buffer;
  private counter = 0n;
  private readonly domainBytes: Buffer;

  constructor(domain = 'pool') {
    this.domain = domain;
    this.domainBytes = lp(domain);
    this.state = createHash('sha256').update('oe/v1/init').update(this.domainBytes).digest();
  }

  /** Blocks produced so far. */
  get blocks(): bigint {
    return this.counter;
  }

  /**
   * One 32-byte output block from the state and `contributions` (one entry per source; entries with
   * the same source are concatenated in the order given). Throws if they carry less than 320 bits of
   * credit: the caller must never ask for an unbacked block.
   */
  generate(contributions: readonly SourceContribution[]): Buffer {
    const bySource = new Map<string, Uint8Array[]>();
    let credit = 0;
    for (const c of contributions) {
      credit += c.creditBits;
      const list = bySource.get(c.source);
      if (list) list.push(c.bytes);
      else bySource.set(c.source, [c.bytes]);
    }
    if (!(credit >= FULL_ENTROPY_INPUT_BITS)) {
      throw new RangeError(`an output block needs ${FULL_ENTROPY_INPUT_BITS} credited bits, got ${credit}`);
    }
    const names = [...bySource.keys()].sort();
    const h = createHash('sha256');
    h.update('oe/v1/block')
      .update(this.domainBytes)
      .update(this.state)
      .update(u64(this.counter))
      .update(u32(names.length));
    for (const name of names) {
      const parts = bySource.get(name) as Uint8Array[];
      let len = 0;
      for (const p of parts) len += p.length;
      h.update(lp(name)).update(u64(len));
      for (const p of parts) h.update(p);
    }
    const k = h.copy();
    const out = h.update(LABEL_OUT).digest();
    this.state = k.update(LABEL_STATE).digest();
    this.counter++;
    return out;
  }
}
