// /chains/{correlation_id}: the causal chain as a vertical timeline, live, with the operator's writes.
import { h, clear } from '../dom.js';
import { api, tool, store, NOTE_TYPE, ApiError } from '../api.js';
import { renderChain } from '../chain-view.js';
import * as session from '../session.js';
import { errorBox, readOnlyNotice } from '../ui.js';
import { acknowledge, noteForm, remediationForm } from './writes.js';

export default async function chain(ctx) {
  const cid = ctx.params[0];
  ctx.heading('Chain ' + cid);
  const region = h('div', {});
  const writes = h('div', {});
  ctx.main.append(region, writes);
  const path = encodeURIComponent(cid);
  let shownKey = null;
  let timer = null;

  const load = async () => {
    let data;
    try {
      data = await Promise.all([
        api('/api/chains/' + path, { signal: ctx.signal }),
        tool('get_causal_chain', { correlation_id: cid, limit: 1 }, { signal: ctx.signal }),
        api('/api/chains/' + path + '/files', { signal: ctx.signal }).catch(() => null),
        store(),
      ]);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        clear(region).append(h('p', { class: 'notice', role: 'status' }, 'No events with the correlation id "' + cid + '" (yet). This page shows them as soon as they arrive.'));
        return;
      }
      throw e;
    }
    const [full, summary, files, info] = data;
    if (ctx.signal.aborted) return;
    clear(region).append(renderChain(full.events, summary, files));
    // the forms are rebuilt only when what they offer changes, so a live event does not wipe what is being typed
    const key = summary.outcome + '|' + (summary.remediations || []).filter((r) => r.status === 'open').map((r) => r.step).join(',');
    if (key !== shownKey) {
      shownKey = key;
      renderWrites(writes, cid, summary, info.types.includes(NOTE_TYPE), ctx);
    }
  };
  await load();
  ctx.follow(new URLSearchParams({ correlation_id: cid }), () => {
    clearTimeout(timer);
    timer = setTimeout(() => load().catch((e) => region.append(errorBox(e))), 300);
  });
  ctx.signal.addEventListener('abort', () => clearTimeout(timer));
}

function renderWrites(area, cid, summary, noteAccepted, ctx) {
  clear(area);
  area.append(h('h2', {}, 'Record'));
  if (!session.canWrite()) {
    area.append(readOnlyNotice('recording a remediation step, a note or an acknowledgement'));
    return;
  }
  const services = summary.services && summary.services.length ? summary.services : ['all'];
  const open = (summary.remediations || []).filter((r) => r.status === 'open');
  area.append(remediationForm(cid, services, open));
  if (noteAccepted) {
    area.append(noteForm(cid, services));
    if (summary.outcome !== 'resolved') area.append(acknowledge(cid, services[0], ctx));
  } else {
    area.append(h('p', { class: 'notice' }, 'Notes and acknowledgements are ' + NOTE_TYPE
      + ' events, which this server does not accept: add ' + NOTE_TYPE + ' to HOMELAB_EVENTS_CUSTOM_TYPES.'));
  }
}
