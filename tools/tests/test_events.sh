#!/usr/bin/env bash
# Tests of scripts/lib/events.sh. Run: bash tools/tests/test_events.sh   (from anywhere)
# Needs bash >= 4.4, coreutils and python3 (to check stores and play the HTTP server); uses jq and
# strace when present and says so when a test is skipped. Works only in temporary directories.
# Last line: "N passed, N failed, N skipped"; exit status 1 when anything failed.

# Scripts given to `bash -c '...'` are single-quoted on purpose: the child shell expands them.
# shellcheck disable=SC2016

# Non-ASCII characters are written as UTF-8 bytes ($'\xe2\x80\xae'), never as $'\u202e': bash expands
# \u by the locale, and the suite must pass whatever the locale is (issue 13).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOLS=$(dirname "$HERE")
LIB=$TOOLS/scripts/lib/events.sh
VECTORS=$HERE/vectors.json
CHECK=$HERE/check_store.py
PASSED=0 FAILED=0 SKIPPED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hle-sh.XXXXXX")
SERVER_PID=""
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null
  mountpoint -q "$TMP/small" 2>/dev/null && umount "$TMP/small"
  rm -rf "$TMP"
}
trap cleanup EXIT
export HOME=$TMP/home XDG_DATA_HOME=$TMP/xdg NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
mkdir -p "$HOME"
unset HOMELAB_EVENTS_URL HOMELAB_EVENTS_TOKEN

CURRENT=""
pass() { PASSED=$((PASSED + 1)); }
fail() {
  FAILED=$((FAILED + 1))
  printf 'FAIL [%s] %s\n' "$CURRENT" "$*"
}
skip() {
  SKIPPED=$((SKIPPED + 1))
  printf 'SKIPPED [%s] %s\n' "$CURRENT" "$*"
}
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
  local what=$1
  shift
  if "$@"; then pass; else fail "$what"; fi
}
ok_if() { # [[ condition ]]; ok_if DESCRIPTION: passes when the previous command succeeded
  if (($? == 0)); then pass; else fail "$1"; fi
}
assert_eq() { # assert_eq DESCRIPTION EXPECTED ACTUAL
  if [[ $2 == "$3" ]]; then pass; else fail "$1: expected [$2], got [$3]"; fi
}

STORE_N=0
new_store() { # fresh store and default configuration in this shell
  STORE_N=$((STORE_N + 1))
  export HOMELAB_EVENTS_DIR=$TMP/store$STORE_N
  export HOMELAB_NODE=vectors-node HOMELAB_EVENTS_CUSTOM_TYPES=backup_completed
  unset HOMELAB_EVENTS_URL HOMELAB_EVENTS_TOKEN
}
count_files() { # all files under a directory, hidden ones included
  if [[ -d $1 ]]; then find "$1" -type f | wc -l; else echo 0; fi
}
store_ok() { # store_ok ROOT ARGS...: check_store.py must find no problem
  local out=""
  if ! out=$(python3 "$CHECK" "$@" 2>&1); then
    printf '%s\n' "$out" | head -20
    return 1
  fi
}

# shellcheck source=../scripts/lib/events.sh
source "$LIB"

# A PATH like this one but without jq, to run the pure-bash paths.
NOJQ=$TMP/nojq-bin
mkdir -p "$NOJQ"
IFS=: read -r -a _dirs <<<"$PATH"
for _d in "${_dirs[@]}"; do
  for _f in "$_d"/*; do
    _n=${_f##*/}
    [[ $_n == jq || -e $NOJQ/$_n || ! -x $_f ]] && continue
    ln -s "$_f" "$NOJQ/$_n"
  done
done
unset _d _f _n _dirs

# The vectors as bash arrays (python3 quotes every argument for bash).
python3 - "$VECTORS" >"$TMP/vectors.sh" <<'EOF'
import json, shlex, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
q = shlex.quote
for kind in ("valid", "invalid"):
    n = 0
    for i, vec in enumerate(v[kind]):
        if "bash" not in vec.get("writers", ["java", "bash", "python"]):
            continue
        ev = vec["event"]
        args = [ev["type"], ev["severity"], ev["source"], ev["service"], ev.get("correlation_id", "")]
        if "payload_text" in ev:
            args.append(ev["payload_text"])
        elif "payload_json" in ev:
            args.append(ev["payload_json"])  # the exact text (pretty-printed: the library must compact it)
        elif "payload" in ev:
            args.append(json.dumps(ev["payload"], ensure_ascii=False, indent=1))
        print("%s_args_%d=(%s)" % (kind, n, " ".join(q(a) for a in args)))
        print("%s_node[%d]=%s" % (kind, n, q(ev.get("node", v["default_node"]))))
        print("%s_name[%d]=%s" % (kind, n, q(vec["name"])))
        print("%s_index[%d]=%d" % (kind, n, i))
        if kind == "invalid":
            print("invalid_field[%d]=%s" % (n, q(vec["field"])))
        n += 1
    print("%s_count=%d" % (kind, n))
EOF
# filled in by the generated file
valid_count=0 invalid_count=0
declare -a valid_node=() valid_name=() valid_index=() invalid_node=() invalid_name=() invalid_field=()
# shellcheck disable=SC1091 # generated above
source "$TMP/vectors.sh"

# ---------------------------------------------------------------------------------------------
CURRENT="sourcing changes nothing"
# Captures the state a library could disturb: options, shopt, traps, functions, variables, IFS,
# umask, locale.
cat >"$TMP/state.sh" <<'EOF'
state() {
  set -o
  shopt
  trap -p
  declare -F
  compgen -v | grep -Ev '^(_|id|BASH_.*|FUNCNAME|LINENO|RANDOM|SRANDOM|SECONDS|EPOCH.*|PIPESTATUS|COLUMNS|LINES|OLDPWD|PWD|MAPFILE|REPLY)$'
  printf 'IFS=%q umask=%s LC_ALL=%s LANG=%s\n' "$IFS" "$(umask)" "${LC_ALL-unset}" "${LANG-unset}"
}
EOF
out=$(
  env -i PATH="$PATH" HOME="$HOME" TMP="$TMP" LIB="$LIB" HOMELAB_EVENTS_DIR="$TMP/store-clean" HOMELAB_NODE=pi4 \
    bash -c '
    set -euo pipefail
    shopt -s extglob nullglob
    IFS=,
    umask 027
    trap "echo trapped" USR1
    trap "echo err >&2" ERR
    source "$TMP/state.sh"
    state >"$TMP/before"
    source "$LIB"
    state >"$TMP/after"
    id=$(emit_event deployment_started info t.sh svc "" "{\"a\": 1}")
    list_events >/dev/null
    get_chain "$id" >/dev/null
    latest_remediation svc >/dev/null || true
    emit_event bogus info t.sh svc "" 2>/dev/null || true
    state >"$TMP/after-calls"
    echo "ok $id"
  ' 2>&1
)
[[ $out == "ok "* ]]
ok_if "library and calls run under set -euo pipefail: $out"
if diff <(grep -v '^declare -f ' "$TMP/before") <(grep -v '^declare -f ' "$TMP/after") >"$TMP/diff"; then pass; else
  fail "sourcing changed state: $(head -c 600 "$TMP/diff")"
