import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../src/collect/native.js';
import { SamplerPool, sampleDirect } from '../src/collect/sampler-pool.js';

interface WasmGlobal {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
  RuntimeError: new () => Error;
}

describe('native addon', () => {
  it('fills a caller-owned BigInt64Array in place', () => {
    const out = new BigInt64Array(1000);
    const r = loadNative().sample('clock_jitter', out);
    expect(r.filled).toBe(1000);
    expect(['tsc', 'ns']).toContain(r.unit);
    expect(new Set(out).size).toBeGreaterThan(1);
  });

  it('rejects an unknown sampler with a clear error', () => {
    expect(() => loadNative().sample('no_such_sampler', new BigInt64Array(1))).toThrow(/unknown native sampler/);
    expect(() => loadNative().probe('no_such_sampler')).toThrow(/unknown native sampler/);
  });

  it('turns a C++ exception into a JS error naming the sampler', () => {
    expect(() => loadNative().sample('test_throw', new BigInt64Array(4))).toThrow(
      /test_throw: deliberate test failure/,
    );
    expect(() => loadNative().sample('test_throw_other', new BigInt64Array(4))).toThrow(/non-standard C\+\+ exception/);
  });

  it('honours a set cancel cell and a deadline', () => {
    const cancel = new Int32Array(new SharedArrayBuffer(8));
    Atomics.store(cancel, 0, 1);
    expect(loadNative().sample('test_hang', new BigInt64Array(8), {}, cancel, 0).filled).toBe(0);
    // Deadline only (no cancel cell): returns instead of spinning forever.
    expect(loadNative().sample('test_hang', new BigInt64Array(8), {}, null, 20).filled).toBe(0);
    // A real sampler stops early at its deadline too: 1e6 1-us sleeps cannot fit in 30 ms.
    const r = loadNative().sample('sleep_jitter', new BigInt64Array(1_000_000), {}, null, 30);
    expect(r.filled).toBeGreaterThan(0);
    expect(r.filled).toBeLessThan(1_000_000);
  });

  it('passes numeric params to the sampler', () => {
    const out = new BigInt64Array(16);
    loadNative().sample('test_constant', out, { value: 12345 });
    expect([...new Set(out)]).toEqual([12345n]);
  });

  it('lists the test samplers with their units', () => {
    const names = loadNative()
      .list()
      .map((s) => s.name);
    for (const t of ['test_hang', 'test_throw', 'test_constant', 'test_wedge']) expect(names).toContain(t);
  });

  it('loads and samples inside a worker thread', async () => {
    const pool = new SamplerPool({ threads: 1 });
    try {
      const b = await pool.sample('clock_jitter', 4096);
      expect(b.values.length).toBe(4096);
      expect(new Set(b.values).size).toBeGreaterThan(1);
      expect(b.endNs).toBeGreaterThanOrEqual(b.startNs);
    } finally {
      await pool.close();
    }
  });

  it('turns native faults into JS errors naming the signal, and the process lives on', () => {
    const cases: [string, RegExp][] = [
      [
        'test_segv',
        /test_segv: sampler crashed with SIGSEGV \(address not mapped, address 0x10\) in its measuring thread/,
      ],
      ['test_sigbus', /sampler crashed with SIGBUS .* in its measuring thread/],
      ['test_stack_overflow', /sampler crashed with SIGSEGV .* in its measuring thread/],
      ['test_sibling_segv', /sampler crashed with SIGSEGV .* in its helper thread/],
      ['test_segv_with_sibling', /sampler crashed with SIGSEGV .* in its measuring thread/],
    ];
    for (const [name, message] of cases) {
      expect(() => loadNative().sample(name, new BigInt64Array(4), {}, null, 5000)).toThrow(message);
    }
    expect(loadNative().probe('test_crashing_probe')).toMatch(/^probe failed: sampler crashed with SIGSEGV/);
    // The next batch on this thread gets a fresh measuring thread.
    const out = new BigInt64Array(16);
    loadNative().sample('test_constant', out, { value: 9 });
    expect([...new Set(out)]).toEqual([9n]);
  });

  it('leaves faults on other threads to their previous handler (WebAssembly traps still work)', () => {
    expect(() => loadNative().sample('test_segv', new BigInt64Array(1))).toThrow(/SIGSEGV/);
    // (module (memory 1) (func (export "f") (param i32) (result i32) local.get 0 i32.load))
    const bytes = new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 5, 3, 1, 0, 1, 7, 5, 1, 1, 102, 0, 0, 10, 9,
      1, 7, 0, 32, 0, 40, 2, 0, 11,
    ]);
    // The lib settings have no WebAssembly types; the runtime has the global.
    const WA = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
    const f = new WA.Instance(new WA.Module(bytes)).exports.f as (i: number) => number;
    expect(f(0)).toBe(0);
    // An out-of-bounds load faults in V8's code on this thread: it must still become a RuntimeError.
    expect(() => f(1 << 20)).toThrow(WA.RuntimeError);
  });

  it('stops the helper threads of a crashed batch and leaks no running threads (child process)', () => {
    const addon = join(process.cwd(), 'build', 'Release', 'oe_native.node');
    const script = `
      const a = require(${JSON.stringify(addon)});
      const fs = require('node:fs');
      const tasks = () => fs.readdirSync('/proc/self/task').length;
      const out = new BigInt64Array(8);
      a.sample('test_constant', out);
      const before = tasks();
      let errors = 0;
      for (let i = 0; i < 10; i++)
        for (const n of ['test_segv_with_sibling', 'test_sibling_segv', 'test_segv'])
          try { a.sample(n, out, {}, null, 5000); } catch { errors++; }
      a.sample('test_constant', out);
      setTimeout(() => {
        const t0 = process.cpuUsage();
        setTimeout(() => {
          const c = process.cpuUsage(t0);
          console.log(JSON.stringify({ before, after: tasks(), errors, cpuMs: (c.user + c.system) / 1000 }));
        }, 500);
      }, 200);`;
    const r = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    expect(r.errors).toBe(30);
    // Crashed threads are gone (they exit), helpers were stopped and joined or left; only live runners remain.
    expect(r.after).toBeLessThanOrEqual(r.before + 1);
    // A helper left spinning would burn ~500 ms of CPU in the 500 ms window.
    expect(r.cpuMs).toBeLessThan(250);
  });

  it('samples directly in the calling thread', () => {
    const b = sampleDirect('clock_jitter', 100);
    expect(b.values.length).toBe(100);
  });
});
