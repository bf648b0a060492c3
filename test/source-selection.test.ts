import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG, closeSourceNames, getSource, selectSources } from '../src/collect/catalog.js';
import { isOeError } from '../src/errors.js';
import { runOeInProcess } from './cli-helpers.js';

const names = (filter: string | undefined) => selectSources(filter).map((s) => s.name);

function usageError(filter: string): string {
  try {
    selectSources(filter);
  } catch (e) {
    if (isOeError(e) && e.code === 'USAGE') return e.message;
    throw e;
  }
  throw new Error(`"${filter}" was accepted`);
}

describe('source selection (selectSources)', () => {
  it('an exact name selects that source alone, though other names contain it', () => {
    expect(CATALOG.some((s) => s.name === 'jitter_memloop_dram')).toBe(true);
    expect(names('jitter_memloop')).toEqual(['jitter_memloop']);
    expect(names('JITTER_MEMLOOP')).toEqual(['jitter_memloop']);
    expect(names('jitter_memloop_dram,clock_jitter')).toEqual(['jitter_memloop_dram', 'clock_jitter']);
  });

  it('glob patterns select every non-opt-in source they match, in catalog order, once', () => {
    expect(names('jitter_*')).toEqual(['jitter_memloop', 'jitter_memloop_dram']);
    const timing = names('*_timing');
    expect(timing).toEqual(CATALOG.filter((s) => !s.optIn && s.name.endsWith('_timing')).map((s) => s.name));
    expect(timing.length).toBeGreaterThan(3);
    expect(names('rd?and')).toEqual(['rdrand']);
    expect(names('jitter_memloop,jitter_*')).toEqual(['jitter_memloop', 'jitter_memloop_dram']);
    // Characters special in regular expressions are literal in a pattern.
    expect(() => selectSources('jitter.memloop*')).toThrow(/matches no source/);
  });

  it('absent: the fast set; all: every source that is not opt-in; an opt-in source only by its name', () => {
    expect(names(undefined)).toEqual(CATALOG.filter((s) => s.fast && !s.optIn).map((s) => s.name));
    expect(names('all')).toEqual(CATALOG.filter((s) => !s.optIn).map((s) => s.name));
    const optIn = CATALOG.find((s) => s.optIn);
    expect(optIn).toBeDefined();
    expect(names(optIn!.name)).toEqual([optIn!.name]);
    expect(names('*')).not.toContain(optIn!.name);
    expect(usageError(`${optIn!.name.slice(0, 3)}*`)).toMatch(/only opt-in sources/);
  });

  it('an unknown name is a usage error naming the close names', () => {
    expect(usageError('clock')).toMatch(/^unknown source "clock"; did you mean clock_jitter\?/);
    expect(usageError('clok_jitter')).toMatch(/did you mean clock_jitter\?/);
    expect(usageError('memloop')).toMatch(/did you mean jitter_memloop, jitter_memloop_dram\?/);
    expect(usageError('zzzzzzzz')).not.toMatch(/did you mean/);
    expect(usageError('xyz_*')).toMatch(/pattern "xyz_\*" matches no source/);
    expect(usageError(' , ')).toMatch(/names no source/);
    expect(closeSourceNames('rdrnd')).toEqual(['rdrand']);
  });

  it('getSource takes exact names only: an unknown one is NOT_FOUND with the close names', () => {
    expect(getSource('jitter_memloop').name).toBe('jitter_memloop');
    expect(() => getSource('jitter_memloo')).toThrow(/unknown source "jitter_memloo"; did you mean jitter_memloop/);
  });
});

describe('--sources on the command line', () => {
  it('an unknown name is a one-line usage error (exit 2) with the close names', async () => {
    const r = await runOeInProcess(['scan', '--sources', 'clock', '--budget', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^oe: unknown source "clock"; did you mean clock_jitter\?.*\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--help documents exact names and patterns', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'record', '--help'], {
      cwd: join(import.meta.dirname, '..'),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/exact names and glob patterns \(jitter_\*, \*_timing\)/);
  });
});
