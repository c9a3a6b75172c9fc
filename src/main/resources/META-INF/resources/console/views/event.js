// /events/{id}: one event, with a link to its chain (the target of the citations of an answer).
import { h, chainHref } from '../dom.js';
import { api } from '../api.js';
import { time, severityBadge, payloadDetails } from '../format.js';

export default async function eventView(ctx) {
  const id = ctx.params[0];
  ctx.heading('Event ' + id);
  const e = await api('/api/events/' + encodeURIComponent(id), { signal: ctx.signal });
  const facts = h('dl', { class: 'facts' });
  const fact = (term, ...value) => facts.append(h('dt', {}, term), h('dd', {}, ...value));
  fact('Time', time(e.timestamp));
  fact('Type', e.type);
  fact('Severity', severityBadge(e.severity));
  fact('Service', e.service);
  fact('Node', e.node);
  fact('Source', e.source);
  fact('Chain', h('a', { href: chainHref(e.correlation_id, e.id) }, e.correlation_id));
  ctx.main.append(facts, payloadDetails(e.payload));
}
