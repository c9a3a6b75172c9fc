// A minimal MCP Apps host, as a chat client would be, built from the extension's own AppBridge and the MCP SDK's
// client (bundled into host.js, see README.md here). It connects to this server's /mcp, lists the tools, reads the
// ui:// resource that get_causal_chain points at, frames it (sandbox="allow-scripts", no same origin), calls the
// tool and hands the view the arguments and the result. The view's own requests (tools/call) go through the
// bridge to the same MCP client. What happened is left on window.host for the test to read.
import { AppBridge, PostMessageTransport, getToolUiResourceUri, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/app-bridge';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const state = { step: 'starting', log: [], error: null, resourceUri: null, mimeType: null, initialized: false, calls: [] };
window.host = state;
const log = (text) => state.log.push(text);

async function run() {
  const params = new URLSearchParams(location.search);
  const args = { correlation_id: params.get('correlation_id') };
  if (params.get('limit')) args.limit = Number(params.get('limit'));
  const info = { name: 'homelab-test-host', version: '1.0.0' };

  const client = new Client(info);
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', location.href)));
  state.step = 'connected';
  const { tools } = await client.listTools();
  const tool = tools.find((t) => t.name === 'get_causal_chain');
  state.resourceUri = getToolUiResourceUri(tool) || null;
  if (!state.resourceUri) throw new Error('get_causal_chain has no _meta.ui.resourceUri');
  const read = await client.readResource({ uri: state.resourceUri });
  const content = read.contents[0];
  state.mimeType = content.mimeType;
  if (content.mimeType !== RESOURCE_MIME_TYPE) throw new Error('not an MCP App: ' + content.mimeType);

  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.title = 'Causal chain (MCP App)';
  document.getElementById('apps').append(frame);
  const bridge = new AppBridge(client, info, { serverTools: {}, logging: {} },
    { hostContext: { theme: params.get('theme') || 'light', displayMode: 'inline', platform: 'web' } });
  bridge.onsizechange = ({ height }) => { if (height) frame.style.height = height + 'px'; };
  const initialized = new Promise((resolve) => { bridge.oninitialized = resolve; });
  await bridge.connect(new PostMessageTransport(frame.contentWindow, frame.contentWindow));
  frame.srcdoc = content.text;
  await initialized;
  state.initialized = true;
  state.step = 'initialized';
  await bridge.sendToolInput({ arguments: args });
  const result = await client.callTool({ name: 'get_causal_chain', arguments: args });
  state.calls.push({ isError: !!result.isError });
  await bridge.sendToolResult(result);
  state.step = 'result sent';
  log('sent the result of get_causal_chain ' + JSON.stringify(args));
}

run().catch((e) => {
  state.error = String((e && e.stack) || e);
  state.step = 'failed';
});
