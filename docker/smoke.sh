#!/usr/bin/env bash
# Container smoke test, run by .ci/run as root with rootful podman.
#
# Builds the base image (if missing) and the server image, runs the container with a
# temporary host directory as the event store, and checks: readiness and the image's
# HEALTHCHECK, an event emitted over REST landing on the host with the container user's
# owner and the format-v1 path layout, one MCP tool call over Streamable HTTP, a clean
# SIGTERM stop while events are being written (every acknowledged event complete on disk,
# no temporary file left), and the compose file (named volume, up, ready, down), whose two nodes
# replicate through the NATS service (an event posted on one is stored byte-exact on the other).
# Everything it creates is removed on exit, even on failure; the base image stays cached.
#
# It never skips silently: no podman, no root or no container engine is a failure.
# Environment:
#   KEEP_IMAGE=1        keep the built image localhost/homelab-events:smoke and its layer cache
#                       (later: podman rmi localhost/homelab-events:smoke; podman image prune)
#   READY_TIMEOUT=90    seconds to wait for readiness
#   SKIP_COMPOSE=1      leave out the compose check (reported as skipped)
# The last line is "docker-smoke: N passed, N failed" (", N skipped" when a part was skipped).
set -uo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

IMAGE="localhost/homelab-events:smoke"
NATS_IMAGE="localhost/homelab-nats:smoke"
APP_UID=1000
APP_GID=1000
NODE="smoke-node"
TOKEN="smoke-token-$$"
READY_TIMEOUT="${READY_TIMEOUT:-90}"
CTR="homelab-smoke-$$"
PROJECT="homelabsmoke$$"
COMPOSE_FILE="$DOCKER_DIR/compose.yaml"

passed=0 failed=0 skipped=0
work="" image_built=0 nats_built=0 compose_up=0

ok() { passed=$((passed + 1)); log "PASS: $*"; }
skip() { skipped=$((skipped + 1)); log "SKIP: $*"; }
summary() { printf 'docker-smoke: %d passed, %d failed%s\n' "$passed" "$failed" "$([[ $skipped -gt 0 ]] && printf ', %d skipped' "$skipped")"; }
# A failed check ends the run: later checks depend on earlier ones.
fail() {
  failed=$((failed + 1))
  printf 'FAIL: %s\n' "$*" >&2
  if podman container exists "$CTR" 2>/dev/null; then
    echo "--- container log (last 40 lines) ---" >&2
    podman logs --tail 40 "$CTR" >&2 2>&1 || true
  fi
  exit 1
}

