/**
 * Thrift compact protocol (the encoding of a Parquet footer, apache/thrift doc/specs/
 * thrift-compact-protocol.md), decoded into a generic tree that keeps every field, known or not, and
 * encoded back byte for byte. Parquet concatenation (parquet-concat.ts) edits offsets in that tree.
 */
import { OeError } from '../errors.js';

/**
 * Compact-protocol type ids. Booleans in a field header carry their value (1 true, 2 false). Integers
 * decode to numbers while they fit in 49 bits (every offset, size and count of a Parquet footer), to
 * bigints beyond; both encode back the same.
 */
export const T = {
  TRUE: 1,
  FALSE: 2,
  I8: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

export type TValue = boolean | number | bigint | Uint8Array | TStruct | TList | TMap;

export interface TField {
  id: number;
  /** The compact type id (for booleans, 1 or 2 as read; the value decides when encoding). */
  type: number;
  value: TValue;
}

export interface TStruct {
  fields: TField[];
}

export interface TList {
  /** LIST or SET. */
  kind: number;
  elemType: number;
  items: TValue[];
}

export interface TMap {
  keyType: number;
  valueType: number;
  entries: [TValue, TValue][];
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new OeError('BAD_INPUT', 'thrift: unexpected end of data');
    return this.buf[this.pos++];
  }

  /** An unsigned varint: a number while it fits in 49 bits (every offset and count here), else a bigint. */
  varint(): number | bigint {
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    this.pos = start;
    let big = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      big |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return big;
    }
    throw new OeError('BAD_INPUT', 'thrift: varint too long');
  }

  zigzag(): number | bigint {
    const n = this.varint();
    if (typeof n === 'bigint') return BigInt.asIntN(64, (n >> 1n) ^ -(n & 1n));
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  size(): number {
    const n = this.varint();
    if (typeof n !== 'number') throw new OeError('BAD_INPUT', 'thrift: size too large');
    return n;
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new OeError('BAD_INPUT', 'thrift: binary runs past the end');
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  value(type: number, depth: number): TValue {
    if (depth > 64) throw new OeError('BAD_INPUT', 'thrift: nesting too deep');
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        // Inside a container a boolean is a byte of its own (1 true).
        return this.byte() === T.TRUE;
      case T.I8:
        return (this.byte() << 24) >> 24;
      case T.I16:
      case T.I32:
      case T.I64:
        return this.zigzag();
      case T.DOUBLE:
        return this.bytes(8);
      case T.BINARY:
        return this.bytes(this.size());
      case T.LIST:
      case T.SET:
        return this.list(type, depth);
      case T.MAP:
        return this.map(depth);
      case T.STRUCT:
        return this.struct(depth);
      default:
        throw new OeError('BAD_INPUT', `thrift: unknown type ${type}`);
    }
  }

  list(kind: number, depth: number): TList {
    const h = this.byte();
    const size = h >> 4 === 15 ? this.size() : h >> 4;
    const elemType = h & 0x0f;
    const items: TValue[] = [];
    for (let i = 0; i < size; i++) items.push(this.value(elemType, depth + 1));
    return { kind, elemType, items };
  }

  map(depth: number): TMap {
    const size = this.size();
    if (size === 0) return { keyType: 0, valueType: 0, entries: [] };
    const kv = this.byte();
    const keyType = kv >> 4;
    const valueType = kv & 0x0f;
    const entries: [TValue, TValue][] = [];
    for (let i = 0; i < size; i++) entries.push([this.value(keyType, depth + 1), this.value(valueType, depth + 1)]);
    return { keyType, valueType, entries };
  }

  struct(depth: number): TStruct {
    const fields: TField[] = [];
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return { fields };
      const type = h & 0x0f;
      const delta = h >> 4;
      const id = delta === 0 ? Number(this.zigzag()) : last + delta;
      last = id;
      const value = type === T.TRUE || type === T.FALSE ? type === T.TRUE : this.value(type, depth + 1);
      fields.push({ id, type, value });
    }
  }
}

