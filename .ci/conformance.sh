#!/usr/bin/env bash
# The whole server suite of the official MCP conformance tool (@modelcontextprotocol/conformance, every
# scenario, pending ones included) against the packaged server, started with the conformance fixtures of the
# reference "everything" server (homelab.mcp.conformance=true: test_simple_text, test://static-text, ...; off
# in every real deployment). Needs target/quarkus-app (./mvnw package), java, node 20+ and npx (npm registry).
# Exit status: the conformance tool's (0 = every check passed); the server log must hold no ERROR line.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=target/quarkus-app/quarkus-run.jar
VERSION=0.1.16
[ -f "$JAR" ] || { echo "conformance: $JAR is missing: run ./mvnw package first" >&2; exit 2; }
command -v npx >/dev/null || { echo "conformance: npx (Node.js 20+) is required" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/homelab-conformance.XXXXXX")
SERVER_PID=""
# shellcheck disable=SC2317  # called by the EXIT trap below
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# default configuration (loopback, no token) plus the fixtures the scenarios call; the store and the audit key in
# the work directory (the key's default is the user's ~/.config)
HOMELAB_EVENTS_DIR="$WORK/store" HOMELAB_AUDIT_KEY_FILE="$WORK/audit/audit-ed25519.key" HOMELAB_NODE=conformance \
  QUARKUS_HTTP_PORT="$PORT" HOMELAB_MCP_CONFORMANCE=true java -Xmx256m -jar "$JAR" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$PORT/q/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/server.log" >&2; echo "conformance: server exited" >&2; exit 2; fi
  sleep 0.1
done

# conformance 0.1.16 imports fs.globSync (Node 22+) by name at load time; server scenarios never call it.
# On older Node an ESM loader hook serves a copy of fs that adds a globSync which only throws.
cat >"$WORK/preload.mjs" <<'JS'
import fs from 'node:fs';
import { register } from 'node:module';
if (typeof fs.globSync !== 'function') {
  const shim = "import fs from 'node:fs'; export * from 'node:fs'; export default fs;"
    + " export function globSync() { throw new Error('fs.globSync needs Node.js 22'); }";
  const hooks = "const SHIM = " + JSON.stringify('data:text/javascript,' + encodeURIComponent(shim)) + ";"
    + " export async function resolve(specifier, context, next) {"
    + "   if ((specifier === 'fs' || specifier === 'node:fs') && !(context.parentURL || '').startsWith('data:')) {"
    + "     return { url: SHIM, shortCircuit: true }; }"
    + "   return next(specifier, context); }";
  register('data:text/javascript,' + encodeURIComponent(hooks));
}
JS

status=0
NODE_OPTIONS="--import=$WORK/preload.mjs" npx --yes "@modelcontextprotocol/conformance@$VERSION" server \
  --url "http://127.0.0.1:$PORT/mcp" --suite all || status=$?
if grep -q " ERROR " "$WORK/server.log"; then
  echo "conformance: the server logged errors:" >&2
  grep " ERROR " "$WORK/server.log" | cut -c1-400 >&2
  status=1
fi
exit "$status"
