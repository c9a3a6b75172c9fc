// Landing page: open incidents, most recently active first, each with what failed, where, how, what remediation is
// open and how long it has been open. One request (GET /api/incidents: list_open_incidents' list with each
// incident's nodes and open steps) renders the page. Reloaded when any new event arrives.
import { h, clear, chainHref } from '../dom.js';
import { api, store, NOTE_TYPE } from '../api.js';
import { time, duration, secondsSince, stateBadge, ago } from '../format.js';
import * as session from '../session.js';
import { errorBox } from '../ui.js';
import { acknowledge } from './writes.js';

const LIMIT = 50;

export default async function incidents(ctx) {
  ctx.heading('Open incidents');
  ctx.main.append(h('p', { class: 'lede' },
    'Causal chains with a failure that is not resolved, active in the last 30 days, most recently active first.'));
  const region = h('div', { id: 'incidents' });
  ctx.main.append(region);

  let timer = null;
  let generation = 0;
  const load = async () => {
    const mine = ++generation;
    const [list, info] = await Promise.all([
      api('/api/incidents?' + new URLSearchParams({ limit: String(LIMIT) }), { signal: ctx.signal }), store()]);
    const noteAccepted = info.types.includes(NOTE_TYPE);
    const acks = noteAccepted ? await acknowledgements(ctx.signal) : new Map();
    if (ctx.signal.aborted || mine !== generation) return;
    const cards = list.incidents.map((incident, i) => card(incident, i, acks.get(incident.correlation_id), noteAccepted, ctx));
    clear(region).append(summary(list));
    if (cards.length > 0) region.append(h('ul', { class: 'incidents' }, cards.map((c) => h('li', {}, c))));
  };
  await load();
  ctx.follow(new URLSearchParams(), () => {
    // any event can open or resolve an incident: reload at most once a second
    clearTimeout(timer);
    timer = setTimeout(() => load().catch((e) => { if (!ctx.signal.aborted) region.append(errorBox(e)); }), 1000);
  });
  ctx.signal.addEventListener('abort', () => clearTimeout(timer));
}

/** The latest acknowledgement of each chain in the incidents' window, in one request. */
async function acknowledgements(signal) {
  const page = await api('/api/events?' + new URLSearchParams({ type: NOTE_TYPE, since: '30d', limit: '1000' }), { signal })
    .catch(() => ({ events: [] }));
  const byChain = new Map();
  for (const e of page.events) {
    if (e.payload && e.payload.kind === 'acknowledgement' && !byChain.has(e.correlation_id)) byChain.set(e.correlation_id, e);
  }
  return byChain;
}

function summary(list) {
  if (list.incidents.length === 0) {
    return h('p', { class: 'empty', role: 'status' }, 'All clear: no open incidents in the last 30 days.');
  }
  return h('p', { class: 'status-line', role: 'status' },
    list.total === 1 ? '1 open incident.' : list.total + ' open incidents' + (list.has_more ? ', the ' + LIMIT + ' most recent shown.' : '.'));
}

function card(incident, index, ack, noteAccepted, ctx) {
  const cid = incident.correlation_id;
  const failure = incident.failure;
  const failedAt = failure ? failure.timestamp : incident.first_at;
  const headingId = 'incident-' + index;
  const facts = h('dl', { class: 'facts' });
  const fact = (term, ...value) => {
    const dd = h('dd', {}, ...value);
    facts.append(h('dt', {}, term), dd);
    return dd;
  };
  fact('Service', (incident.services || []).join(', ') || 'none');
  const nodes = incident.nodes || [];
  fact(nodes.length > 1 ? 'Nodes' : 'Node', nodes.join(', ') || 'none');
  fact(failure ? 'Failed' : 'Started', time(failedAt));
  fact('How', failure
    ? failure.type + (failure.stage ? ' at stage ' + failure.stage : '') + (failure.error ? ': ' + failure.error : '')
    : 'an event of error severity or worse (the last: ' + incident.last_type + ')');
  const steps = incident.open_steps || [];
  fact('Open remediation', steps.length === 0
    ? (incident.open_remediations > 0 ? incident.open_remediations + ' open' : 'none')
    : h('ul', { class: 'plain' }, steps.map((r) =>
      h('li', {}, (r.action || r.step) + ' by ' + (r.actor || 'unknown') + ', started ' + ago(r.started_at)))));
  fact('Last event', incident.last_type + ', ', time(incident.last_at));
  if (ack) {
    fact('Acknowledged', 'by ' + ((ack.payload && ack.payload.operator) || ack.source) + ', ' + ago(ack.timestamp)
      + (ack.payload && ack.payload.note ? ': ' + ack.payload.note : ''));
  }
  const article = h('article', { class: 'card incident', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, h('a', { href: chainHref(cid) }, cid)),
    h('p', { class: 'badges' }, stateBadge(incident.outcome), h('span', {}, 'open for ' + duration(secondsSince(failedAt)))),
    facts);
  if (session.canWrite() && noteAccepted && !ack) {
    article.append(acknowledge(cid, (incident.services || [])[0], ctx));
  }
  return article;
}
