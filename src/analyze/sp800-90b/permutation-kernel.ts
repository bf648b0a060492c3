import { type NativeKernels, nativeKernels } from './native-kernels.js';
import { PERMUTATION_KERNEL_WASM } from './permutation-kernel.wasm.js';
import type { RoundRng } from './shuffle.js';

/** The part of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  shuffle(a: number, b: number, n: number, st: number): void;
  periodicity(s: number, n: number, p: number): number;
  covariance(s: number, n: number, p: number): number;
}

let compiled: object | undefined;

/** Byte offset of the samples in the kernel's memory (the generator state sits below it). */
const DATA = 64;

/**
 * One permutation round's working memory (permutation-kernel.wat, WebAssembly): the symbols and,
 * when they differ from them, the values, shuffled in place by one Fisher–Yates pass per round
 * (the draws of RoundRng.upTo, so the permutation is the one `rng` defines), plus the lag statistics
 * §5.1.9/§5.1.10 over either array. `data` and `values` are views of that memory for the other
 * statistics.
 */
export class PermutationKernel {
  readonly data: Uint8Array;
  readonly values: Uint8Array;
  private readonly ex: KernelExports;
  private readonly state: Uint32Array;
  private readonly two: boolean;
  private readonly native: NativeKernels | null;

  /**
   * n samples; `separateValues` when the values differ from the symbols (translated alphabets).
   * The shuffle runs in C++ (the addon, same permutation, ~1/3 of the CPU) unless `useNative` is false
   * or the addon is not built.
   */
  constructor(n: number, separateValues: boolean, useNative = true) {
    compiled ??= new wasm.Module(Buffer.from(PERMUTATION_KERNEL_WASM, 'base64'));
    this.ex = new wasm.Instance(compiled, {}).exports as unknown as KernelExports;
    const bytes = DATA + (separateValues ? 2 : 1) * n;
    const have = this.ex.memory.buffer.byteLength;
    if (bytes > have) this.ex.memory.grow(Math.ceil((bytes - have) / 65536));
    this.two = separateValues;
    this.native = useNative ? nativeKernels() : null;
    this.state = new Uint32Array(this.ex.memory.buffer, 0, 4);
    this.data = new Uint8Array(this.ex.memory.buffer, DATA, n);
    this.values = separateValues ? new Uint8Array(this.ex.memory.buffer, DATA + n, n) : this.data;
  }

  /** Restores the unshuffled samples. */
  load(symbols: Uint8Array, values: Uint8Array): void {
    this.data.set(symbols);
    if (this.two) this.values.set(values);
  }

  /** Applies the round's permutation to the samples (and the values with the same permutation). */
  shuffle(rng: RoundRng): void {
    if (this.native) {
      this.native.shuffle(this.data, this.two ? this.values : null, rng.state);
      return;
    }
    this.state.set(rng.state);
    this.ex.shuffle(DATA, this.two ? DATA + this.data.length : -1, this.data.length, 0);
    rng.state.set(this.state);
  }

  /** §5.1.9 periodicity of `s`, which must be `data` or `values`. */
  periodicity(s: Uint8Array, p: number): number {
    return this.ex.periodicity(s.byteOffset, s.length, p);
  }

  /** §5.1.10 covariance of `s`, which must be `data` or `values`. */
  covariance(s: Uint8Array, p: number): number {
    return this.ex.covariance(s.byteOffset, s.length, p);
  }

  /** Whether `s` lives in this kernel's memory (so the lag statistics can run on it). */
  owns(s: Uint8Array): boolean {
    return s.buffer === this.ex.memory.buffer;
  }
}
