// GET /api/events/stream read with fetch (not EventSource), so the token can travel as an Authorization header
// when reads are protected. Reconnects with Last-Event-ID, backing off while the server is away.
import * as session from './session.js';

const statusListeners = new Set();
let state = { name: 'idle', detail: '' };

export function onStatus(listener) {
  statusListeners.add(listener);
  listener(state);
}

function setState(name, detail = '') {
  state = { name, detail };
  statusListeners.forEach((l) => l(state));
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

/**
 * Streams events matching params (URLSearchParams: the filters of GET /api/events, and since to replay from a
 * time) to onEvent(event) until signal aborts.
 */
export function follow(params, onEvent, signal) {
  let lastId = null;
  let backoff = 1000;
  (async () => {
    while (!signal.aborted) {
      try {
        setState('connecting');
        const headers = { Accept: 'text/event-stream' };
        if (session.token()) headers.Authorization = 'Bearer ' + session.token();
        if (lastId) headers['Last-Event-ID'] = lastId;
        const res = await fetch('/api/events/stream?' + params.toString(), {
          headers, signal, credentials: 'omit', cache: 'no-store',
        });
        if (!res.ok) {
          let detail = 'HTTP ' + res.status;
          try { detail = (await res.json()).detail || detail; } catch (e) { /* not a problem document */ }
          if (res.status === 400 || res.status === 401 || res.status === 403) {
            setState('off', detail);
            return;
          }
          throw new Error(detail);
        }
        setState('live');
        backoff = 1000;
        await read(res.body, (id, data) => {
          if (id !== null) lastId = id;
          onEvent(JSON.parse(data));
        });
      } catch (e) {
        if (signal.aborted) return;
      }
      if (signal.aborted) return;
      setState('reconnecting');
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 15000);
    }
  })();
  signal.addEventListener('abort', () => setState('idle'), { once: true });
}

/** The text/event-stream format: fields per line, an empty line ends an event, ':' starts a comment. */
async function read(body, dispatch) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let data = [];
  let id = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let match;
    while ((match = /\r\n|\n|\r(?=[^\n])/.exec(buffer)) !== null) {
      const line = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      if (line === '') {
        if (data.length > 0) dispatch(id, data.join('\n'));
        data = [];
        id = null;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      let v = colon < 0 ? '' : line.slice(colon + 1);
      if (v.startsWith(' ')) v = v.slice(1);
      if (name === 'data') data.push(v);
      else if (name === 'id') id = v;
    }
  }
}
