// /timeline: every event, newest first, filtered like GET /api/events (the filters are the page's address, so a
// view can be pasted), paged by cursor, with new events arriving live. "Text in the payload" is matched here, in
// the browser, over the pages read from the server; the status line says how many events were searched.
import { h, field, options, chainHref } from '../dom.js';
import { api, tool, store } from '../api.js';
import { timeAgo, severityBadge, payloadDetails, number } from '../format.js';
import { errorBox } from '../ui.js';

const PAGE = 50;
const SCAN_PAGE = 500;
const SCAN_BUDGET = 5000;
const RANGES = [['15m', 'Last 15 minutes'], ['1h', 'Last hour'], ['6h', 'Last 6 hours'], ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'], ['30d', 'Last 30 days'], ['', 'All time'], ['custom', 'Custom range']];
const FILTERS = ['since', 'until', 'node', 'service', 'type', 'min_severity', 'source', 'correlation_id'];

export default async function timeline(ctx) {
  ctx.heading('Timeline');
  const q = ctx.query;
  const [info, services, nodes] = await Promise.all([
    store(),
    tool('get_service_status', {}, { signal: ctx.signal }).then((r) => r.services.map((s) => s.service)).catch(() => []),
    tool('get_node_status', {}, { signal: ctx.signal }).then((r) => r.nodes.map((n) => n.node)).catch(() => []),
  ]);
  ctx.main.append(filterForm(q, info.types, services, nodes, ctx));

  const status = h('p', { class: 'status-line', role: 'status', id: 'timeline-status' });
  const body = h('tbody', {});
  const table = h('table', { class: 'stack', 'aria-describedby': 'timeline-status' },
    h('caption', { class: 'visually-hidden' }, 'Events, newest first'),
    h('thead', {}, h('tr', {}, ...['Time', 'Severity', 'Type', 'Service', 'Node', 'Source', 'Chain', 'Payload'].map((c) => h('th', { scope: 'col' }, c)))),
    body);
  const more = h('button', { type: 'button', class: 'more secondary', hidden: true }, 'Load older events');
  const errors = h('div', {});
  ctx.main.append(status, errors, h('div', { class: 'table-wrap' }, table), more);

  const text = (q.get('q') || '').toLowerCase();
  const params = new URLSearchParams();
  for (const f of FILTERS) if (q.get(f)) params.set(f, q.get(f));
  const seen = new Set();
  let cursor = null;
  let total = 0;
  let scanned = 0;
  let matched = 0;
  let newest = null;

  const matches = (e) => !text || JSON.stringify(e.payload || {}).toLowerCase().includes(text);
  const describe = () => {
    if (!text) return 'Showing ' + number(matched) + ' of ' + plural(total, 'event') + '.';
    return plural(matched, 'event') + ' with "' + q.get('q') + '" in the payload, among the ' + number(scanned)
      + ' most recent of ' + number(total) + ' matching the other filters' + (cursor ? '; "Load older events" searches further.' : '.');
  };

  const loadPage = async () => {
    more.disabled = true;
    let found = 0;
    let budget = text ? SCAN_BUDGET : PAGE;
    do {
      const p = new URLSearchParams(params);
      p.set('limit', String(text ? SCAN_PAGE : PAGE));
      if (cursor) p.set('cursor', cursor);
      const page = await api('/api/events?' + p, { signal: ctx.signal });
      total = page.total;
      cursor = page.has_more ? page.next_cursor : null;
      scanned += page.events.length;
      budget -= page.events.length;
      for (const e of page.events) {
        if (!newest || e.timestamp > newest) newest = e.timestamp;
        if (seen.has(e.id) || !matches(e)) continue;
        seen.add(e.id);
        body.append(row(e, false));
        found++;
        matched++;
      }
    } while (text && cursor && found < PAGE && budget > 0);
    more.hidden = !cursor;
    more.disabled = false;
    status.textContent = describe();
    if (matched === 0) status.textContent = (text ? describe() + ' ' : '') + 'No events match these filters.';
  };
  more.addEventListener('click', () => loadPage().catch((e) => errors.replaceChildren(errorBox(e))));
  await loadPage();

  // live: the same filters, replaying from the newest event shown so nothing falls between the page and the stream
  const until = q.get('until');
  if (!until) {
    const live = new URLSearchParams(params);
    live.delete('since');
    if (newest) live.set('since', newest);
    else if (q.get('since')) live.set('since', q.get('since'));
    ctx.follow(live, (e) => {
      if (seen.has(e.id) || !matches(e)) return;
      seen.add(e.id);
      total++;
      matched++;
      body.prepend(row(e, true));
      status.textContent = describe();
    });
  }
}

function plural(n, word) {
  return number(n) + ' ' + word + (n === 1 ? '' : 's');
}

function row(e, isNew) {
  return h('tr', { class: isNew ? 'new' : null, dataset: { eventId: e.id } },
    h('td', { 'data-label': 'Time', class: 'when' }, timeAgo(e.timestamp)),
    h('td', { 'data-label': 'Severity' }, severityBadge(e.severity)),
    h('td', { 'data-label': 'Type' }, e.type),
    h('td', { 'data-label': 'Service' }, e.service),
    h('td', { 'data-label': 'Node' }, e.node),
    h('td', { 'data-label': 'Source' }, e.source),
    h('td', { 'data-label': 'Chain' }, h('a', { href: chainHref(e.correlation_id, e.id) }, e.correlation_id)),
    h('td', { 'data-label': 'Payload', class: 'payload' }, payloadDetails(e.payload, 'payload')));
}

function isoLocal(value) {
  // datetime-local has no offset: it is the browser's local time
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

function localInput(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
}

function filterForm(q, types, services, nodes, ctx) {
  const since = q.get('since') || '';
  const relative = RANGES.some(([v]) => v === since && v !== 'custom') && !q.get('until');
  const range = options(h('select', { id: 'f-range', name: 'range' }), RANGES, relative ? since : 'custom');
  const from = h('input', { id: 'f-from', type: 'datetime-local', value: relative ? '' : localInput(since) });
  const to = h('input', { id: 'f-until', type: 'datetime-local', value: localInput(q.get('until')) });
  const custom = h('div', { class: 'custom-range', hidden: relative }, field('From', from), field('Until', to));
  range.addEventListener('change', () => { custom.hidden = range.value !== 'custom'; });

  const text = (id, value, list) => h('input', { id, value: value || '', list, autocomplete: 'off' });
  const node = text('f-node', q.get('node'), 'f-node-list');
  const service = text('f-service', q.get('service'), 'f-service-list');
  const source = text('f-source', q.get('source'));
  const cid = text('f-cid', q.get('correlation_id'));
  const payload = h('input', { id: 'f-text', type: 'search', value: q.get('q') || '', autocomplete: 'off' });
  const type = options(h('select', { id: 'f-type' }), [['', 'Any type'], ...types], q.get('type') || '');
  const severity = options(h('select', { id: 'f-severity' }),
    [['', 'Any severity'], ['warning', 'warning or worse'], ['error', 'error or worse'], ['critical', 'critical']], q.get('min_severity') || '');
  const nodeList = h('datalist', { id: 'f-node-list' });
  nodes.forEach((n) => nodeList.append(h('option', { value: n })));
  const serviceList = h('datalist', { id: 'f-service-list' });
  services.forEach((s) => serviceList.append(h('option', { value: s })));

  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter events' },
    field('Time range', range), custom,
    field('Node', node), field('Service', service), field('Type', type), field('Minimum severity', severity),
    field('Source', source), field('Correlation id', cid), field('Text in the payload', payload),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply'),
      h('button', { type: 'button', class: 'secondary', onclick: () => ctx.navigate('/timeline') }, 'Reset')),
    nodeList, serviceList);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (range.value === 'custom') {
      if (from.value) p.set('since', isoLocal(from.value));
      if (to.value) p.set('until', isoLocal(to.value));
    } else if (range.value) {
      p.set('since', range.value);
    }
    const put = (k, v) => { if (v && v.trim()) p.set(k, v.trim()); };
    put('node', node.value);
    put('service', service.value);
    put('type', type.value);
    put('min_severity', severity.value);
    put('source', source.value);
    put('correlation_id', cid.value);
    put('q', payload.value);
    ctx.navigate('/timeline' + (p.toString() ? '?' + p : ''));
  });
  return form;
}
