import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // Real samplers and DuckDB: give each file room, and keep to the 2 cores we have. The timeouts only catch
    // hangs (tests never time things): on a shared machine with both cores busy, a test that takes 10 s idle
    // has been seen to take over a minute, so they are generous.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
