import type { JobView as Job } from '../api-types.js';

export type { Job };

/** The page's calls to the `oe ui` API (docs/UI.md). POSTs carry the run's token from the page's meta tag. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function token(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="oe-token"]')?.content ?? '';
}

async function parse<T>(res: Response): Promise<T> {
  const data = (await res.json().catch(() => null)) as { error?: string } | null;
  if (!res.ok) throw new ApiError(res.status, data?.error ?? `HTTP ${res.status}`);
  return data as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return parse<T>(await fetch(path, { headers: { accept: 'application/json' } }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return parse<T>(
    await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-oe-token': token() },
      body: JSON.stringify(body),
    }),
  );
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Polls a job until it ends, calling `onProgress` on each poll; resolves with the finished job. */
export async function waitForJob(id: string, onProgress: (j: Job) => void, isCancelled: () => boolean): Promise<Job> {
  for (;;) {
    const j = await getJson<Job>(`/api/jobs/${encodeURIComponent(id)}`);
    onProgress(j);
    if (j.state === 'done' || j.state === 'failed' || isCancelled()) return j;
    await new Promise((r) => setTimeout(r, 400));
  }
}
