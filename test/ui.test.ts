/**
 * `oe ui`: the HTTP API (schemas/ui-api.schema.json, the same analysis and compare JSON as the CLI, hostile
 * requests) and the pages in a real browser (test/browser-helpers.ts). One server, one set of recorded
 * sessions and one browser serve every test of the file:
 * - A: test generators (a uniform stream, the same stream 3 samples later, a slow wave), so the dependence
 *   matrix has a flagged pair and the autocorrelation a structure whatever the machine;
 * - B1, B2: real samplers (clock_jitter, memory_timing) through the shared pool;
 * - C: a copy of B2 whose recorder "died" (manifest still `recording`, pid gone): listed as incomplete.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getSource } from '../src/collect/catalog.js';
import { recordSession } from '../src/collect/recorder/index.js';
import { closeSharedSamplerPool, sharedSamplerPool } from '../src/collect/sampler-pool.js';
import { readManifest, writeManifest } from '../src/collect/session/index.js';
import { closeDb } from '../src/db/index.js';
import { runBench } from '../src/jobs/bench.js';
import { startUiServer, type UiServer } from '../src/ui/server/server.js';
import { laggedGen, recordTestSession, uniformGen, wavyGen } from './analysis-helpers.js';
import { type Browser, hasChromium, noChromium, openBrowser } from './browser-helpers.js';
import { runOeInProcess } from './cli-helpers.js';

const repo = join(import.meta.dirname, '..');
const root = mkdtempSync(join(tmpdir(), 'oe-ui-'));
const sessions = join(root, 'sessions');
const web = join(root, 'web');
let ui: UiServer;
let A: string;
let B1: string;
let B2: string;
let C: string;

// Every JSON schema of the repository, so that the ui-api definitions can refer to analysis/compare.
const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
for (const f of readdirSync(join(repo, 'schemas')).filter((x) => x.endsWith('.schema.json')))
  ajv.addSchema(JSON.parse(readFileSync(join(repo, 'schemas', f), 'utf8')));

function expectSchema(def: string, data: unknown): void {
  const id = def.includes('.schema.json')
    ? `https://oe.local/schemas/${def}`
    : `https://oe.local/schemas/ui-api.schema.json#/$defs/${def}`;
  const v = ajv.getSchema(id);
  if (!v) throw new Error(`no schema ${id}`);
  expect(v(data), `${def}: ${JSON.stringify(v.errors?.slice(0, 3))}`).toBe(true);
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

/** A raw HTTP request (the path is sent as given: no normalisation of `..`). */
function http(
  method: string,
  path: string,
  o: { headers?: Record<string, string>; body?: string; token?: boolean } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token) headers['x-oe-token'] = ui.token;
  if (o.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    // agent: false = a connection per request. Node 20's global agent keeps sockets alive, and a request sent
    // on one the server is closing after its 5-s keep-alive timeout failed with ECONNRESET at load ~40 (after
    // the in-process CLI analysis left the pooled socket idle).
    const req = request({ host: '127.0.0.1', port: ui.port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }),
      );
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

async function getJson(path: string, def?: string): Promise<Record<string, unknown>> {
  const r = await http('GET', path);
  expect(r.status, `${path}: ${r.text.slice(0, 200)}`).toBe(200);
  const data = r.json() as Record<string, unknown>;
  if (def) expectSchema(def, data);
  return data;
}

