// The causal-chain view as an MCP App (the MCP Apps extension, protocol 2026-01-26): the host (a chat client)
// renders this document in a sandboxed frame beside a get_causal_chain result and speaks JSON-RPC 2.0 with it over
// postMessage. The view asks for nothing on the network: the chain arrives from the host (ui/notifications/
// tool-result, the tool's structuredContent), and "Show every event" asks the host to call the tool again
// (tools/call, which the host forwards to this server). Rendering is the console's own component (chain-view.js),
// so the chat shows the same chain as /chains/{id}.
import { h, clear } from './dom.js';
import { renderChain } from './chain-view.js';

const PROTOCOL_VERSION = '2026-01-26';
const TOOL = 'get_causal_chain';
const MAX_LIMIT = 200;

const host = window.parent;
const main = document.getElementById('main');
const status = document.getElementById('status');
const area = document.getElementById('chain');
const pending = new Map();
let nextId = 1;
let hostCapabilities = {};
let lastArguments = {};

function send(message) {
  host.postMessage({ jsonrpc: '2.0', ...message }, '*');
}

function request(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

function notify(method, params) {
  send({ method, params: params || {} });
}

function say(text) {
  status.textContent = text;
}

// The host's theme wins over the browser's preference (the inlined style sheet keys its colours on data-theme).
function applyTheme(context) {
  const theme = context && context.theme;
  if (theme === 'light' || theme === 'dark') {
    document.documentElement.dataset.theme = theme;
  }
}

/** A tool result (CallToolResult): the chain in structuredContent, or the same JSON as text for older hosts. */
function chainOf(result) {
  if (result.structuredContent) return result.structuredContent;
  const text = (result.content || []).find((c) => c.type === 'text');
  return text ? JSON.parse(text.text) : null;
}

function show(result) {
  main.setAttribute('aria-busy', 'false');
  if (result.isError) {
    const text = (result.content || []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
    clear(area);
    say(text || 'The tool answered with an error.');
    return;
  }
  let chain;
  try {
    chain = chainOf(result);
  } catch (e) {
    chain = null;
  }
  if (!chain || !Array.isArray(chain.events)) {
    clear(area);
    say('The tool result holds no causal chain.');
    return;
  }
  document.getElementById('title').textContent = 'Chain ' + chain.correlation_id;
  clear(area).append(renderChain(chain.events, chain, null));
  const shown = chain.events.length;
  say(shown + ' of ' + chain.count + ' events shown' + (chain.events_omitted ? ' (the most recent)' : '') + '.');
  if (chain.events_omitted > 0 && hostCapabilities.serverTools && shown < MAX_LIMIT) {
    area.prepend(h('p', {}, h('button', { type: 'button', onclick: () => showAll(chain.correlation_id) },
      'Show every event (' + Math.min(chain.count, MAX_LIMIT) + ')')));
  }
}

async function showAll(correlationId) {
  main.setAttribute('aria-busy', 'true');
  say('Asking the host for every event of ' + correlationId + '…');
  try {
    show(await request('tools/call', { name: TOOL, arguments: { ...lastArguments, correlation_id: correlationId, limit: MAX_LIMIT } }));
  } catch (e) {
    main.setAttribute('aria-busy', 'false');
    say('The host could not call ' + TOOL + ': ' + e.message);
  }
}

// Requests the host may send: answered, so no request of the host waits for a timeout.
const requests = {
  ping: () => ({}),
  'ui/resource-teardown': () => ({}),
};

const notifications = {
  'ui/notifications/tool-input': (params) => {
    lastArguments = params.arguments || {};
    if (lastArguments.correlation_id) say('Loading the chain ' + lastArguments.correlation_id + '…');
  },
  'ui/notifications/tool-input-partial': () => {},
  'ui/notifications/tool-result': show,
  'ui/notifications/tool-cancelled': (params) => {
    main.setAttribute('aria-busy', 'false');
    say('The tool call was cancelled' + (params.reason ? ': ' + params.reason : '') + '.');
  },
  'ui/notifications/host-context-changed': applyTheme,
};

window.addEventListener('message', (event) => {
  if (event.source !== host) return; // only the host that framed this view speaks to it
  const m = event.data;
  if (!m || m.jsonrpc !== '2.0') return;
  if (m.method === undefined && m.id !== undefined) {
    const waiting = pending.get(m.id);
    if (!waiting) return;
    pending.delete(m.id);
    if (m.error) waiting.reject(new Error(m.error.message || 'error ' + m.error.code));
    else waiting.resolve(m.result);
  } else if (m.id !== undefined) {
    const handler = requests[m.method];
    if (handler) send({ id: m.id, result: handler(m.params || {}) });
    else send({ id: m.id, error: { code: -32601, message: 'Method not found: ' + m.method } });
  } else if (notifications[m.method]) {
    notifications[m.method](m.params || {});
  }
});

// The host sizes the frame to the document (ui/notifications/size-changed).
let lastHeight = 0;
new ResizeObserver(() => {
  const height = Math.ceil(document.documentElement.scrollHeight);
  if (height !== lastHeight) {
    lastHeight = height;
    notify('ui/notifications/size-changed', { height });
  }
}).observe(document.body);

request('ui/initialize', {
  appInfo: { name: 'homelab-events-chain', version: '1.0.0' },
  appCapabilities: { availableDisplayModes: ['inline'] },
  protocolVersion: PROTOCOL_VERSION,
}).then((result) => {
  hostCapabilities = result.hostCapabilities || {};
  applyTheme(result.hostContext);
  notify('ui/notifications/initialized');
  say('Waiting for the chain from the host…');
}, (e) => say('The host did not accept this view: ' + e.message));
