// The console's shell: a router over the views, the navigation, the live indicator and the token dialog.
import { h, clear } from './dom.js';
import { errorBox } from './ui.js';
import * as session from './session.js';
import * as stream from './stream.js';
import incidents from './views/incidents.js';
import timeline from './views/timeline.js';
import chain from './views/chain.js';
import eventView from './views/event.js';
import status from './views/status.js';
import ask from './views/ask.js';
import problems from './views/problems.js';

const routes = [
  { pattern: /^\/(index\.html)?$/, view: incidents, nav: '/' },
  { pattern: /^\/timeline\/?$/, view: timeline, nav: '/timeline' },
  { pattern: /^\/chains\/(.+)$/, view: chain, nav: null },
  { pattern: /^\/events\/(.+)$/, view: eventView, nav: null },
  { pattern: /^\/status\/?$/, view: status, nav: '/status' },
  { pattern: /^\/ask\/?$/, view: ask, nav: '/ask' },
  { pattern: /^\/problems\/?$/, view: problems, nav: '/problems' },
];

const main = document.getElementById('main');
let current = null;
let firstRender = true;

function notFound(ctx) {
  ctx.heading('Not found');
  ctx.main.append(h('p', {}, 'This console has no page at this address. ', h('a', { href: '/' }, 'Open incidents')));
}

async function render() {
  if (current) current.abort();
  const controller = new AbortController();
  current = controller;
  const path = location.pathname;
  let route = null;
  let match = null;
  for (const r of routes) {
    match = r.pattern.exec(path);
    if (match) { route = r; break; }
  }
  for (const a of document.querySelectorAll('.top nav a')) {
    if (route && a.getAttribute('href') === route.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  clear(main);
  main.setAttribute('aria-busy', 'true');
  const ctx = {
    main,
    signal: controller.signal,
    params: match ? match.slice(1).map((p) => (p === undefined ? p : decodeURIComponent(p))) : [],
    query: new URLSearchParams(location.search),
    navigate,
    rerender: render,
    /** The view's h1; the title follows it and focus moves to it after a navigation. */
    heading(text) {
      document.title = text + ' · Homelab events';
      const h1 = h('h1', { tabindex: '-1', id: 'view-title' }, text);
      main.append(h1);
      if (!firstRender) h1.focus();
      return h1;
    },
    /** Live events matching params until the view is left. */
    follow(params, onEvent) {
      stream.follow(params, onEvent, controller.signal);
    },
  };
  try {
    await (route ? route.view(ctx) : notFound(ctx));
  } catch (e) {
    if (controller.signal.aborted) return;
    main.append(errorBox(e));
  } finally {
    if (!controller.signal.aborted) main.setAttribute('aria-busy', 'false');
    firstRender = false;
  }
  if (location.hash) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.scrollIntoView();
      if (target.tabIndex < 0) target.setAttribute('tabindex', '-1');
      target.focus();
    }
  }
}

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

// Same-origin links are handled here, so the page is not reloaded and the live stream keeps running.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/q/')) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return; // in-page anchor
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});
window.addEventListener('popstate', render);
// Leaving the page (or entering the back/forward cache) closes the live stream and pending requests, so a cached page
// never holds one of the browser's few connections to this server; coming back from the cache renders afresh.
window.addEventListener('pagehide', () => { if (current) current.abort(); });
window.addEventListener('pageshow', (e) => { if (e.persisted) render(); });

// ---- live indicator ----
const live = document.getElementById('live');
stream.onStatus((s) => {
  const text = {
    idle: 'No live updates on this page',
    connecting: 'Connecting live updates',
    live: 'Live',
    reconnecting: 'Reconnecting live updates',
    off: 'Live updates off' + (s.detail ? ': ' + s.detail : ''),
  }[s.name];
  live.textContent = text;
  live.className = 'live' + (s.name === 'live' ? ' on' : s.name === 'off' || s.name === 'reconnecting' ? ' off' : '');
});

session.onChange(render);

render();
