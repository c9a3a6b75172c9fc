// Independent MCP client check for protocol 2026-07-28 (issue 14): the official TypeScript SDK 2.x client,
// pinned to 2026-07-28 (no fallback to initialize), against the packaged server over Streamable HTTP or stdio.
// It seeds the store through emit_event (the SeedChains fixture, written by the Java test to a JSON file), then
// goes through server/discover, every tool the server lists, subscriptions/listen, resources, prompts and
// completion. The SDK validates
// every structuredContent against the tool's outputSchema, so a result that breaks its schema fails here too.
//
// Usage: node check-modern.mjs http <endpoint url> <seed.json> [--await-seed]
//        node check-modern.mjs stdio <seed.json> <command> [args...]
// --await-seed: reads may reach another server process than the writes (a round-robin proxy in front of two
// processes on one store); wait, up to a deadline, until the seeded chain is visible everywhere.
// Exit code 0 = every check passed.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const [mode, ...rest] = process.argv.slice(2);
let transport;
let seedFile;
let awaitSeed = false;
if (mode === "http") {
  const [url, seed, ...flags] = rest;
  seedFile = seed;
  awaitSeed = flags.includes("--await-seed");
  transport = new StreamableHTTPClientTransport(new URL(url));
} else if (mode === "stdio") {
  const [seed, command, ...args] = rest;
  seedFile = seed;
  transport = new StdioClientTransport({ command, args, env: { ...process.env }, stderr: "inherit" });
} else {
  console.error("usage: node check-modern.mjs http <url> <seed.json> [--await-seed] | stdio <seed.json> <command> [args...]");
  process.exit(2);
}
const seed = JSON.parse(readFileSync(seedFile, "utf8"));

const client = new Client({ name: "homelab-sdk2-check", version: "1.0.0" },
  { versionNegotiation: { mode: { pin: "2026-07-28" } } });
await client.connect(transport);

// server/discover
assert.equal(client.getNegotiatedProtocolVersion(), "2026-07-28");
assert.equal(client.getProtocolEra(), "modern");
const discover = client.getDiscoverResult();
assert.deepEqual(discover.supportedVersions, ["2026-07-28"]);
assert.ok(discover.capabilities.tools && discover.capabilities.prompts && discover.capabilities.resources
  && discover.capabilities.completions, JSON.stringify(discover.capabilities));
assert.match(client.getInstructions() ?? "", /data/i, "instructions tell the agent to treat event text as data");

const call = async (name, args) => {
  const r = await client.callTool({ name, arguments: args });
  assert.notEqual(r.isError, true, `${name}: ${JSON.stringify(r)}`);
  assert.deepEqual(JSON.parse(r.content[0].text), r.structuredContent, `${name}: text and structuredContent agree`);
  return r.structuredContent;
};