fi
if diff "$TMP/after" "$TMP/after-calls" >"$TMP/diff"; then pass; else
  fail "calling the functions changed state: $(head -c 600 "$TMP/diff")"
fi
added=$(comm -13 <(grep '^declare -f ' "$TMP/before" | sort) <(grep '^declare -f ' "$TMP/after" | sort) |
  sed 's/^declare -f //' | grep -Ev '^(emit_event|list_events|get_chain|latest_remediation|record_remediation|_hle_[a-z0-9_]+)$')
assert_eq "only documented functions are defined" "" "$added"
# every _hle_ helper is documented in the header
while read -r f; do
  check "helper $f is documented in the header" grep -q "^#.*\\b$f\\b" "$LIB"
done < <(grep '^declare -f _hle_' "$TMP/after" | sed 's/^declare -f //')
if command -v dash >/dev/null 2>&1; then
  out=$(dash -c ". '$LIB'; echo rc=\$?" 2>&1)
  [[ $out == *"bash >= 4.4 is required"* ]]
  ok_if "sourcing from a non-bash shell refuses politely: $out"
fi

# ---------------------------------------------------------------------------------------------
CURRENT="hostile caller settings"
new_store
out=$(
  bash -c '
    set -euCf -o pipefail
    set -E
    shopt -s failglob nocasematch nocaseglob dotglob
    IFS=x
    umask 077
    export LC_ALL=C
    trap "echo ERR-TRAP-RAN >&2" ERR
    source "$1"
    emit_event service_unhealthy error "mon x*" "svc" "" "{ \"k\" : [1, 2] }"
  ' _ "$LIB" 2>&1
)
[[ $out =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
ok_if "emit works with set -euCf, -E, an ERR trap, odd shopts, IFS=x, umask 077: $out"
f=$(find "$HOMELAB_EVENTS_DIR" -type f -name "*_$out.json")
assert_eq "file mode is 0644 under umask 077" 644 "$(stat -c %a "$f" 2>/dev/null)"
assert_eq "node directory mode is 0755 under umask 077" 755 "$(stat -c %a "$(dirname "$f")" 2>/dev/null)"
assert_eq "date directory mode is 0755 under umask 077" 755 "$(stat -c %a "$(dirname "$(dirname "$f")")" 2>/dev/null)"
check "payload and source stored exactly" grep -qF '"source":"mon x*","service":"svc","correlation_id":"'"$out"'","payload":{"k":[1,2]}}' "$f"

out=$(
  bash -c '
    shopt -s expand_aliases
    alias ln="ln -s" rm="echo not-removing" sync=true
    function ln { echo hijacked-ln; }
    function sync { return 0; }
    source "$1"
    emit_event node_online info aliases all ""
  ' _ "$LIB" 2>&1
)
[[ $out =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
ok_if "the caller's aliases and functions named ln, rm, sync are not used: $out"
f=$(find "$HOMELAB_EVENTS_DIR" -name "*_$out.json")
[[ -f $f && ! -L $f && $(find "$HOMELAB_EVENTS_DIR" -name '.*' | wc -l) == 0 ]]
ok_if "a real file, not a symlink, and the temp file was removed"

# ---------------------------------------------------------------------------------------------
run_vectors() { # run_vectors LABEL: every bash vector through emit_event in this PATH
  local label=$1 i="" rc=0 out="" err="" lines=0 files=0
  new_store
  : >"$TMP/ids"
  for ((i = 0; i < valid_count; i++)); do
    local -n args="valid_args_$i"
    out=$(HOMELAB_NODE=${valid_node[i]} emit_event "${args[@]}" 2>"$TMP/err")
    rc=$?
    err=$(<"$TMP/err")
    if ((rc == 0)) && [[ $out =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ && -z $err ]]; then
      pass
      printf '%s %s\n' "${valid_index[i]}" "$out" >>"$TMP/ids"
    else
      fail "$label valid vector '${valid_name[i]}': rc=$rc out=$out err=$err"
    fi
    unset -n args
  done
  check "$label: stored valid vectors are the exact bytes of the vectors (check_store.py)" \
    store_ok "$HOMELAB_EVENTS_DIR" --no-temp --expect-count "$valid_count" --vectors "$VECTORS" --ids "$TMP/ids"
  lines=$(list_events --date all | wc -l)
  assert_eq "$label: list_events --date all shows each valid vector once" "$valid_count" "$lines"
  while read -r i out; do
    lines=$(list_events --date all | grep -c "id=$out ")
    [[ $lines == 1 ]] || fail "$label: id $out listed $lines times"
  done <"$TMP/ids"
  new_store
  for ((i = 0; i < invalid_count; i++)); do
    local -n args="invalid_args_$i"
    out=$(HOMELAB_NODE=${invalid_node[i]} emit_event "${args[@]}" 2>"$TMP/err")
    rc=$?
    lines=$(wc -l <"$TMP/err")
    err=$(<"$TMP/err")
    files=$(count_files "$HOMELAB_EVENTS_DIR")
    if ((rc == 2)) && [[ -z $out && $lines == 1 && $err == "emit_event: invalid ${invalid_field[i]} \""* && $files == 0 ]]; then
      pass
    else
      fail "$label invalid vector '${invalid_name[i]}' (field ${invalid_field[i]}): rc=$rc lines=$lines files=$files err=$err"
    fi
    if [[ $err == *$'\xe2\x80\xae'* || $err == *$'\r'* ]]; then
      fail "$label invalid vector '${invalid_name[i]}': raw control character in the message"
    fi
    unset -n args
  done
}

# Once, without jq: emit_event never uses jq, and the files it writes are canonical, which the readers
# parse in pure bash (jq only helps them with files in another form; see "readers" below).
CURRENT="vectors (no jq)"
PATH_SAVED=$PATH
PATH=$NOJQ
hash -r
if command -v jq >/dev/null 2>&1; then fail "jq still found in the no-jq PATH"; fi
run_vectors "without jq"
PATH=$PATH_SAVED
hash -r

# ---------------------------------------------------------------------------------------------
CURRENT="usage and configuration errors"
new_store
for call in "emit_event deployment_started info s" "emit_event a b c d e f g" \
  "list_events --bogus" "list_events --date" "list_events --date ../x" "get_chain" "latest_remediation"; do
  # shellcheck disable=SC2086 # the words are the arguments
  out=$($call 2>"$TMP/err")
  rc=$?
  [[ $rc == 2 && -z $out && $(wc -l <"$TMP/err") == 1 ]]
  ok_if "$call: rc 2, one line on stderr, nothing on stdout (rc=$rc)"
done
out=$(HOMELAB_EVENTS_DIR=relative/store emit_event node_online info s all "" 2>&1)
[[ $out == "emit_event: invalid HOMELAB_EVENTS_DIR "* ]]
ok_if "relative HOMELAB_EVENTS_DIR is refused: $out"
out=$(HOMELAB_EVENTS_CUSTOM_TYPES="ok_type, Bad" emit_event node_online info s all "" 2>&1)
[[ $out == "emit_event: invalid HOMELAB_EVENTS_CUSTOM_TYPES \"Bad\""* ]]
ok_if "bad custom type is named: $out"
out=$(HOMELAB_EVENTS_CUSTOM_TYPES=" ok_type , other_type," emit_event other_type info s all "" 2>&1)
[[ $out =~ ^[0-9a-f-]{36}$ ]]
ok_if "custom types are trimmed: $out"
out=$(emit_event node_online info s all "" $'{"a":"\xff"}' 2>&1)
[[ $out == "emit_event: invalid payload "*"not valid UTF-8"* ]]
ok_if "invalid UTF-8 in the payload is refused: $out"
out=$(emit_event node_online info $'s\xff' all "" 2>&1)
[[ $out == "emit_event: invalid source "*"(not valid UTF-8)"* ]]
ok_if "invalid UTF-8 in source is refused: $out"
out=$(emit_event node_online info s all "" "   " 2>&1)
[[ $out =~ ^[0-9a-f-]{36}$ ]]
ok_if "blank payload means {}: $out"
check "blank payload stored as {}" grep -q '"payload":{}}$' "$(find "$HOMELAB_EVENTS_DIR" -name "*_$out.json")"
big=$(printf '{"d":"%s"}' "$(head -c 70000 /dev/zero | tr '\0' x)")
out=$(emit_event node_online info s all "" "$big" 2>&1)
[[ $out == "emit_event: invalid payload "*"70008 bytes"* && ${#out} -lt 400 ]]
ok_if "message for a huge payload is one short line"
mkdir -p "$TMP/outside"
new_store
mkdir -p "$HOMELAB_EVENTS_DIR"
ln -s "$TMP/outside" "$HOMELAB_EVENTS_DIR/$(date -u +%F)"
out=$(emit_event node_online info s all "" 2>&1)
[[ $out == *"symbolic link"* ]]
ok_if "a symlinked date directory is refused: $out"
assert_eq "nothing written through the symlink" 0 "$(count_files "$TMP/outside")"

# ---------------------------------------------------------------------------------------------
CURRENT="default store root"
if [[ -e /opt/homelab/events ]]; then
  skip "/opt/homelab/events exists here, so it is the default; the XDG fallback is not exercised"
elif ((EUID == 0)) && command -v setpriv >/dev/null 2>&1; then
  # as root /opt is writable: run as nobody, so the real rule runs without touching /opt
  chmod 755 "$TMP"
  mkdir -p "$TMP/nobody-home" "$TMP/nobody-xdg"
  chown 65534:65534 "$TMP/nobody-home" "$TMP/nobody-xdg"
  cp "$LIB" "$TMP/events-copy.sh"
  chmod 644 "$TMP/events-copy.sh"
  out=$(env -u HOMELAB_EVENTS_DIR HOME="$TMP/nobody-home" XDG_DATA_HOME="$TMP/nobody-xdg" \
    setpriv --reuid=65534 --regid=65534 --clear-groups bash -c 'source "$1"; emit_event node_online info s all ""' _ "$TMP/events-copy.sh" 2>&1)
  [[ -n $(find "$TMP/nobody-xdg/homelab/events" -name "*_$out.json" 2>/dev/null) ]]
  ok_if "XDG_DATA_HOME store used when /opt is not writable: $out"
  out=$(env -u HOMELAB_EVENTS_DIR -u XDG_DATA_HOME HOME="$TMP/nobody-home" \
    setpriv --reuid=65534 --regid=65534 --clear-groups bash -c 'source "$1"; emit_event node_online info s all ""' _ "$TMP/events-copy.sh" 2>&1)
  [[ -n $(find "$TMP/nobody-home/.local/share/homelab/events" -name "*_$out.json" 2>/dev/null) ]]
  ok_if "\$HOME/.local/share store used without XDG_DATA_HOME: $out"
  [[ ! -e /opt/homelab/events ]]
  ok_if "/opt/homelab/events was not created"
elif ((EUID != 0)); then
  out=$(env -u HOMELAB_EVENTS_DIR bash -c 'source "$1"; emit_event node_online info s all ""' _ "$LIB" 2>&1)
  if [[ -w /opt || -w /opt/homelab ]]; then
    skip "/opt is writable by this user; the XDG fallback is not exercised"
  else
    [[ -n $(find "$XDG_DATA_HOME/homelab/events" -name "*_$out.json" 2>/dev/null) ]]
    ok_if "XDG_DATA_HOME store used when /opt is not writable: $out"
  fi
else
  skip "running as root without setpriv: cannot exercise the non-root default"
fi

# ---------------------------------------------------------------------------------------------
CURRENT="readers"
new_store
id1=$(HOMELAB_NODE=pi5 emit_event deployment_failed error deploy.sh mosquitto deploy-882 '{"stage":"verify","error":"port 1883 not bound\nretry"}')
id0=$(HOMELAB_NODE=pi4 emit_event deployment_started info deploy.sh mosquitto deploy-882 '{"version":"1.0"}')
id2=$(HOMELAB_NODE=pi4 emit_event remediation_started warning diagnostics.sh mosquitto deploy-882 $'{"rtl":"\xe2\x80\xaeevil","tab":"a\\tb"}')
id3=$(HOMELAB_NODE=pi4 emit_event service_recovered info healthcheck.sh mosquitto deploy-882)
id4=$(HOMELAB_NODE=pi5 emit_event remediation_started warning diag.sh ollama other)
out=$(list_events)
assert_eq "list_events (today) shows five lines" 5 "$(printf '%s\n' "$out" | wc -l)"
assert_eq "oldest first" "$id1 $id0 $id2 $id3 $id4" "$(printf '%s\n' "$out" | sed -E 's/.* id=([0-9a-f-]{36}) payload=.*/\1/' | tr '\n' ' ' | sed 's/ $//')"
first=$(head -1 <<<"$out")
[[ ${first:0:27} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$ ]]
ok_if "line starts with the timestamp: $first"
assert_eq "line format" " pi5 error deployment_failed service=mosquitto source=deploy.sh cid=deploy-882 id=$id1 payload={\"stage\":\"verify\",\"error\":\"port 1883 not bound\\nretry\"}" "${first:27}"
check "bidi control shown escaped" grep -qF '"rtl":"\u202eevil"' <<<"$out"
assert_eq "--node" "$id1 $id4" "$(list_events --node pi5 | grep -oE 'id=[0-9a-f-]{36}' | cut -c4- | tr '\n' ' ' | sed 's/ $//')"
assert_eq "--type" "$id2 $id4" "$(list_events --type remediation_started | grep -oE 'id=[0-9a-f-]{36}' | cut -c4- | tr '\n' ' ' | sed 's/ $//')"
assert_eq "--service" "$id4" "$(list_events --service ollama | grep -oE 'id=[0-9a-f-]{36}' | cut -c4-)"
assert_eq "--severity" "$id1" "$(list_events --severity error | grep -oE 'id=[0-9a-f-]{36}' | cut -c4-)"
assert_eq "--cid" 4 "$(list_events --cid deploy-882 | wc -l)"
assert_eq "combined filters" "$id2" "$(list_events --date "$(date -u +%F)" --node pi4 --type remediation_started --service mosquitto --cid deploy-882 | grep -oE 'id=[0-9a-f-]{36}' | cut -c4-)"
assert_eq "another date is empty" "" "$(list_events --date 2001-01-01)"
assert_eq "get_chain" 4 "$(get_chain deploy-882 | wc -l)"
assert_eq "get_chain unknown id" "" "$(get_chain nope)"
out=$(latest_remediation mosquitto)
[[ $(head -1 <<<"$out") == *" remediation_started "*"id=$id2 "* ]]
ok_if "latest_remediation names the start: $out"
assert_eq "latest_remediation: not completed" "completed: no" "$(tail -1 <<<"$out")"
HOMELAB_NODE=pi4 emit_event remediation_completed info diagnostics.sh mosquitto unrelated >/dev/null
assert_eq "a completion with another correlation id does not count" "completed: no" "$(latest_remediation mosquitto | tail -1)"
id5=$(HOMELAB_NODE=pi4 emit_event remediation_completed info diagnostics.sh mosquitto deploy-882)
[[ $(latest_remediation mosquitto | tail -1) == "completed: "*"id=$id5 "* ]]
ok_if "latest_remediation: completed"
latest_remediation redis >/dev/null
assert_eq "latest_remediation without any: rc 1" 1 "$?"

# ---------------------------------------------------------------------------------------------
CURRENT="remediation pairing vectors"
# tests/vectors.json "remediation_pairing": the server's pairing rule, case by case, in one store;
# run without jq: the files are canonical, so pairing is pure bash
PAIR_ROOT=$TMP/pairing
python3 - "$VECTORS" "$PAIR_ROOT" >"$TMP/pairing.tsv" <<'EOF2'
import json, os, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
for case in v["remediation_pairing"]:
    for event in case["events"]:
        path = os.path.join(sys.argv[2], event["path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(event["file"])
    latest = case["latest"]
    print("\t".join([case["service"], latest["started"], latest["completed"] or "no", case["name"]]))
EOF2
pairing_cases=0
while IFS=$'\t' read -r svc started completed name; do
  pairing_cases=$((pairing_cases + 1))
  out=$(HOMELAB_EVENTS_DIR=$PAIR_ROOT PATH=$NOJQ latest_remediation "$svc")
  if [[ $completed == no ]]; then
    want="completed: no"
  else
    want="completed: *id=$completed *"
  fi
  # shellcheck disable=SC2053 # $want is a pattern
  if [[ $(head -1 <<<"$out") == *" remediation_started "*" id=$started "* && $(tail -1 <<<"$out") == $want ]]; then
    pass
  else
    fail "$name: expected start $started and completion $completed, got: $out"
  fi
done <"$TMP/pairing.tsv"
((pairing_cases >= 20))
ok_if "the pairing vectors were run ($pairing_cases)"

# events in other dates and on other nodes, written by Python, hostile strings included
PYTHONPATH=$TOOLS HOMELAB_NODE=pi9 python3 -c '
from scripts.lib.events import emit_event
emit_event("deployment_completed", "info", "py \"q\"", "mosquitto", "deploy-882",
           {"nl": "a\nb\r\u0001\u0085\u2066", "e": "\U0001F600"}, timestamp="2025-01-01T00:00:00Z")
emit_event("deployment_started", "info", "py", "mosquitto", "deploy-882", {}, timestamp="2024-06-01T12:00:00+02:00")
'
out=$(get_chain deploy-882)
assert_eq "get_chain spans dates and nodes" 7 "$(wc -l <<<"$out")"
[[ $(head -1 <<<"$out") == "2024-06-01T10:00:00.000000Z pi9 "* ]]
ok_if "chain starts with the oldest date"
check "hostile payload stays on one escaped line" grep -qF '"nl":"a\nb\r\u0001\u0085\u2066","e":"😀"' <<<"$out"
check "escaped quote in source" grep -qF 'source=py \"q\" ' <<<"$out"
assert_eq "list_events --date all" 9 "$(list_events --date all | wc -l)"

# corrupt, foreign and hostile files are skipped; nothing changes
day=$(date -u +%F)
good=$(find "$HOMELAB_EVENTS_DIR/$day/pi4" -name "*_$id0.json")
line=$(<"$good")
d=$HOMELAB_EVENTS_DIR/$day/pi4
nm() { printf '%s/%s_deployment_started_%s.json' "$d" "$(date -u +%Y%m%dT%H%M%S.%6NZ)" "$(cat /proc/sys/kernel/random/uuid)"; }
: >"$(nm)"
printf '%s' "${line:0:50}" >"$(nm)"
printf '{not json}\n' >"$(nm)"
printf '[1,2]\n' >"$(nm)"
printf '%s\n' "${line/deploy-882/deploy-882$'\xff'}" >"$(nm)"
printf '%s\n\0junk' "$line" >"$(nm)"
{ printf '%s' "${line%\}\}}"; printf ',"pad":"'; head -c 1100000 /dev/zero | tr '\0' x; printf '"}}\n'; } >"$(nm)"
printf '%s\n' "$line" >"$d/.$(basename "$(nm)").tmp"
printf '%s\n' "$line" >"$d/notes.txt"
printf '%s\n' "${line/\"node\":\"pi4\"/\"node\":\"..\/x\"}" >"$(nm)"
printf '%s\n' "${line/\"info\"/\"INFO\"}" >"$(nm)"
printf '%s\n' "${line/\"deploy.sh\"/\"  \"}" >"$(nm)"
printf '%s\n' "${line/\"version\":\"1.0\"/\"v\":NaN}" >"$(nm)"
printf '%s\n' "${line/\"version\":\"1.0\"/\"v\":01}" >"$(nm)"
printf '{"timestamp":"yesterday"%s\n' "${line#*Z\"}" >"$(nm)"
mkdir "$d/dir.json"
mkfifo "$(nm)"
printf '%s\n' "${line/deploy-882/sym}" >"$TMP/outside.json"
ln -s "$TMP/outside.json" "$(nm)"
mkdir -p "$HOMELAB_EVENTS_DIR/$day/bad_node" "$HOMELAB_EVENTS_DIR/$day/.hidden" "$HOMELAB_EVENTS_DIR/not-a-date/pi4"
printf '%s\n' "${line/deploy-882/hidden}" >"$HOMELAB_EVENTS_DIR/$day/bad_node/x.json"
printf '%s\n' "${line/deploy-882/hidden}" >"$HOMELAB_EVENTS_DIR/$day/.hidden/x.json"
printf '%s\n' "${line/deploy-882/hidden}" >"$HOMELAB_EVENTS_DIR/not-a-date/pi4/x.json"
ln -s "$HOMELAB_EVENTS_DIR/$day" "$HOMELAB_EVENTS_DIR/2001-01-01"
snap() { find "$HOMELAB_EVENTS_DIR" -printf '%P %y %m %s %T@\n' | sort; find "$HOMELAB_EVENTS_DIR" -type f -exec md5sum {} + | sort; }
before=$(snap)
out=$(timeout 60 bash -c 'source "$1"; list_events' _ "$LIB")
assert_eq "readers skip corrupt, foreign, temp, symlinked and oversized files" 7 "$(wc -l <<<"$out")"
assert_eq "symlinked date directory is not followed" "" "$(list_events --date 2001-01-01)"
assert_eq "readers changed nothing" "$before" "$(snap)"
assert_eq "hidden events are not found" "" "$(get_chain hidden; get_chain sym)"
# foreign but valid: other order, offset, extra and id fields, missing correlation id and payload
if command -v jq >/dev/null 2>&1; then
  fid=0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11
  mkdir -p "$HOMELAB_EVENTS_DIR/2020-01-01/pi7"
  printf '{\n "payload": {"x": 1}, "id": "%s", "extra": [1],\n "service": "svc", "source": "sync", "severity": "warning",\n "type": "custom_thing", "node": "pi7", "timestamp": "2020-01-01T01:00:00+01:00", "correlation_id": "imp"}\n' \
    "${fid^^}" >"$HOMELAB_EVENTS_DIR/2020-01-01/pi7/imported.json"
  printf '{"timestamp":"2020-01-01T00:00:00Z","node":"pi7","type":"node_online","severity":"info","source":"s","service":"all"}\n' \
    >"$HOMELAB_EVENTS_DIR/2020-01-01/pi7/bare.json"
  out=$(list_events --date 2020-01-01)
  want_bare=$(python3 -c 'import hashlib, uuid
d = bytearray(hashlib.md5(b"2020-01-01/pi7/bare.json").digest()); d[6] = d[6] & 0x0F | 0x30; d[8] = d[8] & 0x3F | 0x80
print(uuid.UUID(bytes=bytes(d)))')
  l_bare="2020-01-01T00:00:00.000000Z pi7 info node_online service=all source=s cid=$want_bare id=$want_bare payload={}"
  l_imp="2020-01-01T00:00:00.000000Z pi7 warning custom_thing service=svc source=sync cid=imp id=$fid payload={\"x\":1}"
  if [[ $want_bare < $fid ]]; then want="$l_bare"$'\n'"$l_imp"; else want="$l_imp"$'\n'"$l_bare"; fi
  assert_eq "foreign files: ordered by time, node, id; id from the id field or Java's name-based UUID" "$want" "$out"
else
  skip "jq is not installed: foreign (non-canonical) files are not read without it"
fi

# ---------------------------------------------------------------------------------------------
CURRENT="concurrency"
new_store
for w in 1 2 3 4; do
  (for i in $(seq 1 40); do emit_event deployment_started info "w$w" svc "c$w" "{\"i\":$i}" || echo FAILED; done >"$TMP/conc$w") &
done
wait
assert_eq "no emit failed" 0 "$(cat "$TMP"/conc? | grep -vcE '^[0-9a-f-]{36}$')"
assert_eq "160 distinct ids" 160 "$(sort -u "$TMP"/conc? | wc -l)"
check "160 files, each a complete event, no temp file left" store_ok "$HOMELAB_EVENTS_DIR" --no-temp --expect-count 160
assert_eq "each id has its file" 160 "$(sort -u "$TMP"/conc? | while read -r i; do ls "$HOMELAB_EVENTS_DIR"/*/*/*"_$i.json"; done | wc -l)"

# ---------------------------------------------------------------------------------------------
CURRENT="crash (SIGKILL at random points)"
new_store
: >"$TMP/acked"
for _ in $(seq 1 12); do
  setsid bash -c 'source "$1"; while :; do emit_event deployment_started info crash svc c "{\"pad\":\"$2\"}" >>"$3" || exit 1; done' \
    _ "$LIB" "$(head -c 3000 /dev/zero | tr '\0' p)" "$TMP/acked" &
  pid=$!
  sleep "0.$((RANDOM % 5 + 1))$((RANDOM % 10))"
  kill -KILL -- "-$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
done
n=$(find "$HOMELAB_EVENTS_DIR" -type f ! -name '.*' | wc -l)
[[ $n -gt 0 ]]
ok_if "some events were written ($n)"
check "every final-named file is a complete event (temp files may remain)" store_ok "$HOMELAB_EVENTS_DIR"
missing=0
while read -r i; do
  [[ $i =~ ^[0-9a-f-]{36}$ ]] || continue
  compgen -G "$HOMELAB_EVENTS_DIR/*/*/*_$i.json" >/dev/null || missing=$((missing + 1))
done <"$TMP/acked"
assert_eq "every acknowledged id is on disk" 0 "$missing"
[[ $(list_events | wc -l) == "$n" ]]
ok_if "readers still work after crashes"

# ---------------------------------------------------------------------------------------------
CURRENT="fsync failure injection"
if ! command -v strace >/dev/null 2>&1; then
  skip "strace is not installed (apt-get install strace): fsync fault injection not run"
elif ! strace -f -qq -o /dev/null true 2>/dev/null; then
  skip "strace cannot trace here (ptrace not permitted): fsync fault injection not run"
else
  emit_traced() { # emit_traced STRACE-ARGS...: emit under strace; sets rc, out, err
    out=$(strace -f -qq -o /dev/null -e trace=fsync "$@" bash -c 'source "$1"; emit_event deployment_failed error t svc c "{\"a\":1}"' _ "$LIB" 2>"$TMP/err")
    rc=$?
    err=$(<"$TMP/err")
  }
  new_store
  emit_traced -e inject=fsync:error=EIO
  [[ $rc == 1 && -z $out && $err == "emit_event: event not stored: "*"Input/output error"* ]]
  ok_if "new directories: fsync failure reported (rc=$rc): $err"
  assert_eq "no file left (new directories)" 0 "$(find "$HOMELAB_EVENTS_DIR" -type f | wc -l)"
  dnode=$HOMELAB_EVENTS_DIR/$(date -u +%F)/vectors-node
  mkdir -p "$dnode"
  emit_traced -e inject=fsync:error=EIO
  [[ $rc == 1 && -z $out && $err == *"fsync failed"*"Input/output error"* ]]
  ok_if "file fsync failure reported (rc=$rc): $err"
  assert_eq "no final and no temp file (file fsync)" 0 "$(count_files "$HOMELAB_EVENTS_DIR")"
  emit_traced -P "$dnode" -e inject=fsync:error=EIO
  [[ $rc == 1 && -z $out && $err == *"fsync of $dnode failed"* ]]
  ok_if "directory fsync failure reported (rc=$rc): $err"
  assert_eq "no final and no temp file (directory fsync)" 0 "$(count_files "$HOMELAB_EVENTS_DIR")"
  emit_traced
  [[ $rc == 0 && $out =~ ^[0-9a-f-]{36}$ ]]
  ok_if "the same call succeeds without injection (rc=$rc)"
fi

# ---------------------------------------------------------------------------------------------
CURRENT="disk full, out of inodes, read-only, permission denied"
small=$TMP/small
mkdir -p "$small"
if ((EUID != 0)); then
  skip "not root: cannot mount a small tmpfs for the disk-full and read-only cases"
elif ! mount -t tmpfs -o size=256k,nr_inodes=400 tmpfs "$small" 2>/dev/null; then
  skip "cannot mount a tmpfs here: disk-full and read-only cases not run"
else
  new_store
  export HOMELAB_EVENTS_DIR=$small/store
  first=$(emit_event node_online info s all "" '{"n":1}')
  [[ $first =~ ^[0-9a-f-]{36}$ ]]
  ok_if "a first event fits"
  head -c 1M /dev/zero >"$small/filler" 2>/dev/null
  out=$(emit_event node_online info s all "" "{\"pad\":\"$(head -c 5000 /dev/zero | tr '\0' p)\"}" 2>"$TMP/err")
  rc=$?
  [[ $rc == 1 && -z $out && $(wc -l <"$TMP/err") == 1 && $(<"$TMP/err") == "emit_event: event not stored: "* ]]
  ok_if "disk full: rc 1 and one clear line (rc=$rc: $(<"$TMP/err"))"
  assert_eq "disk full: no new file, no temp file" 1 "$(find "$HOMELAB_EVENTS_DIR" -type f | wc -l)"
  assert_eq "disk full: reads keep working" 1 "$(list_events | wc -l)"
  rm -f "$small/filler"
  out=$(emit_event node_online info s all "" '{"n":2}')
  [[ $out =~ ^[0-9a-f-]{36}$ ]]
  ok_if "disk full: recovers once space is back, no restart"
  n=0
  while touch "$small/inode$n" 2>/dev/null; do n=$((n + 1)); done
  out=$(emit_event node_online info s all "" 2>"$TMP/err")
  rc=$?
  [[ $rc == 1 && -z $out && $(wc -l <"$TMP/err") == 1 ]]
  ok_if "out of inodes: rc 1 and one line (rc=$rc: $(<"$TMP/err"))"
  assert_eq "out of inodes: no new file" 2 "$(find "$HOMELAB_EVENTS_DIR" -type f | wc -l)"
  rm -f "$small"/inode*
  mount -o remount,ro "$small"
  out=$(emit_event node_online info s all "" 2>"$TMP/err")
  rc=$?
  [[ $rc == 1 && -z $out && $(wc -l <"$TMP/err") == 1 && $(<"$TMP/err") == *"read-only"* ]]
  ok_if "read-only store: rc 1 and a line that says so (rc=$rc: $(<"$TMP/err"))"
  assert_eq "read-only store: reads keep working" 2 "$(list_events | wc -l)"
  mount -o remount,rw "$small"
  out=$(emit_event node_online info s all "")
  [[ $out =~ ^[0-9a-f-]{36}$ ]]
  ok_if "read-only store: recovers once writable, no restart"
  check "faults left only complete events and no temp file" store_ok "$HOMELAB_EVENTS_DIR" --no-temp --expect-count 3
  umount "$small"
fi
if ((EUID == 0)) && command -v setpriv >/dev/null 2>&1; then
  new_store
  mkdir -p "$HOMELAB_EVENTS_DIR"
  chmod 755 "$TMP" "$HOMELAB_EVENTS_DIR"
  cp "$LIB" "$TMP/events-copy.sh"
  chmod 644 "$TMP/events-copy.sh"
  out=$(setpriv --reuid=65534 --regid=65534 --clear-groups bash -c 'source "$1"; emit_event node_online info s all ""' _ "$TMP/events-copy.sh" 2>"$TMP/err")
  rc=$?
  [[ $rc == 1 && -z $out && $(wc -l <"$TMP/err") == 1 && $(<"$TMP/err") == *"Permission denied"* ]]
  ok_if "permission denied: rc 1 and one line that says so (rc=$rc: $(<"$TMP/err"))"
  assert_eq "permission denied: nothing written" 0 "$(count_files "$HOMELAB_EVENTS_DIR")"
fi

# ---------------------------------------------------------------------------------------------
CURRENT="server mode"
new_store
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
out=$(HOMELAB_EVENTS_URL=http://127.0.0.1:$port emit_event node_online info s all "" '{"k":1}' 2>"$TMP/err")
rc=$?
[[ $rc == 0 && $out =~ ^[0-9a-f-]{36}$ ]]
ok_if "closed port: falls back to the local store (rc=$rc, $(<"$TMP/err"))"
[[ $(wc -l <"$TMP/err") == 1 && $(<"$TMP/err") == *"writing the event to the local store"* ]]
ok_if "fallback is reported on one stderr line"
check "fallback event is on disk" store_ok "$HOMELAB_EVENTS_DIR" --no-temp --expect-count 1

cat >"$TMP/server.py" <<'EOF'
import http.server, json, sys, uuid
log = open(sys.argv[2], "a")
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        event = json.loads(body)
        log.write(json.dumps({"path": self.path, "auth": self.headers.get("Authorization"),
                              "ctype": self.headers.get("Content-Type"), "body": event}) + "\n")
        log.flush()
        mode = event["source"]
        if self.headers.get("Authorization") != "Bearer t0k\"en":
            status, answer = 401, {"title": "Unauthorized", "status": 401}
        elif mode == "bad":
            status, answer = 400, {"title": "Invalid input", "status": 400, "detail": "service: is not allowed",
                                   "errors": [{"field": "service", "value": "x", "message": "no"}]}
        elif mode == "down":
            status, answer = 503, {"title": "Store unavailable", "status": 503}
        else:
            event_id = str(uuid.uuid4())
            status, answer = 201, dict(event, id=event_id, correlation_id=event.get("correlation_id", event_id))
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.timeout = 1
import time
deadline = time.time() + 120
while time.time() < deadline:
    srv.handle_request()
EOF
if ! command -v curl >/dev/null 2>&1; then
  skip "curl is not installed: server mode is not exercised (events go to the local store)"
else
  coproc SRV { exec python3 "$TMP/server.py" 0 "$TMP/requests.log"; } # exec: SRV_PID is the server itself
  SERVER_PID=$SRV_PID
  read -r -t 10 sport <&"${SRV[0]}"
  new_store
  export HOMELAB_EVENTS_URL=http://127.0.0.1:$sport HOMELAB_EVENTS_TOKEN='t0k"en'
  out=$(emit_event deployment_started info ok mosquitto "" $'{"a": "\xc3\xa9\\n"}' 2>"$TMP/err")
  rc=$?
  [[ $rc == 0 && $out =~ ^[0-9a-f-]{36}$ && ! -s $TMP/err ]]
  ok_if "201: prints the server's id (rc=$rc, $(<"$TMP/err"))"
  assert_eq "201: nothing written locally" 0 "$(count_files "$HOMELAB_EVENTS_DIR")"
  req=$(tail -1 "$TMP/requests.log")
  check "request: path, token, content type, body without correlation_id: $req" python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert r["path"] == "/api/events", r
assert r["auth"] == "Bearer t0k\"en", r
assert r["ctype"] == "application/json", r
b = r["body"]
assert list(b) == ["id", "timestamp", "node", "type", "severity", "source", "service", "payload"], list(b)
assert b["payload"] == {"a": "\u00e9\n"} and b["node"] == "vectors-node" and b["service"] == "mosquitto", b
' "$req"
  emit_event deployment_started info ok mosquitto given >/dev/null
  check "correlation_id sent when given" grep -q '"correlation_id": "given"' <(tail -1 "$TMP/requests.log")
  if command -v strace >/dev/null 2>&1 && strace -f -qq -o /dev/null true 2>/dev/null; then
    strace -f -qq -s 4096 -e trace=execve -o "$TMP/exec.log" bash -c 'source "$1"; emit_event deployment_started info ok svc ""' _ "$LIB" >/dev/null 2>&1
    check "curl was run" grep -q 'execve("[^"]*curl"' "$TMP/exec.log"
    assert_eq "the token is on no command line" 0 "$(grep -c 't0k' "$TMP/exec.log")"
  else
    skip "strace unavailable: not checking that the token stays off command lines"
  fi
  out=$(emit_event deployment_started info bad mosquitto "" 2>"$TMP/err")
  rc=$?
  [[ $rc == 2 && -z $out && $(wc -l <"$TMP/err") == 1 && $(<"$TMP/err") == *"HTTP 400"*"service: is not allowed"* ]]
  ok_if "4xx: reported on one line, rc 2 ($(<"$TMP/err"))"
  assert_eq "4xx: nothing written locally" 0 "$(count_files "$HOMELAB_EVENTS_DIR")"
  out=$(HOMELAB_EVENTS_TOKEN=wrong emit_event deployment_started info ok mosquitto "" 2>"$TMP/err")
  rc=$?
  [[ $rc == 2 && $(<"$TMP/err") == *"HTTP 401"* && $(count_files "$HOMELAB_EVENTS_DIR") == 0 ]]
  ok_if "401: refused, not written locally ($(<"$TMP/err"))"
  out=$(emit_event deployment_started info down mosquitto "" 2>"$TMP/err")
  rc=$?
  [[ $rc == 0 && $out =~ ^[0-9a-f-]{36}$ ]]
  ok_if "5xx: falls back to the local store (rc=$rc)"
  check "5xx fallback event is on disk" store_ok "$HOMELAB_EVENTS_DIR" --no-temp --expect-count 1
  unset HOMELAB_EVENTS_URL HOMELAB_EVENTS_TOKEN
  kill "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
fi

NOCURL=$TMP/nocurl-bin
mkdir -p "$NOCURL"
for f in "$NOJQ"/*; do
  [[ ${f##*/} == curl ]] || ln -s "$(readlink "$f")" "$NOCURL/${f##*/}"
done
new_store
out=$(PATH=$NOCURL HOMELAB_EVENTS_URL=http://127.0.0.1:9 emit_event node_online info s all "" 2>"$TMP/err")
rc=$?
[[ $rc == 0 && $out =~ ^[0-9a-f-]{36}$ && $(<"$TMP/err") == *"curl is not installed"* ]]
ok_if "without curl, server mode writes locally and says why (rc=$rc: $(<"$TMP/err"))"
check "the event is in the local store" store_ok "$HOMELAB_EVENTS_DIR" --no-temp --expect-count 1

# ---------------------------------------------------------------------------------------------
CURRENT="values kept exactly (issue 13)"
new_store
for path in "$PATH" "$NOJQ"; do
  out=$(PATH=$path HOMELAB_NODE=PI4 emit_event deployment_started info s exact "" '{"ten": 1.10, "e": 1E2, "z": -0, "huge": 1e400}')
  ok_if "emit_event with awkward numbers (PATH ${path##*/})"
done
day=$(date -u +%F)
[[ -d $HOMELAB_EVENTS_DIR/$day/pi4 && ! -e $HOMELAB_EVENTS_DIR/$day/PI4 ]]
ok_if "the node is stored in lower case"
files=("$HOMELAB_EVENTS_DIR/$day/pi4/"*.json)
line=$(<"${files[0]}")
[[ $line == *'"node":"pi4",'*'"payload":{"ten":1.10,"e":1E2,"z":-0,"huge":1e400}}' ]]
ok_if "numbers are stored exactly as written: $line"
# hand-written files: a node in capitals is read in lower case; a lone surrogate or a repeated key
# makes a file unreadable (the Java reader reports it), so the readers skip it
mkdir -p "$HOMELAB_EVENTS_DIR/2026-11-26/PI5"
good='{"timestamp":"2026-11-26T10:00:00.000000Z","node":"PI5","type":"node_online","severity":"info","source":"s","service":"hand","correlation_id":"h1","payload":{"n":1.10}}'
printf '%s\n' "$good" >"$HOMELAB_EVENTS_DIR/2026-11-26/PI5/20261126T100000.000000Z_node_online_0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11.json"
printf '%s\n' "${good/'"n":1.10'/'"s":"x\ud800"'}" >"$HOMELAB_EVENTS_DIR/2026-11-26/PI5/20261126T100000.000000Z_node_online_1b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11.json"
printf '%s\n' "${good/'"s","service"'/'"s\udc00","service"'}" >"$HOMELAB_EVENTS_DIR/2026-11-26/PI5/20261126T100000.000000Z_node_online_2b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11.json"
printf '%s\n' "${good/'"n":1.10'/'"n":1,"n":2'}" >"$HOMELAB_EVENTS_DIR/2026-11-26/PI5/20261126T100000.000000Z_node_online_3b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11.json"
for path in "$PATH" "$NOJQ"; do
  out=$(PATH=$path list_events --date 2026-11-26 --node Pi5)
  [[ $out == "2026-11-26T10:00:00.000000Z pi5 info node_online service=hand source=s cid=h1 id=0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11 payload={\"n\":1.10}" ]]
  ok_if "readers: the capital node is pi5, what is not Unicode or repeats a key is skipped (PATH ${path##*/}): $out"
done
for value in 'x\ud800y' '\udc00' '\ude00\ud83d'; do
  out=$(emit_event deployment_started info s exact "" "{\"a\":[\"$value\"]}" 2>"$TMP/err")
  [[ $? == 2 && $(<"$TMP/err") == *"lone surrogate"* ]]
  ok_if "a lone surrogate ($value) in the payload is refused"
done
CURRENT="chosen ids"
new_store
cid_id=$(cat /proc/sys/kernel/random/uuid)
out=$(emit_event deployment_started info ok svc c1 '{"n": 1}' "${cid_id^^}" 2>"$TMP/err")
assert_eq "a chosen id is the event's id, lower case ($(<"$TMP/err"))" "$cid_id" "$out"
out=$(emit_event deployment_started info ok svc c1 '{"n":1}' "$cid_id" 2>"$TMP/err")
rc=$?
[[ $rc == 0 && $out == "$cid_id" && $(count_files "$HOMELAB_EVENTS_DIR") == 1 ]]
ok_if "the same id and content again: its id, nothing written (rc=$rc, $(<"$TMP/err"))"
out=$(emit_event deployment_started info ok svc c1 '{"n":2}' "$cid_id" 2>"$TMP/err")
rc=$?
[[ $rc == 3 && -z $out && $(<"$TMP/err") == *"already stored with different content"* ]]
ok_if "the same id with other content: 3 and a message (rc=$rc, $(<"$TMP/err"))"
out=$(emit_event deployment_started info ok svc c1 '{}' deploy-1 2>"$TMP/err")
rc=$?
[[ $rc == 2 && $(<"$TMP/err") == *'invalid id "deploy-1"'* ]]
ok_if "an id that is not a UUID: 2 naming id (rc=$rc, $(<"$TMP/err"))"
assert_eq "one file in all" 1 "$(count_files "$HOMELAB_EVENTS_DIR")"

CURRENT="fallback reuses the id"
new_store
# a server that stores the event (under its own node) and then fails the answer
cat >"$TMP/storing-server.py" <<'EOF2'
import http.server, json, os, sys, time
root = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        folder = os.path.join(root, time.strftime("%Y-%m-%d", time.gmtime()), "server-node")
        os.makedirs(folder, exist_ok=True)
        name = "{}_{}_{}.json".format(time.strftime("%Y%m%dT%H%M%S.000001Z", time.gmtime()), body["type"], body["id"])
        with open(os.path.join(folder, name), "w") as f:
            json.dump({"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000001Z", time.gmtime()), "node": "server-node",
                       "type": body["type"], "severity": body["severity"], "source": body["source"],
                       "service": body["service"], "correlation_id": body.get("correlation_id", body["id"]),
                       "payload": body["payload"]}, f, separators=(",", ":"))
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.timeout = 1
deadline = time.time() + 60
while time.time() < deadline:
    srv.handle_request()
EOF2
if ! command -v curl >/dev/null 2>&1; then
  skip "curl is not installed: the fallback after a server answer is not exercised"
else
  coproc SRV2 { exec python3 "$TMP/storing-server.py" "$HOMELAB_EVENTS_DIR"; }
  SERVER_PID=$SRV2_PID
  read -r -t 10 sport <&"${SRV2[0]}"
  out=$(HOMELAB_EVENTS_URL=http://127.0.0.1:$sport emit_event deployment_failed error ok svc c1 '{}' 2>"$TMP/err")
  rc=$?
  found=$(find "$HOMELAB_EVENTS_DIR" -type f -name "*_$out.json")
  [[ $rc == 0 && $out =~ ^[0-9a-f-]{36}$ && $found == */server-node/* && $(count_files "$HOMELAB_EVENTS_DIR") == 1 ]]
  ok_if "the server's copy is found by the id: no second file (rc=$rc, $found, $(<"$TMP/err"))"
  kill "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
fi

CURRENT="record_remediation and the step lock"
new_store
key=$(printf '%s\0%s\0%s' deploy-882 mosquitto restart-mosquitto | sha256sum)
key=${key%% *}
assert_eq "the key is the one Java and Python use" e81d637efe8bf2d368cc7610c5d77c5401681e49ac5d26d0028a7946ce37a4f5 "$key"
locks=$HOMELAB_EVENTS_DIR/.locks/remediation
s1=$(record_remediation start deploy-882 mosquitto restart_service agent restart-mosquitto 2>"$TMP/err")
rc=$?
[[ $rc == 0 && $s1 =~ ^[0-9a-f-]{36}$ && $(<"$locks/$key.0") == "{\"event_id\":\"$s1\","* ]]
ok_if "start: its id, and a marker for run 0 naming it (rc=$rc, $(<"$TMP/err"))"
out=$(record_remediation start deploy-882 mosquitto restart_service other restart-mosquitto 2>"$TMP/err")
rc=$?
[[ $rc == 3 && -z $out && $(<"$TMP/err") == *"already open"* ]]
ok_if "an open step is refused with 3 (rc=$rc, $(<"$TMP/err"))"
record_remediation start deploy-882 zigbee2mqtt restart_service agent restart-mosquitto >/dev/null 2>"$TMP/err"
ok_if "another service's step starts ($(<"$TMP/err"))"
c1=$(record_remediation complete deploy-882 mosquitto restart_service agent restart-mosquitto "" "answers again" 2>"$TMP/err")
ok_if "complete ($(<"$TMP/err"))"
check "the completion names its start, fields in the server's order" grep -q \
  "\"payload\":{\"action\":\"restart_service\",\"step\":\"restart-mosquitto\",\"actor\":\"agent\",\"result\":\"succeeded\",\"started_event_id\":\"$s1\",\"note\":\"answers again\"}" \
  "$(find "$HOMELAB_EVENTS_DIR" -name "*_$c1.json")"
record_remediation complete deploy-882 mosquitto restart_service agent restart-mosquitto >/dev/null 2>&1
assert_eq "a step that is not open cannot be completed" 2 "$?"
s2=$(record_remediation start deploy-882 mosquitto restart_service agent restart-mosquitto 2>"$TMP/err")
[[ $? == 0 && -f $locks/$key.1 && $s2 != "$s1" ]]
ok_if "a completed step starts again: run 1 ($(<"$TMP/err"))"
chosen=$(cat /proc/sys/kernel/random/uuid)
r1=$(record_remediation start deploy-9 mosquitto restart_service agent "" "" "" "$chosen" 2>&1)
r2=$(record_remediation start deploy-9 mosquitto restart_service agent "" "" "" "$chosen" 2>&1)
[[ $r1 == "$chosen" && $r2 == "$chosen" ]]
ok_if "a retry with its id returns the recorded start ($r1 / $r2)"
# a claim whose writer died before its event: young it holds, old it is taken over once
new_store
locks=$HOMELAB_EVENTS_DIR/.locks/remediation
mkdir -p "$locks"
dead=$(cat /proc/sys/kernel/random/uuid)
printf '{"event_id":"%s"}\n' "$dead" >"$locks/$key.0"
record_remediation start deploy-882 mosquitto restart_service agent restart-mosquitto >/dev/null 2>&1
assert_eq "a young claim holds" 3 "$?"
touch -d '-5 minutes' "$locks/$key.0"
taken=$(record_remediation start deploy-882 mosquitto restart_service agent restart-mosquitto 2>"$TMP/err")
[[ $? == 0 && $(<"$locks/$key.0.$dead") == "{\"event_id\":\"$taken\","* ]]
ok_if "an abandoned claim is taken over in the slot named after it ($(<"$TMP/err"))"
record_remediation start deploy-882 mosquitto restart_service agent3 restart-mosquitto >/dev/null 2>&1
assert_eq "and then holds again" 3 "$?"

# ---------------------------------------------------------------------------------------------
printf '%d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
((FAILED == 0))
