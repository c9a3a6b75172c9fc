// /problems: what the readers skipped under the store root and why (GET /api/store/problems). Never altered.
import { h, clear } from '../dom.js';
import { api } from '../api.js';
import { time } from '../format.js';

const REASONS = {
  TEMP_FILE: 'temporary file (a writer\'s, or left by a crash)',
  SYMLINK: 'symbolic link (never followed)',
  NOT_REGULAR_FILE: 'not a regular file (FIFO, device, socket)',
  FOREIGN: 'no place in the layout (wrong depth, not .json, bad date folder)',
  EMPTY: 'empty file',
  OVERSIZED: 'larger than an event may be',
  NOT_UTF8: 'not UTF-8 text',
  CORRUPT_JSON: 'not one JSON document (corrupt or truncated)',
  INVALID_EVENT: 'JSON, but not a valid event',
  DUPLICATE_ID: 'a second file with an id another file has, with different content (conflict)',
  IDENTICAL_COPY: 'a second file with the same id and content (harmless copy)',
  UNREADABLE: 'cannot be read',
};

export default async function problems(ctx) {
  ctx.heading('Store problems');
  ctx.main.append(h('p', { class: 'lede' },
    'Entries under the store root that are not readable events. The readers skip them and never change or delete them.'));
  const region = h('div', {});
  ctx.main.append(region);
  const p = await api('/api/store/problems', { signal: ctx.signal });
  clear(region);
  if (p.count === 0) {
    region.append(h('p', { class: 'empty', role: 'status' }, 'No skipped entries: every file under the root is a readable event.'));
    return;
  }
  region.append(h('p', { class: 'status-line', role: 'status' }, p.count === 1 ? '1 skipped entry.' : p.count + ' skipped entries.'));
  const byReason = h('tbody', {});
  for (const [reason, n] of Object.entries(p.by_reason)) {
    byReason.append(h('tr', {}, h('th', { scope: 'row', 'data-label': 'Reason' }, reason),
      h('td', { 'data-label': 'Meaning' }, REASONS[reason] || ''), h('td', { 'data-label': 'Entries' }, String(n))));
  }
  region.append(h('h2', { id: 'reasons-title' }, 'By reason'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'stack', 'aria-labelledby': 'reasons-title' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Reason'), h('th', { scope: 'col' }, 'Meaning'), h('th', { scope: 'col' }, 'Entries'))),
      byReason)));
  const entries = h('tbody', {});
  for (const e of p.entries) {
    entries.append(h('tr', {},
      h('td', { 'data-label': 'Path' }, h('code', {}, e.path)),
      h('td', { 'data-label': 'Reason' }, e.reason),
      h('td', { 'data-label': 'Detail' }, e.detail || ''),
      h('td', { 'data-label': 'Seen', class: 'when' }, e.seen_at || e.seenAt ? time(e.seen_at || e.seenAt) : '')));
  }
  region.append(h('h2', { id: 'entries-title' }, 'Entries'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'stack', 'aria-labelledby': 'entries-title' },
      h('thead', {}, h('tr', {}, ...['Path', 'Reason', 'Detail', 'Seen'].map((c) => h('th', { scope: 'col' }, c)))),
      entries)));
}