// seeding through emit_event: every event of the fixture, ids answered
for (const event of seed) {
  const written = await call("emit_event", event);
  assert.match(written.id, /^[0-9a-f-]{36}$/);
}
if (awaitSeed) {
  // every process learns of the other's files through its index watcher: wait for it, never for a fixed time
  const deadline = Date.now() + 60_000;
  for (;;) {
    const views = [];
    for (let i = 0; i < 4; i++) {
      views.push((await call("list_events", { correlation_id: "deploy-882", limit: 10 })).total);
    }
    if (views.every((t) => t === 4)) break;
    assert.ok(Date.now() < deadline, `the seeded chain is not visible on every process: totals ${views}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const { tools } = await client.listTools();
const names = tools.map((t) => t.name).sort();
const listEvents = tools.find((t) => t.name === "list_events");
assert.equal(listEvents.annotations.readOnlyHint, true);
assert.ok(listEvents.outputSchema, "list_events publishes an outputSchema");

// every tool the server lists, each with arguments that make sense on the seeded store; a tool without an
// entry here fails the check, so a new tool cannot go untested on this protocol
const results = {};
const calls = {
  emit_event: async () => call("emit_event", { type: "deployment_started", severity: "info", source: "sdk2-check",
    service: "sdk2-svc", correlation_id: "sdk2-chain", payload: { version: "1.2.3", note: "Überprüfung ✓" } }),
  list_events: async () => {
    const page = await call("list_events", { correlation_id: "deploy-882", limit: 10 });
    assert.equal(page.total, 4);
    assert.equal(page.events[0].type, "service_recovered");
    return page;
  },
  get_event: async () => {
    const first = (await call("list_events", { correlation_id: "deploy-882", limit: 1 })).events[0];
    const event = await call("get_event", { id: first.id });
    assert.equal(event.id, first.id);
    return event;
  },
  get_causal_chain: async () => {
    const chain = await call("get_causal_chain", { correlation_id: "deploy-882" });
    assert.equal(chain.outcome, "resolved");
    assert.equal(chain.failure.stage, "verify");
    assert.equal(chain.failure.error, "port 1883 not bound");
    return chain;
  },
  get_remediation_history: async () => {
    const h = await call("get_remediation_history", { service: "zigbee2mqtt" });
    assert.ok(h.total >= 1, JSON.stringify(h));
    return h;
  },
  record_remediation: async () => {
    const start = await call("record_remediation", { phase: "start", correlation_id: "sdk2-chain", service: "sdk2-svc",
      action: "restart_service", actor: "sdk2-check" });
    const done = await call("record_remediation", { phase: "complete", correlation_id: "sdk2-chain",
      service: "sdk2-svc", action: "restart_service", actor: "sdk2-check", result: "succeeded" });
    assert.notEqual(start.id, done.id);
    return done;
  },
  get_service_status: async () => {
    const s = await call("get_service_status", { service: "mosquitto" });
    assert.equal(s.services[0].service, "mosquitto");
    return s;
  },
  list_open_incidents: async () => {
    const open = await call("list_open_incidents", {});
    const ids = open.incidents.map((i) => i.correlation_id);
    assert.ok(ids.includes("deploy-883") && ids.includes("hc-zigbee"), JSON.stringify(ids));
    assert.ok(!ids.includes("deploy-882"), "a resolved chain is not open");
    return open;
  },
  get_node_status: async () => {
    const n = await call("get_node_status", {});
    const nas = n.nodes.find((x) => x.node === "nas");
    assert.equal(nas.state, "offline", JSON.stringify(n));
    return n;
  },
  sync_now: async () => call("sync_now", {}),
  get_sync_status: async () => call("get_sync_status", {}),
  verify_audit_trail: async () => {
    const v = await call("verify_audit_trail", {});
    assert.equal(typeof v.ok, "boolean");
    assert.ok(v.checked >= seed.length, JSON.stringify(v));
    return v;
  },
};
for (const name of names) {
  assert.ok(calls[name], `no check for the tool ${name}: add one to check-modern.mjs`);
  results[name] = await calls[name]();
}

// subscriptions/listen: watch a chain that does not exist yet, write to it, get notified (the notification may come
// from either process behind a proxy: each sees the other's files through its index watcher)
const updated = [];
client.setNotificationHandler("notifications/resources/updated", (n) => { updated.push(n.params.uri); });
assert.equal(discover.capabilities.resources.subscribe, true);
const watched = "homelab://chains/sdk2-watch";
const subscription = await client.listen({ resourceSubscriptions: [watched] });
assert.deepEqual(subscription.honoredFilter.resourceSubscriptions, [watched]);
await call("emit_event", { type: "service_unhealthy", severity: "error", source: "sdk2-check", service: "sdk2-svc",
  correlation_id: "sdk2-watch" });
{
  const deadline = Date.now() + 60_000;
  while (!updated.includes(watched)) {
    assert.ok(Date.now() < deadline, `no notifications/resources/updated for ${watched}; got ${updated}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
await subscription.close();
await assert.rejects(client.listen({ resourceSubscriptions: ["homelab://events/1"] }), /never changes/);

// a bad argument is an isError result naming it, as on 2025-11-25
const bad = await client.callTool({ name: "list_events", arguments: { limit: 1000 } });
assert.equal(bad.isError, true);
assert.match(bad.content[0].text, /limit: must be between 1 and 200/);
const nullArg = await client.callTool({ name: "list_events", arguments: { limit: null } });
assert.equal(nullArg.isError, true);
assert.match(nullArg.content[0].text, /limit: must not be null/);
await assert.rejects(client.callTool({ name: "no_such_tool", arguments: {} }), /no_such_tool/);

// resources
const { resourceTemplates } = await client.listResourceTemplates();
assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(),
  ["homelab://chains/{correlation_id}", "homelab://events/{id}"]);
const chainRes = await client.readResource({ uri: "homelab://chains/deploy-882" });
const chainDoc = JSON.parse(chainRes.contents[0].text);
assert.equal(chainRes.contents[0].mimeType, "application/json");
assert.equal(chainDoc.events.length, 4);
const eventId = results.get_event.id;
const eventRes = await client.readResource({ uri: `homelab://events/${eventId}` });
assert.equal(JSON.parse(eventRes.contents[0].text).id, eventId);
await assert.rejects(client.readResource({ uri: "homelab://events/00000000-0000-4000-8000-000000000000" }),
  /not found/i);

// prompts
const { prompts } = await client.listPrompts();
assert.deepEqual(prompts.map((p) => p.name).sort(), ["plan_remediation", "postmortem", "triage_incident"]);
for (const p of prompts) {
  const arg = p.arguments[0].name;
  const value = arg === "service" ? "mosquitto" : "deploy-882";
  const got = await client.getPrompt({ name: p.name, arguments: { [arg]: value } });
  assert.equal(got.messages[0].role, "user");
  assert.ok(got.messages[0].content.text.includes(value), `${p.name} names ${value}`);
}
await assert.rejects(client.getPrompt({ name: "triage_incident", arguments: {} }), /correlation_id/);

// completion: prompt arguments and the chain template
const byPrompt = await client.complete({ ref: { type: "ref/prompt", name: "triage_incident" },
  argument: { name: "correlation_id", value: "deploy-88" } });
assert.deepEqual(byPrompt.completion.values, ["deploy-882", "deploy-883", "deploy-884"]);
const byService = await client.complete({ ref: { type: "ref/prompt", name: "plan_remediation" },
  argument: { name: "service", value: "mos" } });
assert.deepEqual(byService.completion.values, ["mosquitto"]);
const byTemplate = await client.complete({ ref: { type: "ref/resource", uri: "homelab://chains/{correlation_id}" },
  argument: { name: "correlation_id", value: "hc-" } });
assert.deepEqual(byTemplate.completion.values, ["hc-zigbee"]);
const eventIds = await client.complete({ ref: { type: "ref/resource", uri: "homelab://events/{id}" },
  argument: { name: "id", value: "" } });
assert.deepEqual(eventIds.completion.values, []);

await client.close();
console.log(`mcp-sdk2-check: protocol ${discover.supportedVersions[0]} over ${mode}; ${names.length} tools called `
  + `(${names.join(", ")}); subscriptions/listen, resources, prompts and completion verified`);
