// /status: services and nodes, from the same views the agent tools use (get_service_status, get_node_status).
// A failing service with a remediation in progress is shown as recovering.
import { h, clear, chainHref } from '../dom.js';
import { tool } from '../api.js';
import { time, timeAgo, stateBadge, number } from '../format.js';
import { errorBox } from '../ui.js';

export default async function status(ctx) {
  ctx.heading('Status');
  const region = h('div', {});
  ctx.main.append(region);
  let timer = null;
  const load = async () => {
    const [services, nodes, incidents] = await Promise.all([
      tool('get_service_status', {}, { signal: ctx.signal }),
      tool('get_node_status', {}, { signal: ctx.signal }),
      tool('list_open_incidents', { limit: 200 }, { signal: ctx.signal }),
    ]);
    if (ctx.signal.aborted) return;
    const remediating = new Set();
    for (const i of incidents.incidents) {
      if (i.outcome === 'remediating') (i.services || []).forEach((s) => remediating.add(s));
    }
    clear(region).append(servicesTable(services.services, remediating), nodesTable(nodes.nodes));
  };
  await load();
  ctx.follow(new URLSearchParams(), () => {
    clearTimeout(timer);
    timer = setTimeout(() => load().catch((e) => region.append(errorBox(e))), 1000);
  });
  ctx.signal.addEventListener('abort', () => clearTimeout(timer));
}

function table(titleId, title, columns, rows, empty) {
  const section = h('section', { 'aria-labelledby': titleId }, h('h2', { id: titleId }, title));
  if (rows.length === 0) {
    section.append(h('p', { class: 'meta' }, empty));
    return section;
  }
  section.append(h('div', { class: 'table-wrap' }, h('table', { class: 'stack', 'aria-labelledby': titleId },
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows))));
  return section;
}

function health(s, remediating) {
  if (s.health === 'healthy') return stateBadge('healthy');
  if (s.health === 'unhealthy') return remediating.has(s.service) ? stateBadge('recovering') : stateBadge('failing');
  return stateBadge('unknown');
}

function servicesTable(services, remediating) {
  const rows = services.map((s) => h('tr', {},
    h('th', { scope: 'row', 'data-label': 'Service' }, s.service),
    h('td', { 'data-label': 'Health' }, health(s, remediating)),
    h('td', { 'data-label': 'Since', class: 'when' }, s.health_since ? timeAgo(s.health_since) : 'no health event'),
    h('td', { 'data-label': 'Last deployment' }, s.deployment
      ? [stateBadge(s.deployment.state === 'failed' ? 'failed' : s.deployment.state === 'completed' ? 'completed' : 'in_progress', s.deployment.state.replace('_', ' ')),
        ' ', time(s.deployment.timestamp), ' ', h('a', { href: chainHref(s.deployment.correlation_id) }, s.deployment.correlation_id)]
      : 'none'),
    h('td', { 'data-label': 'Last event', class: 'when' }, timeAgo(s.last_event_at)),
    h('td', { 'data-label': 'Events' }, number(s.events))));
  return table('services-title', 'Services', ['Service', 'Health', 'Since', 'Last deployment', 'Last event', 'Events'], rows,
    'No service has emitted an event yet.');
}

function nodesTable(nodes) {
  const rows = nodes.map((n) => h('tr', {},
    h('th', { scope: 'row', 'data-label': 'Node' }, n.node),
    h('td', { 'data-label': 'State' }, stateBadge(['online', 'offline'].includes(n.state) ? n.state : 'unknown', n.state)),
    h('td', { 'data-label': 'Since', class: 'when' }, n.state_since ? timeAgo(n.state_since) : 'no online/offline event'),
    h('td', { 'data-label': 'Last seen', class: 'when' }, timeAgo(n.last_event_at)),
    h('td', { 'data-label': 'Last event' }, n.last_event_type),
    h('td', { 'data-label': 'Events' }, number(n.events))));
  return table('nodes-title', 'Nodes', ['Node', 'State', 'Since', 'Last seen', 'Last event', 'Events'], rows,
    'No node has emitted an event yet.');
}
