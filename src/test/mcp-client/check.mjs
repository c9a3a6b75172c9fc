// Independent MCP client check (issue 3): the official TypeScript SDK connects to the packaged server over
// Streamable HTTP, lists the tools and calls list_events and get_causal_chain. The SDK validates each
// structuredContent against the tool's outputSchema, so a result that breaks its schema fails here too.
// Usage: node check.mjs http://127.0.0.1:PORT/mcp   (exit code 0 = every check passed)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import assert from "node:assert/strict";

const url = process.argv[2];
if (!url) {
  console.error("usage: node check.mjs <mcp endpoint url>");
  process.exit(2);
}

const client = new Client({ name: "homelab-sdk-check", version: "1.0.0" });
await client.connect(new StreamableHTTPClientTransport(new URL(url)));

const { tools } = await client.listTools();
const names = tools.map((t) => t.name);
for (const expected of ["list_events", "get_event", "get_causal_chain", "get_remediation_history",
  "get_service_status", "list_open_incidents", "get_node_status", "emit_event", "record_remediation"]) {
  assert.ok(names.includes(expected), `tools/list lacks ${expected}: ${names}`);
}
const listEvents = tools.find((t) => t.name === "list_events");
assert.equal(listEvents.annotations.readOnlyHint, true);
assert.ok(listEvents.outputSchema, "list_events publishes an outputSchema");

const page = await client.callTool({ name: "list_events", arguments: { correlation_id: "deploy-882", limit: 10 } });
assert.notEqual(page.isError, true, JSON.stringify(page));
assert.equal(page.structuredContent.total, 4);
assert.equal(page.structuredContent.events[0].type, "service_recovered");
assert.deepEqual(JSON.parse(page.content[0].text), page.structuredContent);

const chain = await client.callTool({ name: "get_causal_chain", arguments: { correlation_id: "deploy-882" } });
assert.notEqual(chain.isError, true, JSON.stringify(chain));
assert.equal(chain.structuredContent.outcome, "resolved");
assert.equal(chain.structuredContent.failure.stage, "verify");
assert.equal(chain.structuredContent.failure.error, "port 1883 not bound");

const bad = await client.callTool({ name: "list_events", arguments: { limit: 1000 } });
assert.equal(bad.isError, true);
assert.match(bad.content[0].text, /limit/);

await client.close();
console.log(`mcp-client-check: ${tools.length} tools listed; list_events and get_causal_chain verified over Streamable HTTP`);