cleanup() {
  local rc=$?
  set +e
  if podman container exists "$CTR" 2>/dev/null; then
    podman rm -f -v -t 5 "$CTR" >/dev/null 2>&1
  fi
  if [[ $compose_up == 1 ]]; then
    (cd "$DOCKER_DIR" && HOMELAB_IMAGE="$IMAGE" podman-compose -p "$PROJECT" -f "$COMPOSE_FILE" down -v -t 5) >/dev/null 2>&1
    podman volume rm -f "${PROJECT}_events" "${PROJECT}_events_b" "${PROJECT}_nats" >/dev/null 2>&1
    podman network rm -f "${PROJECT}_default" >/dev/null 2>&1
  fi
  if [[ $image_built == 1 && "${KEEP_IMAGE:-0}" != 1 ]]; then
    podman rmi -f "$IMAGE" >/dev/null 2>&1
  fi
  if [[ $nats_built == 1 && "${KEEP_IMAGE:-0}" != 1 ]]; then
    podman rmi -f "$NATS_IMAGE" >/dev/null 2>&1
  fi
  [[ -n "$work" ]] && rm -rf "$work"
  [[ $rc != 0 && $failed == 0 ]] && failed=1 # died outside a check
  summary
  exit $((failed > 0 ? 1 : rc))
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback TCP port (nothing answers on it).
free_port() {
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}

wait_ready() { # url container-or-empty
  local url=$1 ctr=$2 deadline=$((SECONDS + READY_TIMEOUT))
  while ((SECONDS < deadline)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    if [[ -n "$ctr" && $(podman inspect -f '{{.State.Running}}' "$ctr" 2>/dev/null) != true ]]; then
      return 1
    fi
    sleep 1
  done
  return 1
}

post_event() { # base-url correlation-id -> prints "HTTPCODE BODY"
  curl -sS --max-time 10 -o - -w '\n%{http_code}' -X POST "$1/api/events" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
    -d "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"smoke.sh\",\"service\":\"mosquitto\",\"correlation_id\":\"$2\",\"payload\":{}}"
}

# ---------------------------------------------------------------- prerequisites
[[ $(id -u) == 0 ]] || fail "smoke.sh runs rootful podman and needs root (as in .ci/run)"
for tool in podman curl jq; do
  command -v "$tool" >/dev/null 2>&1 \
    || fail "$tool is not installed (as root: apt-get install -y podman buildah runc debootstrap slirp4netns uidmap fuse-overlayfs podman-compose curl jq)"
done
podman info >/dev/null 2>&1 || fail "podman cannot run here (CONTAINERS_CONF=$CONTAINERS_CONF): $(podman info 2>&1 | tail -3)"
work=$(mktemp -d "${TMPDIR:-/tmp}/homelab-smoke.XXXXXX")
start=$SECONDS

# ---------------------------------------------------------------- images
"$DOCKER_DIR/build-base.sh" || fail "base image $BASE_IMAGE could not be built"
if [[ ! -f "$REPO_ROOT/target/quarkus-app/quarkus-run.jar" ]]; then
  log "target/quarkus-app missing: ./mvnw -B -q package -DskipTests"
  (cd "$REPO_ROOT" && ./mvnw -B -q package -DskipTests) || fail "maven package failed"
fi
log "building $IMAGE"
t0=$SECONDS
image_built=1
# Without KEEP_IMAGE no intermediate layer images are kept, so removing the image at the
# end removes everything the build made.
layers=false
[[ "${KEEP_IMAGE:-0}" == 1 ]] && layers=true
podman build --format docker --layers="$layers" --ignorefile "$DOCKER_DIR/Dockerfile.dockerignore" \
  --build-arg BASE_IMAGE="$BASE_IMAGE" \
  -f "$DOCKER_DIR/Dockerfile" -t "$IMAGE" "$REPO_ROOT" >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log" >&2; fail "podman build failed"; }
ok "image builds from $BASE_IMAGE ($((SECONDS - t0))s, $(podman image inspect -f '{{.Size}}' "$IMAGE") bytes)"
log "building $NATS_IMAGE"
t0=$SECONDS
nats_built=1
podman build --format docker --layers="$layers" --ignorefile "$DOCKER_DIR/Dockerfile.nats.dockerignore" \
  --build-arg BASE_IMAGE="$BASE_IMAGE" \
  -f "$DOCKER_DIR/Dockerfile.nats" -t "$NATS_IMAGE" "$REPO_ROOT" >"$work/build-nats.log" 2>&1 \
  || { tail -30 "$work/build-nats.log" >&2; fail "podman build of the NATS image failed"; }
ok "NATS image builds from $BASE_IMAGE with Debian's nats-server ($((SECONDS - t0))s)"

# ---------------------------------------------------------------- run with a host store
store="$work/events"
mkdir "$store"
chown "$APP_UID:$APP_GID" "$store"
port=$(free_port 18080) || fail "no free port"
base="http://127.0.0.1:$port"
# Rootful podman without a user namespace: uid 1000 in the container is uid 1000 on the
# host, so the host side sees the container user's files as 1000:1000.
# --health-interval=disable: no systemd here to run the timer; the check is run by hand below.
podman run -d --name "$CTR" --hostname "$NODE" \
  -e HOMELAB_NODE="$NODE" -e HOMELAB_EVENTS_TOKEN="$TOKEN" \
  -v "$store:/opt/homelab/events" -p "127.0.0.1:$port:8080" \
  --health-interval=disable "$IMAGE" >"$work/run.log" 2>&1 \
  || { cat "$work/run.log" >&2; fail "podman run failed"; }

t0=$SECONDS
wait_ready "$base/q/health/ready" "$CTR" || fail "not ready within ${READY_TIMEOUT}s at $base/q/health/ready"
[[ $(podman exec "$CTR" id -u) == "$APP_UID" ]] || fail "the server does not run as uid $APP_UID"
[[ $(podman exec "$CTR" cat /proc/1/comm) == java ]] || fail "PID 1 is not java"
# the image's build records the archive with the image's JRE; a JVM that refuses it only warns and starts slower
podman exec "$CTR" grep -q app-cds.jsa /proc/1/maps || fail "the JVM did not map its class-data archive app-cds.jsa"
podman healthcheck run "$CTR" >"$work/hc.log" 2>&1 || { cat "$work/hc.log" >&2; fail "the image's HEALTHCHECK reports unhealthy"; }
ok "ready in $((SECONDS - t0))s, java is PID 1 as uid $APP_UID with its class-data archive, HEALTHCHECK healthy"

# ---------------------------------------------------------------- REST event -> host file
resp=$(post_event "$base" "smoke-1") || fail "POST /api/events: curl failed"
code=${resp##*$'\n'} body=${resp%$'\n'*}
[[ $code == 201 ]] || fail "POST /api/events answered $code, expected 201: $body"
id=$(jq -er '.id' <<<"$body") || fail "no id in the response: $body"
mapfile -t files < <(cd "$store" && find . -type f -name "*_${id}.json" | sed 's|^\./||')
[[ ${#files[@]} == 1 ]] || fail "expected one file for event $id under the store, found ${#files[@]}: $(cd "$store" && find . | head -20)"
rel=${files[0]}
re="^([0-9]{4})-([0-9]{2})-([0-9]{2})/${NODE}/([0-9]{8})T[0-9]{6}\\.[0-9]{6}Z_deployment_started_${id}\\.json$"
[[ $rel =~ $re ]] || fail "path $rel does not follow DATE/NODE/TIMESTAMP_TYPE_UUID.json"
[[ "${BASH_REMATCH[1]}${BASH_REMATCH[2]}${BASH_REMATCH[3]}" == "${BASH_REMATCH[4]}" ]] \
  || fail "date directory and timestamp disagree in $rel"
for p in "$rel" "$(dirname "$rel")" "$(dirname "$(dirname "$rel")")"; do
  owner=$(stat -c %u:%g "$store/$p")
  [[ $owner == "$APP_UID:$APP_GID" ]] || fail "$p is owned by $owner on the host, expected $APP_UID:$APP_GID"
done
jq -e --arg id "$id" --arg node "$NODE" \
  '.type == "deployment_started" and .node == $node and .correlation_id == "smoke-1" and (.id // $id) == $id' \
  "$store/$rel" >/dev/null || fail "file content does not match the event: $(cat "$store/$rel")"
ok "REST event $id stored on the host as $rel, owned by $APP_UID:$APP_GID"

# ---------------------------------------------------------------- MCP over Streamable HTTP
# The body of a Streamable HTTP answer is JSON, or SSE whose data: lines hold the JSON.
mcp_json() { if grep -q '^data:' "$1"; then sed -n 's/^data: \{0,1\}//p' "$1"; else cat "$1"; fi; }
mcp_post() { # out-prefix json [session] [protocol]
  local hdr=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream'
    -H "Authorization: Bearer $TOKEN")
  [[ -n "${3:-}" ]] && hdr+=(-H "Mcp-Session-Id: $3")
  [[ -n "${4:-}" ]] && hdr+=(-H "MCP-Protocol-Version: $4")
  curl -sS --max-time 15 -D "$1.h" -o "$1.b" -w '%{http_code}' "${hdr[@]}" -d "$2" "$base/mcp"
}
code=$(mcp_post "$work/init" '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"smoke.sh","version":"1"}}}') \
  || fail "MCP initialize: curl failed"
# The MCP face is part of the product: a 404 here is a failure like any other.
[[ $code == 200 ]] || fail "MCP initialize answered $code: $(cat "$work/init.b")"
session=$(sed -n 's/^[Mm][Cc][Pp]-[Ss]ession-[Ii][Dd]: *//p' "$work/init.h" | tr -d '\r')
[[ -n "$session" ]] || fail "MCP initialize gave no Mcp-Session-Id header"
proto=$(mcp_json "$work/init.b" | jq -r 'select(.id == 1) | .result.protocolVersion')
[[ -n "$proto" && $proto != null ]] || fail "MCP initialize result has no protocolVersion: $(cat "$work/init.b")"
code=$(mcp_post "$work/inited" '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$session" "$proto")
[[ $code == 202 || $code == 200 ]] || fail "MCP notifications/initialized answered $code"
code=$(mcp_post "$work/call" '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_events","arguments":{}}}' "$session" "$proto")
[[ $code == 200 ]] || fail "MCP tools/call list_events answered $code: $(cat "$work/call.b")"
result=$(mcp_json "$work/call.b" | jq -c 'select(.id == 2)')
jq -e '.result and (.result.isError | not)' <<<"$result" >/dev/null \
  || fail "MCP list_events failed: $result"
grep -q "$id" <<<"$result" || fail "MCP list_events does not list event $id: ${result:0:500}"
ok "MCP tools/call list_events over Streamable HTTP lists event $id (protocol $proto)"

# ---------------------------------------------------------------- SIGTERM while writing
# Keep emitting events while the container is stopped; every 201 must be a complete file.
(
  for i in $(seq 1 500); do
    r=$(post_event "$base" "stop-$i" 2>/dev/null) || break
    [[ ${r##*$'\n'} == 201 ]] && jq -r '.id' <<<"${r%$'\n'*}"
  done
) >"$work/acked" &
writer=$!
sleep 1
t0=$SECONDS
podman stop -t 30 "$CTR" >"$work/stop.log" 2>&1 || { cat "$work/stop.log" >&2; fail "podman stop failed"; }
stop_secs=$((SECONDS - t0))
wait "$writer"
exit_code=$(podman inspect -f '{{.State.ExitCode}}' "$CTR")
# The JVM exits 143 (128 + SIGTERM) after its shutdown hooks have run; 137 would mean SIGKILL.
[[ $exit_code == 143 || $exit_code == 0 ]] || fail "container exited with $exit_code after SIGTERM (expected 143 or 0)"
podman logs "$CTR" 2>&1 | grep -q 'stopped in' || fail "no Quarkus shutdown message in the log"
acked=$(wc -l <"$work/acked")
while IFS= read -r eid; do
  f=$(find "$store" -type f -name "*_${eid}.json" | head -1)
  [[ -n "$f" ]] || fail "acknowledged event $eid is missing after the stop"
  jq -e '.correlation_id | startswith("stop-")' "$f" >/dev/null || fail "event file $f is incomplete"
done <"$work/acked"
leftover=$(find "$store" -name '.*' | head -5)
[[ -z "$leftover" ]] || fail "temporary files left in the store: $leftover"
ok "SIGTERM stop in ${stop_secs}s, exit $exit_code, $acked events acknowledged during the stop all complete, no temporary file"
podman rm -v "$CTR" >/dev/null 2>&1

# ---------------------------------------------------------------- compose
if [[ "${SKIP_COMPOSE:-0}" == 1 ]]; then
  skip "compose check (SKIP_COMPOSE=1)"
else
  command -v podman-compose >/dev/null 2>&1 || fail "podman-compose is not installed (apt-get install -y podman-compose)"
  cport=$(free_port $((port + 1))) || fail "no free port"
  cport_b=$(free_port $((cport + 1))) || fail "no free port"
  export HOMELAB_IMAGE="$IMAGE" HOMELAB_NODE="$NODE" HOMELAB_EVENTS_TOKEN="$TOKEN" HOMELAB_HTTP_PORT="$cport" \
    HOMELAB_NATS_IMAGE="$NATS_IMAGE" HOMELAB_NODE_B="${NODE}-b" HOMELAB_HTTP_PORT_B="$cport_b"
  compose_up=1
  (cd "$DOCKER_DIR" && podman-compose -p "$PROJECT" -f "$COMPOSE_FILE" up -d --no-build) >"$work/compose.log" 2>&1 \
    || { tail -20 "$work/compose.log" >&2; fail "podman-compose up failed"; }
  cbase="http://127.0.0.1:$cport"
  wait_ready "$cbase/q/health/ready" "" || fail "compose service not ready within ${READY_TIMEOUT}s"
  resp=$(post_event "$cbase" "smoke-compose") || fail "compose: POST failed"
  [[ ${resp##*$'\n'} == 201 ]] || fail "compose: POST answered ${resp##*$'\n'}"
  cid=$(jq -r '.id' <<<"${resp%$'\n'*}")
  vol=$(podman volume inspect -f '{{.Mountpoint}}' "${PROJECT}_events") || fail "compose: no named volume ${PROJECT}_events"
  f=$(find "$vol" -type f -name "*_${cid}.json" | head -1)
  [[ -n "$f" && $(stat -c %u:%g "$f") == "$APP_UID:$APP_GID" ]] || fail "compose: event $cid not in the named volume with owner $APP_UID:$APP_GID"
  # the second node receives it through NATS, byte for byte, and the other way round
  cbase_b="http://127.0.0.1:$cport_b"
  wait_ready "$cbase_b/q/health/ready" "" || fail "compose: second node not ready within ${READY_TIMEOUT}s"
  deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fsS -o /dev/null --max-time 5 "$cbase_b/api/events/$cid" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "compose: event $cid did not reach the second node through NATS within ${READY_TIMEOUT}s: $(curl -sS --max-time 5 "$cbase_b/q/health/ready")"
    sleep 1
  done
  vol_b=$(podman volume inspect -f '{{.Mountpoint}}' "${PROJECT}_events_b") || fail "compose: no named volume ${PROJECT}_events_b"
  f_b=$(find "$vol_b" -type f -name "*_${cid}.json" | head -1)
  if [[ -z "$f_b" ]] || ! cmp -s "$f" "$f_b"; then
    fail "compose: event $cid on the second node differs from the first's file"
  fi
  resp=$(post_event "$cbase_b" "smoke-compose-b") || fail "compose: POST on the second node failed"
  [[ ${resp##*$'\n'} == 201 ]] || fail "compose: POST on the second node answered ${resp##*$'\n'}"
  cid_b=$(jq -r '.id' <<<"${resp%$'\n'*}")
  deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fsS -o /dev/null --max-time 5 "$cbase/api/events/$cid_b" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "compose: event $cid_b did not reach the first node through NATS within ${READY_TIMEOUT}s"
    sleep 1
  done
  grep -q '"nats"' <<<"$(curl -sS --max-time 5 "$cbase/q/health/ready")" || fail "compose: readiness has no nats check"
  (cd "$DOCKER_DIR" && podman-compose -p "$PROJECT" -f "$COMPOSE_FILE" down -v -t 30) >>"$work/compose.log" 2>&1 \
    || { tail -20 "$work/compose.log" >&2; fail "podman-compose down failed"; }
  podman network rm -f "${PROJECT}_default" >/dev/null 2>&1 # podman-compose 1.0.3 leaves it
  compose_up=0
  ok "compose: up on the named volume, event $cid stored, replicated both ways through NATS byte-exact, down -v"
fi

log "total $((SECONDS - start))s"
