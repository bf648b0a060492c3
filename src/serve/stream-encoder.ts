import { OeError } from '../errors.js';

export type StreamFormat = 'raw' | 'hex' | 'base64';
export const STREAM_FORMATS: readonly StreamFormat[] = ['raw', 'hex', 'base64'];

export function parseStreamFormat(s: string): StreamFormat {
  const f = s.trim().toLowerCase();
  if (f === 'raw' || f === 'hex' || f === 'base64') return f;
  throw new OeError('USAGE', `unknown format "${s}" (use raw, hex or base64)`);
}

/**
 * Encodes a byte stream chunk by chunk so that the concatenated output is one valid document:
 * base64 carries the 0–2 bytes that do not fill a 3-byte group over to the next chunk and pads only
 * at `end()`; hex is lowercase without separators. Text formats end with one newline.
 */
export class StreamEncoder {
  readonly format: StreamFormat;
  private carry: Buffer = Buffer.alloc(0);

  constructor(format: StreamFormat) {
    this.format = format;
  }

  push(bytes: Uint8Array): Buffer {
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.format === 'raw') return Buffer.from(b);
    if (this.format === 'hex') return Buffer.from(b.toString('hex'), 'ascii');
    const all = this.carry.length > 0 ? Buffer.concat([this.carry, b]) : b;
    const whole = all.length - (all.length % 3);
    this.carry = Buffer.from(all.subarray(whole));
    return Buffer.from(all.subarray(0, whole).toString('base64'), 'ascii');
  }

  /** The tail of the document: pending base64 bytes with padding, and the final newline of text formats. */
  end(): Buffer {
    if (this.format === 'raw') return Buffer.alloc(0);
    const tail = this.format === 'base64' ? this.carry.toString('base64') : '';
    this.carry = Buffer.alloc(0);
    return Buffer.from(`${tail}\n`, 'ascii');
  }
}
