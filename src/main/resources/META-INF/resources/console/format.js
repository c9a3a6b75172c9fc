// Times, durations and the badges that carry severity and state as text (colour only repeats the word).
import { h } from './dom.js';

const SEVERITIES = ['info', 'warning', 'error', 'critical'];
const STATES = ['in_progress', 'remediating', 'failed', 'resolved', 'healthy', 'unhealthy', 'failing', 'recovering',
  'unknown', 'online', 'offline', 'open', 'completed', 'succeeded'];

const pad = (n) => String(n).padStart(2, '0');

/** The browser's local time as 2026-11-26 23:47:51 (the UTC instant is in the <time> element's datetime). */
export function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' '
    + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}

/** "3 min 12 s", "2 h 5 min", "4 d 3 h" */
export function duration(seconds) {
  let s = Math.max(0, Math.round(Number(seconds) || 0));
  if (s < 60) return s + ' s';
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hr = Math.floor(s / 3600); s -= hr * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d > 0) return d + ' d' + (hr ? ' ' + hr + ' h' : '');
  if (hr > 0) return hr + ' h' + (m ? ' ' + m + ' min' : '');
  return m + ' min' + (s ? ' ' + s + ' s' : '');
}

export function secondsSince(iso, now = Date.now()) {
  return (now - new Date(iso).getTime()) / 1000;
}

export function ago(iso) {
  const s = secondsSince(iso);
  return s < 0 ? 'in ' + duration(-s) : duration(s) + ' ago';
}

/** A <time> element: local time, with the UTC instant in datetime and the title. */
export function time(iso, withAgo = true) {
  return h('time', { datetime: iso, title: iso }, formatTime(iso) + (withAgo ? ' (' + ago(iso) + ')' : ''));
}

/** A table cell's time: the local time, and how long ago on its own line. */
export function timeAgo(iso) {
  return [time(iso, false), h('span', { class: 'ago' }, ago(iso))];
}

export function severityBadge(severity) {
  const known = SEVERITIES.includes(severity) ? severity : 'unknown';
  return h('span', { class: 'badge sev-' + known }, String(severity));
}

export function stateBadge(state, label) {
  const known = STATES.includes(state) ? state : 'unknown';
  return h('span', { class: 'badge state-' + known }, label || String(state).replace('_', ' '));
}

export function compactJson(value, max = 120) {
  const s = JSON.stringify(value);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

export function payloadDetails(payload, summaryText = 'Payload') {
  const empty = !payload || Object.keys(payload).length === 0;
  if (empty) return h('span', { class: 'meta' }, 'no payload');
  return h('details', {}, h('summary', {}, summaryText + ': ', compactJson(payload, 80)),
    h('pre', {}, JSON.stringify(payload, null, 2)));
}

export function number(n) {
  return new Intl.NumberFormat().format(n);
}