async function waitJob(id: string): Promise<Record<string, unknown>> {
  for (;;) {
    const j = await getJson(`/api/jobs/${id}`, 'job');
    if (j.state === 'done' || j.state === 'failed') return j;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  const b = spawnSync(process.execPath, [join(repo, 'scripts', 'build-web.mjs'), web], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build-web failed: ${b.stderr}`);
  A = await recordTestSession(
    sessions,
    '2026-01-01T000000Z-generators-aaaaaaaa',
    { u: uniformGen(1n), u_lag: laggedGen(1n, 3), wave: wavyGen(2n) },
    { maxSamples: 20_000, telemetryIntervalMs: 100 },
  );
  const real = async (id: string) =>
    (
      await recordSession({
        sources: [getSource('clock_jitter'), getSource('memory_timing')],
        output: sessions,
        id,
        maxSamples: 16_384,
        maxRate: Number.POSITIVE_INFINITY,
        flushIntervalMs: 200,
        telemetryIntervalMs: 100,
        tags: { run: 'real' },
      })
    ).dir;
  B1 = await real('2026-01-02T000000Z-clock_jitter-plus1-bbbbbbb1');
  B2 = await real('2026-01-03T000000Z-clock_jitter-plus1-bbbbbbb2');
  // A real bench report (oe bench --profile quick, 4096-sample rounds like the session windows) beside them.
  const bench = await runBench({
    profile: 'quick',
    samplesPerRound: 4096,
    specs: [getSource('clock_jitter'), getSource('memory_timing')],
    pool: false,
    sampler: sharedSamplerPool(),
  });
  writeFileSync(join(sessions, 'bench-quick.json'), JSON.stringify(bench));
  C = join(sessions, '2026-01-04T000000Z-clock_jitter-plus1-cccccccc');
  cpSync(B2, C, { recursive: true });
  const m = readManifest(C);
  writeManifest(C, {
    ...m,
    id: basename(C),
    status: 'recording',
    ended_at: null,
    duration_ms: null,
    end_reason: null,
    pid: 99_999_999,
  });
  ui = await startUiServer({ dirs: [sessions], port: 0, webDir: web });
}, 180_000);

afterAll(async () => {
  await ui?.close();
  await closeSharedSamplerPool();
  await closeDb();
  rmSync(root, { recursive: true, force: true });
});

describe('oe ui over HTTP', () => {
  it('serves the page with a strict Content-Security-Policy, the run token and nothing from other origins', async () => {
    const r = await http('GET', '/');
    expect(r.status).toBe(200);
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.text).toContain(`<meta name="oe-token" content="${ui.token}">`);
    expect(r.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const a of ['app.js', 'app.css', 'favicon.svg']) {
      const s = await http('GET', `/assets/${a}`);
      expect(s.status, a).toBe(200);
      expect(s.headers['content-security-policy']).toBe(csp);
    }
    const js = (await http('GET', '/assets/app.js')).text;
    // The bundle loads nothing from the network but the API: no import() of URLs, no fetch of other origins.
    expect(js).not.toMatch(/import\(["']https?:/);
    expect(js).not.toMatch(/fetch\(["']https?:/);
  });

  it('lists every session of the folder with its status, machine and the repair command of an incomplete one', async () => {
    const list = await getJson('/api/sessions', 'sessionList');
    const rows = list.sessions as {
      id: string;
      status: string;
      repair_command: string | null;
      sources: string[];
      machine: string;
    }[];
    expect(rows.map((r) => r.id).sort()).toEqual([A, B1, B2, C].map((d) => basename(d)).sort());
    const c = rows.find((r) => r.id === basename(C));
    expect(c?.status).toBe('incomplete');
    expect(c?.repair_command).toBe(`oe sessions ${basename(C)} --repair --dir ${sessions}`);
    expect(rows.find((r) => r.id === basename(A))?.sources.sort()).toEqual(['u', 'u_lag', 'wave']);
    for (const r of rows) expect(r.machine).toMatch(/cores/);
    const bySource = await getJson('/api/sessions?source=u_lag', 'sessionList');
    expect((bySource.sessions as { id: string }[]).map((r) => r.id)).toEqual([basename(A)]);
    const byTag = await getJson('/api/sessions?tag=run:real&status=complete', 'sessionList');
    expect((byTag.sessions as { id: string }[]).map((r) => r.id).sort()).toEqual([basename(B1), basename(B2)]);
    const page = await getJson('/api/sessions?limit=1&offset=1', 'sessionList');
    expect(page.total).toBe(4);
    expect((page.sessions as unknown[]).length).toBe(1);
    const benches = await getJson('/api/benches', 'benchList');
    expect(
      (benches.benches as { name: string; profile: string; sources: number }[]).map((b) => [
        b.name,
        b.profile,
        b.sources,
      ]),
    ).toEqual([['bench-quick.json', 'quick', 2]]);
    const detail = await getJson(`/api/sessions/${basename(B1)}`);
    expectSchema('sessions.schema.json', detail);
    expect(detail.kind).toBe('session');
  });

  it('analyses a session in the background as `oe sessions <id> --analyze --telemetry --quantum-ratio --json` does and keeps it beside the session', async () => {
    const id = basename(A);
    expect((await getJson(`/api/sessions/${id}/analysis`, 'analysisState')).state).toBe('none');
    expect((await http('POST', `/api/sessions/${id}/analysis`, { body: '{}' })).status).toBe(403);
    const started = await http('POST', `/api/sessions/${id}/analysis`, { body: '{}', token: true });
    expect(started.status).toBe(202);
    expectSchema('jobStarted', started.json());
    const job = await waitJob((started.json() as { job: { id: string } }).job.id);
    expect(job.state, String(job.error)).toBe('done');
    const stored = await getJson(`/api/sessions/${id}/analysis`, 'analysisState');
    expect(stored.state).toBe('stored');
    const onDisk = JSON.parse(readFileSync(join(A, 'analysis.json'), 'utf8'));
    expect(stored.analysis).toEqual(onDisk);
    const cli = await runOeInProcess([
      'sessions',
      id,
      '--dir',
      sessions,
      '--analyze',
      '--telemetry',
      '--quantum-ratio',
      '--json',
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const fromCli = JSON.parse(cli.stdout);
    // The same document apart from when it was made (the quantum proxy's telemetry is the session's own).
    expect({ ...onDisk, generated_at: null }).toEqual({ ...fromCli, generated_at: null });
    const dep = onDisk.analyses[0].standard.dependence;
    expect(dep.flagged.map((f: { a: string; b: string }) => [f.a, f.b].sort().join('+'))).toContain('u+u_lag');
    const tel = await getJson(`/api/sessions/${id}/telemetry`, 'telemetry');
    expect((tel.series as unknown[]).length).toBeGreaterThan(0);
  }, 180_000);

  it('compares two sessions as `oe compare` does', async () => {
    const body = JSON.stringify({
      inputs: [
        { kind: 'session', name: basename(B1) },
        { kind: 'session', name: basename(B2) },
      ],
    });
    const r = await http('POST', '/api/compare', { body, token: true });
    expect(r.status, r.text).toBe(202);
    const job = await waitJob((r.json() as { job: { id: string } }).job.id);
    expect(job.state, String(job.error)).toBe('done');
    const doc = job.result as { inputs: { origin: string }[]; sources: { name: string }[] };
    expectSchema('compare.schema.json', doc);
    expect(doc.inputs.map((i) => i.origin)).toEqual([`session ${basename(B1)}`, `session ${basename(B2)}`]);
    const cli = await runOeInProcess(['compare', B1, B2, '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect({ ...(doc as object), generated_at: null }).toEqual({ ...JSON.parse(cli.stdout), generated_at: null });
  }, 120_000);

  it('streams live frames as server-sent events, one per tick, until new samples show', async () => {
    type Frame = { tick: number; sources: { name: string; total: number }[]; active: { name: string } };
    const frames: Frame[] = [];
    // Under load a tick's batch can time out (the source then shows `failing`): read until samples grew.
    const grew = () => frames.length >= 2 && frames[frames.length - 1].sources[0].total > frames[0].sources[0].total;
    await new Promise<void>((resolve, reject) => {
      const path = '/api/live/events?sources=clock_jitter&active=clock_jitter&refresh=250';
      const req = request({ host: '127.0.0.1', port: ui.port, path }, (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const ev = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = /^data: (.*)$/m.exec(ev);
            if (ev.startsWith('event: frame') && data) frames.push(JSON.parse(data[1]));
            if (grew() || frames.length >= 40) {
              req.destroy();
              resolve();
            }
          }
        });
      });
      req.on('error', (e) => (grew() ? resolve() : reject(e)));
      req.end();
    });
    for (const f of frames) expectSchema('liveFrame', f);
    expect(grew()).toBe(true);
    expect(frames.map((f) => f.tick)).toEqual(frames.map((_, i) => frames[0].tick + i));
    expect(frames[0].sources.map((s) => s.name)).toEqual(['clock_jitter']);
    for (const f of frames) expect(f.active.name).toBe('clock_jitter');
  }, 60_000);

  it('answers hostile and malformed requests with a 4xx and one-line error, and stays up', async () => {
    const big = 'x'.repeat(5000);
    const cases: [string, string, Parameters<typeof http>[2], number][] = [
      ['GET', '/api/sessions/..%2F..%2Fetc%2Fpasswd', {}, 400],
      ['GET', '/api/sessions/../../../../etc/passwd', {}, 404],
      ['GET', '/api/sessions/%2e%2e/%2e%2e/session.json', {}, 404],
      ['GET', `/api/sessions/${encodeURIComponent(sessions)}`, {}, 400],
      ['GET', '/api/sessions/.hidden', {}, 400],
      ['GET', '/api/sessions/no-such-session', {}, 404],
      ['GET', '/api/sessions/%E0%A4%A', {}, 400],
      ['GET', '/assets/../package.json', {}, 404],
      ['GET', '/assets/app.js.map', {}, 404],
      ['GET', '/no/such/route', {}, 404],
      ['GET', '/api/nope', {}, 404],
      ['DELETE', '/api/sessions', {}, 405],
      ['PUT', '/', {}, 405],
      ['GET', `/api/sessions?tag=${big.slice(0, 600)}`, {}, 400],
      ['GET', `/api/sessions?tag=${big}`, {}, 414],
      ['GET', '/api/sessions?limit=99999999999999999999', {}, 400],
      ['GET', '/api/sessions?limit=-1', {}, 400],
      ['GET', '/api/sessions?offset=1e9', {}, 400],
      ['GET', '/api/sessions?bogus=1', {}, 400],
      ['GET', '/api/sessions?limit=1&limit=2', {}, 400],
      ['GET', '/?x=1', {}, 400],
      ['GET', '/api/info', { headers: { host: 'evil.example:80' } }, 403],
      ['GET', '/api/jobs/..%2F..', {}, 404],
      ['GET', '/api/live/events?sources=no_such_source', {}, 400],
      ['GET', '/api/live/events?refresh=1', {}, 400],
      ['POST', '/api/compare', { body: '{}' }, 403],
      ['POST', '/api/compare', { body: '{}', headers: { 'x-oe-token': 'wrong' } }, 403],
      ['POST', '/api/compare', { body: 'not json', token: true }, 400],
      ['POST', '/api/compare', { body: '{}', token: true, headers: { 'content-type': 'text/plain' } }, 415],
      [
        'POST',
        '/api/compare',
        {
          body: JSON.stringify({
            inputs: [
              { kind: 'session', name: '../x' },
              { kind: 'bench', name: '/etc/passwd' },
            ],
          }),
          token: true,
        },
        400,
      ],
      ['POST', '/api/compare', { body: JSON.stringify({ pad: 'y'.repeat(70_000) }), token: true }, 413],
      ['POST', `/api/sessions/${basename(A)}/analysis`, { body: '{"entropy":"all"}', token: true }, 400],
      [
        'POST',
        '/api/recordings',
        { body: JSON.stringify({ sources: ['clock_jitter'], duration_s: 1e9 }), token: true },
        400,
      ],
      ['POST', '/api/recordings', { body: JSON.stringify({ sources: ['../../x'], duration_s: 1 }), token: true }, 400],
      [
        'POST',
        '/api/recordings',
        { body: JSON.stringify({ sources: ['clock_jitter'], duration_s: 1, tags: { 'a b': 'c' } }), token: true },
        400,
      ],
      [
        'POST',
        '/api/recordings',
        { body: JSON.stringify({ sources: ['clock_jitter'], duration_s: 1, folder: 7 }), token: true },
        400,
      ],
      ['POST', '/api/recordings/nope/stop', { body: '{}', token: true }, 404],
      ['POST', '/api/recordings', { body: '{}' }, 403],
    ];
    for (const [method, path, o, status] of cases) {
      const r = await http(method, path, o);
      expect(r.status, `${method} ${path.slice(0, 80)}: ${r.text.slice(0, 200)}`).toBe(status);
      const body = r.json();
      expectSchema('error', body);
      expect((body as { error: string }).error).not.toMatch(/\n/);
    }
    // A request head larger than Node's limit is refused by Node itself (431) and the server stays up.
    const huge = await http('GET', '/api/info', { headers: { 'x-pad': 'z'.repeat(20_000) } }).catch(() => null);
    if (huge) expect(huge.status).toBe(431);
    expectSchema('info', await getJson('/api/info'));
  });
});

describe('oe ui from the command line', () => {
  it('serves the API without a built front end, warns when bound beyond loopback, stops on SIGINT; a port in use is one line, exit 5', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'oe-ui-noweb-'));
    const bare = await startUiServer({ dirs: [sessions], port: 0, webDir: empty });
    try {
      expect(bare.frontEnd).toMatch(/not built .* run "npm run build:web"/);
      const page = await fetch(`${bare.url}/`);
      expect(page.status).toBe(503);
      expect(((await page.json()) as { error: string }).error).toMatch(/npm run build:web/);
      expect((await fetch(`${bare.url}/api/info`)).status).toBe(200);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repo, 'src/cli/run.ts'), 'ui', '--host', '0.0.0.0', '--port', '0', '--dir', sessions],
      {
        cwd: repo,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (c: string) => {
        stderr += c;
        const m = /oe ui on (http:\/\/\S+?)\/ /.exec(stderr);
        if (m) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`oe ui exited: ${stderr}`)));
    });
    expect(stderr).toContain('oe: warning: listening on 0.0.0.0, reachable from other machines (no auth, no TLS)');
    const port = Number(new URL(url).port);
    const info = await fetch(`http://127.0.0.1:${port}/api/info`);
    expect(info.status).toBe(200);
    const busy = await runOeInProcess(['ui', '--port', String(port), '--host', '0.0.0.0', '--dir', sessions]);
    expect(busy.code).toBe(5);
    expect(busy.stderr.trim()).toBe(`oe: port ${port} on 0.0.0.0 is already in use`);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
  }, 60_000);
});

