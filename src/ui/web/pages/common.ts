/** Pieces the pages share: an error box, a progress line for background jobs, key/value tables. */
import { ApiError, type Job } from '../api.js';
import { h } from '../dom.js';

export function errorBox(e: unknown): HTMLElement {
  const msg = e instanceof ApiError ? `${e.message} (HTTP ${e.status})` : e instanceof Error ? e.message : String(e);
  return h('div', { class: 'error', role: 'alert' }, msg);
}

export function loading(text = 'loading…'): HTMLElement {
  return h('p', { class: 'loading' }, text);
}

/** A progress bar and its message, updated from a job's progress. */
export function jobProgress(id: string): { el: HTMLElement; update: (j: Job) => void } {
  const bar = h('progress', { max: 1 });
  const msg = h('span', { class: 'progress-message' }, 'starting…');
  const el = h('div', { id, class: 'job-progress' }, bar, msg);
  return {
    el,
    update: (j) => {
      if (j.progress.fraction === null) bar.removeAttribute('value');
      else bar.value = j.progress.fraction;
      msg.textContent = j.progress.message;
    },
  };
}

/** A two-column table of labelled values (skipping absent ones). */
export function kvTable(id: string, rows: [string, string | Node | null | undefined][]): HTMLElement {
  return h(
    'table',
    { id, class: 'kv' },
    h(
      'tbody',
      {},
      rows
        .filter(([, v]) => v !== null && v !== undefined && v !== '')
        .map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v as string | Node))),
    ),
  );
}

/**
 * A link to a session. A narrow table may break the id only after its timestamp (`…T145628Z-`), never
 * inside the date at its hyphens: the parts are unbreakable spans with a <wbr> between them, so the text
 * (and a copied id) stays exactly the id.
 */
export function sessionLink(id: string, folder?: number): HTMLAnchorElement {
  const q = folder !== undefined && folder > 0 ? `?folder=${folder}` : '';
  const m = /^(\d{4}-\d\d-\d\dT\d{6}Z-)(.+)$/.exec(id);
  const text = m ? [h('span', {}, m[1]), h('wbr'), h('span', {}, m[2])] : [h('span', {}, id)];
  return h('a', { href: `#/session/${encodeURIComponent(id)}${q}`, class: 'session-link' }, ...text);
}
