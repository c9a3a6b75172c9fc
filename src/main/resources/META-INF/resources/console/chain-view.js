// The causal-chain component: a chain (its events oldest first), the summary of get_causal_chain and the files of
// its events, rendered as a vertical timeline. It reads no API and knows no router, so it can be shown elsewhere
// (an MCP App frame) with the same data.
import { h } from './dom.js';
import { time, duration, severityBadge, stateBadge, payloadDetails, formatTime } from './format.js';

/**
 * @param events  the chain's events, oldest first (GET /api/chains/{id})
 * @param summary get_causal_chain's result: outcome, services, nodes, failure, remediations, elapsed_seconds
 * @param files   {root, files: [{id, path}]} (GET /api/chains/{id}/files), or null
 */
export function renderChain(events, summary, files) {
  const root = h('div', { class: 'chain-view' });
  const pathOf = new Map(((files && files.files) || []).map((f) => [f.id, f.path]));
  const failureId = summary.failure ? summary.failure.event_id : null;
  const nodes = summary.nodes || [];
  const crossesNodes = nodes.length > 1;

  // which remediation step each remediation event belongs to, and whether that step is still open
  const stepOf = new Map();
  for (const r of summary.remediations || []) {
    if (r.started_event_id) stepOf.set(r.started_event_id, { role: 'started', step: r });
    if (r.completed_event_id) stepOf.set(r.completed_event_id, { role: 'completed', step: r });
  }

  const facts = h('dl', { class: 'facts' });
  const fact = (term, ...value) => facts.append(h('dt', {}, term), h('dd', {}, ...value));
  fact('Outcome', stateBadge(summary.outcome));
  fact('Services', (summary.services || []).join(', '));
  fact(crossesNodes ? 'Nodes (crosses nodes)' : 'Node', nodes.join(', '));
  fact('Events', String(summary.count));
  if (summary.first) fact('First', time(summary.first.timestamp));
  if (summary.last) fact('Last', time(summary.last.timestamp));
  fact('Duration', duration(summary.elapsed_seconds));
  if (summary.failure) {
    const f = summary.failure;
    fact('Failure', h('a', { href: '#event-' + f.event_id }, f.type + (f.stage ? ' at stage ' + f.stage : '')
      + (f.error ? ': ' + f.error : '')), ' at ', time(f.timestamp, false));
  }
  root.append(facts);

  root.append(h('h2', { id: 'remediations-title' }, 'Remediation steps'));
  const steps = summary.remediations || [];
  if (steps.length === 0) {
    root.append(h('p', { class: 'meta' }, 'No remediation recorded in this chain.'));
  } else {
    const body = h('tbody', {});
    for (const r of steps) {
      body.append(h('tr', {},
        h('td', { 'data-label': 'Step' }, r.step || ''),
        h('td', { 'data-label': 'Action' }, r.action || ''),
        h('td', { 'data-label': 'Actor' }, r.actor || ''),
        h('td', { 'data-label': 'Status' }, stateBadge(r.status === 'open' ? 'open' : 'completed', r.status),
          r.result ? ' ' : '', r.result ? stateBadge(r.result === 'succeeded' ? 'succeeded' : 'failed', r.result) : ''),
        h('td', { 'data-label': 'Started', class: 'when' }, r.started_at ? h('a', { href: '#event-' + r.started_event_id }, formatTime(r.started_at)) : ''),
        h('td', { 'data-label': 'Completed', class: 'when' }, r.completed_at ? h('a', { href: '#event-' + r.completed_event_id }, formatTime(r.completed_at)) : 'open'),
        h('td', { 'data-label': 'Took' }, r.elapsed_seconds !== undefined && r.elapsed_seconds !== null ? duration(r.elapsed_seconds) : '')));
    }
    root.append(h('div', { class: 'table-wrap' }, h('table', { class: 'stack', 'aria-labelledby': 'remediations-title' },
      h('thead', {}, h('tr', {}, ...['Step', 'Action', 'Actor', 'Status', 'Started', 'Completed', 'Took'].map((c) => h('th', { scope: 'col' }, c)))),
      body)));
  }

  root.append(h('h2', { id: 'events-title' }, 'Events, oldest first'));
  const list = h('ol', { class: 'chain', 'aria-labelledby': 'events-title' });
  let previous = null;
  for (const e of events) {
    const isFailure = e.id === failureId;
    const item = h('li', { id: 'event-' + e.id, class: isFailure ? 'failure' : null });
    if (previous) {
      const gap = (new Date(e.timestamp) - new Date(previous.timestamp)) / 1000;
      item.append(h('p', { class: 'gap' }, duration(gap) + ' after the previous event'));
    }
    const head = h('div', { class: 'step-head' },
      time(e.timestamp, false), severityBadge(e.severity), h('span', { class: 'type' }, e.type));
    if (isFailure) head.append(h('span', { class: 'badge state-failed' }, 'Failure'));
    const rem = stepOf.get(e.id);
    if (rem) {
      const s = rem.step;
      const label = rem.role === 'started'
        ? 'step ' + (s.step || '') + ': ' + (s.status === 'open' ? 'open' : 'completed' + (s.result ? ' (' + s.result + ')' : ''))
        : 'completes step ' + (s.step || '') + (s.result ? ': ' + s.result : '');
      head.append(stateBadge(s.status === 'open' ? 'open' : 'completed', label));
    }
    if (crossesNodes) {
      const changed = previous && previous.node !== e.node;
      head.append(h('span', { class: 'node-chip' + (changed ? ' node-change' : '') }, (changed ? 'moved to ' : 'on ') + e.node));
    }
    const card = h('div', { class: 'card' }, head,
      h('p', { class: 'meta' }, 'service ', h('strong', {}, e.service), ' · source ', h('strong', {}, e.source),
        crossesNodes ? '' : ' · node ' + e.node),
      payloadDetails(e.payload));
    const path = pathOf.get(e.id);
    if (path) card.append(h('p', { class: 'file' }, 'File: ', h('code', {}, files.root.replace(/\/$/, '') + '/' + path)));
    item.append(card);
    list.append(item);
    previous = e;
  }
  root.append(list);
  return root;
}

