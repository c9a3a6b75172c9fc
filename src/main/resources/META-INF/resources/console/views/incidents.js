// Landing page: open incidents, most recently active first, each with what failed, where, how, what remediation is
// open and how long it has been open. Reloaded when any new event arrives.
import { h, clear, chainHref } from '../dom.js';
import { api, tool, store, NOTE_TYPE } from '../api.js';
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
  const load = async () => {
    const [list, info] = await Promise.all([tool('list_open_incidents', { limit: LIMIT }, { signal: ctx.signal }), store()]);
    const noteAccepted = info.types.includes(NOTE_TYPE);
    const details = await Promise.all(list.incidents.map((i) => detailsOf(i, noteAccepted, ctx.signal)));
    if (ctx.signal.aborted) return;
    clear(region);
    region.append(render(list, details, noteAccepted, ctx));
  };
  await load();
  ctx.follow(new URLSearchParams(), () => {
    // any event can open or resolve an incident: reload at most once a second
    clearTimeout(timer);
    timer = setTimeout(() => load().catch((e) => { if (!ctx.signal.aborted) region.append(errorBox(e)); }), 1000);
  });
  ctx.signal.addEventListener('abort', () => clearTimeout(timer));
}

async function detailsOf(incident, noteAccepted, signal) {
  const cid = incident.correlation_id;
  const [chain, acks] = await Promise.all([
    tool('get_causal_chain', { correlation_id: cid, limit: 1 }, { signal }).catch(() => null),
    noteAccepted
      ? api('/api/events?' + new URLSearchParams({ correlation_id: cid, type: NOTE_TYPE, limit: '20' }), { signal })
        .then((p) => p.events.filter((e) => e.payload && e.payload.kind === 'acknowledgement'))
        .catch(() => [])
      : Promise.resolve([]),
  ]);
  return { chain, acks };
}

function render(list, details, noteAccepted, ctx) {
  const out = h('div', {});
  if (list.incidents.length === 0) {
    out.append(h('p', { class: 'empty', role: 'status' }, 'All clear: no open incidents in the last 30 days.'));
    return out;
  }
  out.append(h('p', { class: 'status-line', role: 'status' },
    list.total === 1 ? '1 open incident.' : list.total + ' open incidents' + (list.has_more ? ', the ' + LIMIT + ' most recent shown.' : '.')));
  const ul = h('ul', { class: 'incidents' });
  list.incidents.forEach((incident, i) => ul.append(h('li', {}, card(incident, details[i], i, noteAccepted, ctx))));
  out.append(ul);
  return out;
}

function card(incident, { chain, acks }, index, noteAccepted, ctx) {
  const cid = incident.correlation_id;
  const failure = incident.failure;
  const failedAt = failure ? failure.timestamp : incident.first_at;
  const headingId = 'incident-' + index;
  const facts = h('dl', { class: 'facts' });
  const fact = (term, ...value) => facts.append(h('dt', {}, term), h('dd', {}, ...value));
  fact('Service', (incident.services || []).join(', ') || 'none');
  if (chain) fact(chain.nodes.length > 1 ? 'Nodes' : 'Node', chain.nodes.join(', '));
  fact(failure ? 'Failed' : 'Started', time(failedAt));
  if (failure) {
    fact('How', failure.type + (failure.stage ? ' at stage ' + failure.stage : '') + (failure.error ? ': ' + failure.error : ''));
  }
  const open = chain ? (chain.remediations || []).filter((r) => r.status === 'open') : [];
  if (open.length > 0) {
    const list = h('ul', {});
    open.forEach((r) => list.append(h('li', {}, (r.action || r.step) + ' by ' + (r.actor || 'unknown') + ', started ' + ago(r.started_at))));
    fact('Open remediation', list);
  } else {
    fact('Open remediation', incident.open_remediations > 0 ? incident.open_remediations + ' open' : 'none');
  }
  fact('Last event', incident.last_type + ', ', time(incident.last_at));
  if (acks.length > 0) {
    const last = acks[0];
    fact('Acknowledged', 'by ' + ((last.payload && last.payload.operator) || last.source) + ', ' + ago(last.timestamp)
      + (last.payload && last.payload.note ? ': ' + last.payload.note : ''));
  }
  const article = h('article', { class: 'card incident', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, h('a', { href: chainHref(cid) }, cid)),
    h('p', { class: 'badges' }, stateBadge(incident.outcome), h('span', {}, 'open for ' + duration(secondsSince(failedAt)))),
    facts);
  if (session.canWrite() && noteAccepted && acks.length === 0) {
    article.append(acknowledge(cid, (incident.services || [])[0], ctx));
  }
  return article;
}