/** Decodes one struct starting at `offset`; returns it and the offset after it. */
export function decodeStruct(buf: Uint8Array, offset = 0): { struct: TStruct; end: number } {
  const r = new Reader(buf);
  r.pos = offset;
  const struct = r.struct(0);
  return { struct, end: r.pos };
}

class Writer {
  private buf = new Uint8Array(1024);
  private n = 0;

  byte(b: number): void {
    if (this.n === this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.n++] = b & 0xff;
  }

  varint(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
      let x = v;
      while (x >= 0x80) {
        this.byte((x % 0x80) | 0x80);
        x = Math.floor(x / 0x80);
      }
      this.byte(x);
      return;
    }
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.byte(Number(x));
  }

  zigzag(v: number | bigint): void {
    if (typeof v === 'number' && Math.abs(v) < 2 ** 51) this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
    else {
      const n = BigInt(v);
      this.varint(BigInt.asUintN(64, (n << 1n) ^ (n >> 63n)));
    }
  }

  raw(b: Uint8Array): void {
    for (const x of b) this.byte(x);
  }

  value(type: number, v: TValue): void {
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        this.byte(v ? T.TRUE : T.FALSE);
        return;
      case T.I8:
        this.byte(v as number);
        return;
      case T.I16:
      case T.I32:
      case T.I64:
        this.zigzag(v as number | bigint);
        return;
      case T.DOUBLE:
        this.raw(v as Uint8Array);
        return;
      case T.BINARY:
        this.varint((v as Uint8Array).length);
        this.raw(v as Uint8Array);
        return;
      case T.LIST:
      case T.SET:
        this.list(v as TList);
        return;
      case T.MAP:
        this.map(v as TMap);
        return;
      case T.STRUCT:
        this.struct(v as TStruct);
        return;
      default:
        throw new OeError('FAILED', `thrift: cannot encode type ${type}`);
    }
  }

  list(l: TList): void {
    const n = l.items.length;
    if (n < 15) this.byte((n << 4) | l.elemType);
    else {
      this.byte(0xf0 | l.elemType);
      this.varint(n);
    }
    for (const it of l.items) this.value(l.elemType, it);
  }

  map(m: TMap): void {
    this.varint(m.entries.length);
    if (m.entries.length === 0) return;
    this.byte((m.keyType << 4) | m.valueType);
    for (const [k, v] of m.entries) {
      this.value(m.keyType, k);
      this.value(m.valueType, v);
    }
  }

  struct(s: TStruct): void {
    let last = 0;
    for (const f of s.fields) {
      const type = f.type === T.TRUE || f.type === T.FALSE ? (f.value ? T.TRUE : T.FALSE) : f.type;
      const delta = f.id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
      else {
        this.byte(type);
        this.zigzag(f.id);
      }
      last = f.id;
      if (type !== T.TRUE && type !== T.FALSE) this.value(type, f.value);
    }
    this.byte(0);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

export function encodeStruct(s: TStruct): Uint8Array {
  const w = new Writer();
  w.struct(s);
  return w.result();
}

/** The field `id` of a struct, or undefined. */
export function field(s: TStruct, id: number): TField | undefined {
  return s.fields.find((f) => f.id === id);
}

/** Sets (or adds, keeping ids in increasing order) field `id`. */
export function setField(s: TStruct, id: number, type: number, value: TValue): void {
  const f = field(s, id);
  if (f) {
    f.type = type;
    f.value = value;
    return;
  }
  const i = s.fields.findIndex((x) => x.id > id);
  const nf = { id, type, value };
  if (i < 0) s.fields.push(nf);
  else s.fields.splice(i, 0, nf);
}

export function removeField(s: TStruct, id: number): void {
  s.fields = s.fields.filter((f) => f.id !== id);
}
