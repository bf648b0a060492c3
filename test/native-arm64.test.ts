/**
 * The native addon compiles for arm64 Linux: scripts/check-arm64.sh cross-compiles every native/src/*.cc
 * with Debian's aarch64-linux-gnu-g++ and binding.gyp's flags. CI installs the cross compiler (.ci/run), so
 * there a missing compiler fails; elsewhere it skips with the reason. A second test shows the check fails on
 * unguarded x86 code (an x86 header, an x86 mnemonic in inline asm) and passes once it is guarded.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const script = join(root, 'scripts', 'check-arm64.sh');
const compiler = 'aarch64-linux-gnu-g++';
const hasCompiler = spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status === 0;
const missing = `${compiler} is not on PATH (apt-get install g++-aarch64-linux-gnu)`;

function requireCompiler(skip: (note?: string) => never): void {
  if (hasCompiler) return;
  if (process.env.CI) throw new Error(`CI must run the arm64 check: ${missing}`);
  skip(missing);
}

function check(env: Record<string, string> = {}) {
  const r = spawnSync('bash', [script], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Cross-compiling 37 files at -O2 costs about 30 s of CPU (about 15 s on two idle cores); the timeout only
// guards against a hang: with both cores saturated by other processes (load ~45) the check took 320 s.
describe('arm64 cross-compile', { timeout: 900_000 }, () => {
  it('every native/src/*.cc compiles for aarch64 with the binding.gyp flags', ({ skip }) => {
    requireCompiler(skip);
    const sources = readdirSync(join(root, 'native', 'src')).filter((f) => f.endsWith('.cc'));
    expect(sources.length).toBeGreaterThan(0);
    const r = check();
    expect(r.status, r.stderr).toBe(0);
    for (const f of sources) expect(r.stdout).toContain(`ok   native/src/${f}\n`);
    expect(r.stdout).not.toContain('FAIL');
  });

  it('fails on unguarded x86 code and passes when it is guarded', ({ skip }) => {
    requireCompiler(skip);
    const dir = mkdtempSync(join(tmpdir(), 'oe-arm64-'));
    try {
      writeFileSync(
        join(dir, 'x86_header.cc'),
        '#include "oe.h"\n#include <x86intrin.h>\nuint64_t f() { return __rdtsc(); }\n',
      );
      writeFileSync(join(dir, 'x86_asm.cc'), '#include "oe.h"\nvoid p() { asm volatile("pause"); }\n');
      writeFileSync(
        join(dir, 'guarded.cc'),
        '#include "oe.h"\n#if defined(__x86_64__)\n#include <x86intrin.h>\n#define PAUSE() _mm_pause()\n' +
          '#else\n#define PAUSE() asm volatile("yield")\n#endif\nuint64_t f() { PAUSE(); return oe::ticks(); }\n',
      );
      const bad = check({ OE_ARM64_SRC: dir });
      expect(bad.status).toBe(1);
      expect(bad.stdout).toContain(`FAIL ${dir}/x86_header.cc`);
      expect(bad.stdout).toContain(`FAIL ${dir}/x86_asm.cc`);
      expect(bad.stdout).toContain(`ok   ${dir}/guarded.cc`);
      expect(bad.stderr).toMatch(/x86intrin\.h/);
      expect(bad.stderr).toMatch(/pause/);

      rmSync(join(dir, 'x86_header.cc'));
      rmSync(join(dir, 'x86_asm.cc'));
      const good = check({ OE_ARM64_SRC: dir });
      expect(good.status, good.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