const browserTitle = hasChromium
  ? 'oe ui in a real browser (chromium)'
  : `oe ui in a real browser: skipped, ${noChromium}`;

describe.skipIf(!hasChromium && !process.env.CI)(browserTitle, () => {
  let b: Browser;
  const url = (hash: string) => `${ui.url}/${hash}`;

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`CI must run the browser tests: ${noChromium}`);
    b = await openBrowser(['/api/live/events']);
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });
  afterEach(() => {
    expect(b.problems).toEqual([]);
  });

  async function shot(name: string): Promise<void> {
    if (process.env.OE_UI_SHOTS)
      await b.page.screenshot({ path: join(process.env.OE_UI_SHOTS, `${name}.png`), fullPage: true });
  }

  it('Sessions: lists the sessions, marks the incomplete one with its repair command, filters, and opens Compare', async () => {
    const { page } = b;
    await page.goto(url('#/sessions'));
    const table = page.locator('#sessions-table');
    for (const d of [A, B1, B2, C])
      await expect.poll(() => table.getByText(basename(d), { exact: true }).count()).toBe(1);
    await expect
      .poll(() => table.locator('code.repair').textContent())
      .toContain(`oe sessions ${basename(C)} --repair`);
    await shot('sessions');
    await page.selectOption('#filter-source', 'u_lag');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await page.selectOption('#filter-source', '');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(4);
    await table.locator(`input[data-key="0/${basename(B1)}"]`).check();
    await table.locator(`input[data-key="0/${basename(B2)}"]`).check();
    await page.locator('#benches-table').getByText('bench-quick.json', { exact: true }).waitFor();
    await page.locator('#benches-table input[data-key="b0/bench-quick.json"]').check();
    await page.click('#compare-selected');
    await page.locator('#compare-result').waitFor({ timeout: 90_000 });
    const inputs = page.locator('#compare-inputs-table tbody tr');
    expect(await inputs.count()).toBe(3);
    expect(await inputs.nth(2).textContent()).toContain('bench-quick.json');
    for (const s of ['clock_jitter', 'memory_timing'])
      expect(await page.locator('#compare-min_entropy').getByText(s, { exact: true }).count()).toBe(1);
    expect(await page.locator('#plot-compare svg.oe-plot').count()).toBe(1);
    const verdicts = page.locator('#compare-verdicts-table tbody tr');
    expect(await verdicts.count()).toBe(2);
    expect(await verdicts.first().locator('.badge').textContent()).toMatch(/^(same|different|not compared)$/);
    await shot('compare');
  }, 120_000);

  it('Session: a session not analysed yet shows progress, then the tables and one SVG per plot', async () => {
    const { page } = b;
    await page.goto(url(`#/session/${basename(B1)}`));
    await page.locator('#analysis-progress').waitFor({ timeout: 30_000 });
    await page.locator('#analysis-table').waitFor({ timeout: 120_000 });
    for (const s of ['clock_jitter', 'memory_timing'])
      expect(await page.locator('#analysis-table').getByText(s, { exact: true }).count()).toBe(1);
    for (const id of [
      'plot-histogram',
      'plot-autocorrelation',
      'plot-spectrum',
      'plot-entropy-time',
      'plot-dependence',
    ])
      expect(await page.locator(`#${id} svg.oe-plot`).count(), id).toBe(1);
    expect(await page.locator('[id^="plot-telemetry-"] svg.oe-plot').count()).toBeGreaterThan(0);
    expect(existsSync(join(B1, 'analysis.json'))).toBe(true);
    await shot('session-real');
  }, 180_000);

  it('Session: a stored analysis opens at once, with the flagged pair, q-values on hover, the quantum panel and downloads', async () => {
    const { page } = b;
    await page.goto(url(`#/session/${basename(A)}`));
    await page.locator('#analysis-table').waitFor({ timeout: 20_000 });
    expect(await page.locator('#analysis-progress').count()).toBe(0);
    for (const s of ['u', 'u_lag', 'wave'])
      expect(await page.locator('#analysis-table').getByText(s, { exact: true }).count()).toBe(1);
    const flagged = page.locator('#flagged-pairs tbody tr');
    expect(await flagged.count()).toBeGreaterThan(0);
    expect(await flagged.first().textContent()).toMatch(/u.*u_lag|u_lag.*u/);
    const titles = await page.locator('#plot-dependence svg title').allTextContents();
    expect(titles.some((t) => /FLAGGED/.test(t) && /q = /.test(t) && t.includes('u_lag'))).toBe(true);
    expect(await page.locator('#quantum-table tbody tr').count()).toBe(3);
    expect(await page.locator('#plot-quantum svg.oe-plot').count()).toBe(1);
    // The command the page names prints this analysis (the API test compares the two documents).
    expect(await page.locator('#cli-equivalent').textContent()).toBe(
      `oe sessions ${basename(A)} --analyze --telemetry --quantum-ratio --dir ${sessions} --json`,
    );
    await page.selectOption('#plot-source', 'wave');
    expect(await page.locator('#plot-autocorrelation .plot-title').textContent()).toMatch(/beyond the Bonferroni/);
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#plot-histogram button[data-download="svg"]'),
    ]);
    expect(svg.suggestedFilename()).toBe(`${basename(A)}-wave-histogram.svg`);
    const svgText = readFileSync((await svg.path()) as string, 'utf8');
    expect(svgText).toMatch(/^<\?xml/);
    expect(svgText).toContain('xmlns="http://www.w3.org/2000/svg"');
    // The file carries the figure's title above the plot (on the page it is HTML beside the buttons).
    expect(svgText).toMatch(/<text[^>]*>Byte histogram \(χ² p = /);
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#analysis-table button[data-download="csv"]'),
    ]);
    const csvText = readFileSync((await csv.path()) as string, 'utf8').split('\r\n');
    expect(csvText[0]).toBe('name,samples,h_mcv,h_90b,shannon,verdict,reasons');
    // The SP 800-90B column names the window it was assessed on.
    const heads = await page.locator('#analysis-table thead th').allTextContents();
    expect(heads.some((t) => /H∞ 90B \(first [\d,]+\)/.test(t))).toBe(true);
    expect(csvText.filter((l) => l.length > 0).length).toBe(4);
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#plot-entropy-time button[data-download="json"]'),
    ]);
    const rows = JSON.parse(readFileSync((await json.path()) as string, 'utf8'));
    expect(rows.length).toBeGreaterThan(1);
    expect(rows[0]).toHaveProperty('min_entropy');
    await shot('session-generators');
  }, 60_000);

  it('Live: sources update by server-sent events; a recording started from the page appears in the sessions list', async () => {
    const { page } = b;
    await page.goto(url('#/live?sources=clock_jitter,memory_timing&active=clock_jitter'));
    const status = page.locator('#live-status');
    await expect
      .poll(async () => Number(await status.getAttribute('data-tick')), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(1);
    const first = Number(await status.getAttribute('data-tick'));
    await expect
      .poll(async () => Number(await status.getAttribute('data-tick')), { timeout: 20_000 })
      .toBeGreaterThan(first);
    expect(await page.locator('#live-table tbody tr').count()).toBe(2);
    expect(await page.locator('#live-histogram svg.oe-plot').count()).toBe(1);
    await shot('live');
    await page.locator('#live-sources input[value="clock_jitter"]').waitFor({ state: 'attached' });
    await page.fill('#record-duration', '1');
    await page.fill('#record-tags', 'from:page');
    await page.click('#record-start');
    const done = page.locator('#recordings-table tr[data-state="done"] a.session-link');
    await done.waitFor({ timeout: 60_000 });
    const id = (await done.textContent()) as string;
    expect(readManifest(join(sessions, id)).tags).toEqual({ from: 'page' });
    await shot('live-recorded');
    await page.goto(url('#/sessions?tag=from%3Apage'));
    await expect
      .poll(() => page.locator('#sessions-table').getByText(id, { exact: true }).count(), { timeout: 20_000 })
      .toBe(1);
  }, 120_000);
});
