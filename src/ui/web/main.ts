/**
 * The `oe ui` page: a hash router over four pages (Sessions, Session, Compare, Live). Each page renders
 * into <main> and returns a cleanup that stops its polling or live stream when the page is left.
 */
import { clear, h } from './dom.js';
import { comparePage } from './pages/compare.js';
import { livePage } from './pages/live.js';
import { sessionPage } from './pages/session.js';
import { sessionsPage } from './pages/sessions.js';

export type Cleanup = () => void;
export type Page = (root: HTMLElement, params: URLSearchParams, path: string[]) => Cleanup | undefined;

const PAGES: Record<string, Page> = {
  sessions: sessionsPage,
  session: sessionPage,
  compare: comparePage,
  live: livePage,
};

let cleanup: Cleanup | undefined;

function route(): void {
  cleanup?.();
  cleanup = undefined;
  const hash = location.hash.replace(/^#\/?/, '');
  const [pathText, queryText = ''] = hash.split('?', 2);
  const path = pathText
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  const name = path[0] ?? 'sessions';
  const page = PAGES[name] ?? sessionsPage;
  for (const a of document.querySelectorAll('nav a'))
    a.classList.toggle('current', a.getAttribute('data-page') === name);
  const root = document.querySelector('main') as HTMLElement;
  clear(root);
  document.title = `oe ui · ${name}`;
  cleanup = page(root, new URLSearchParams(queryText), path);
}

function start(): void {
  const nav = h(
    'nav',
    {},
    h('span', { class: 'brand' }, 'oe'),
    h('a', { href: '#/sessions', 'data-page': 'sessions' }, 'Sessions'),
    h('a', { href: '#/compare', 'data-page': 'compare' }, 'Compare'),
    h('a', { href: '#/live', 'data-page': 'live' }, 'Live'),
  );
  document.body.prepend(h('header', {}, nav));
  window.addEventListener('hashchange', route);
  route();
}

start();
