# shellcheck shell=bash
# events.sh: write and read homelab events from bash (>= 4.4), with no server running.
#
# Usage:
#   source scripts/lib/events.sh
#   id=$(emit_event deployment_started info deploy.sh mosquitto deploy-882 '{"version":"1.0"}')
#   list_events --date 2026-11-26 --node pi4 --type deployment_failed --service mosquitto --cid deploy-882
#   get_chain deploy-882
#   latest_remediation mosquitto
#   record_remediation start deploy-882 mosquitto restart_service my-agent
#
# Events are files in the store described by docs/format.md (on-disk format v1):
#   <root>/<yyyy-MM-dd>/<node>/<yyyyMMddTHHmmss.ffffffZ>_<type>_<uuid>.json
# holding one compact JSON object with the eight fields timestamp, node, type, severity,
# source, service, correlation_id, payload (in that order) and a trailing newline.
#
# Public functions (the only names this file defines besides the private helpers below):
#   emit_event TYPE SEVERITY SOURCE SERVICE CORRELATION_ID [PAYLOAD_JSON [ID]]
#       Validates, writes the event durably and prints its id. An empty CORRELATION_ID means
#       "use the event's own id"; an empty or missing PAYLOAD_JSON means {}. ID: an event id (a
#       UUID) chosen by the caller so that a retry is safe: when the store already holds it with
#       the same content (compared byte for byte after the timestamp) its id is printed and
#       nothing is written; with other content the call fails with 3. Empty or missing: a new
#       random id, generated before the server is called (see HOMELAB_EVENTS_URL).
#       Returns 0 on success, 2 on a bad argument or configuration (one line on stderr naming the
#       field, the value and what is allowed; nothing written), 1 when the event could not be
#       stored (I/O error, failed fsync, server refused it for another reason...), 3 when the
#       ID is already stored with different content (nothing written).
#   list_events [--date YYYY-MM-DD|today|all] [--node N] [--type T] [--severity S]
#               [--service S] [--cid ID]
#       One line per event, oldest first (timestamp, then node, then id in the server's order,
#       java.util.UUID.compareTo). Default: today (UTC).
#       --date selects the date directory, which is the UTC date of the event's timestamp.
#   get_chain CORRELATION_ID
#       Every event with that correlation id, across all dates and nodes, oldest first.
#   latest_remediation SERVICE
#       The most recent remediation_started event for SERVICE, then a line "completed: ..."
#       naming the remediation_completed event that closed it, or "completed: no". Returns 1 (and
#       prints nothing) when there is none. Paired as the server pairs steps: per correlation id,
#       in listing order, a completion closes the open start named by its payload
#       started_event_id, else the oldest open start with the same step key (step, else action),
#       else (no key at all) the latest open start.
#   record_remediation PHASE CORRELATION_ID SERVICE ACTION ACTOR [STEP [RESULT [NOTE [ID]]]]
#       Records a remediation step as the server's record_remediation tool does and prints the
#       event id: PHASE start (before acting: remediation_started) or complete (after it:
#       remediation_completed linked to the open start by started_event_id). STEP is the step
#       key (default ACTION); RESULT of a completion succeeded (default) or failed; NOTE at most
#       500 characters; ID as for emit_event (a retry of a call that recorded its event prints
#       that id, whatever happened to the step since). A start is refused while the step (this
#       SERVICE's STEP in this chain) is open, atomically across processes and languages: of
#       several agents racing to start one step exactly one records it (a marker file in
#       <root>/.locks/remediation/, see docs/format.md). Returns 0, 2 on a bad argument or a
#       completion of a step that is not open, 1 when the event could not be stored, 3 when the
#       step is already open or the ID is stored with different content (nothing written).
#
# Line format of the readers (values as they are escaped inside JSON strings, so one event is
# always one line; control and bidirectional characters are shown as \uXXXX):
#   <timestamp> <node> <severity> <type> service=<s> source=<s> cid=<s> id=<uuid> payload=<json>
#
# Configuration (environment):
#   HOMELAB_EVENTS_DIR           store root (absolute path). Unset: /opt/homelab/events if it
#                                exists or can be created, else ${XDG_DATA_HOME:-$HOME/.local/share}/homelab/events
#   HOMELAB_NODE                 node name (default: the output of `hostname`)
#   HOMELAB_EVENTS_CUSTOM_TYPES  extra event types, comma separated, each [a-z][a-z0-9_]{0,63}
#   HOMELAB_EVENTS_URL           optional server (e.g. http://127.0.0.1:8080): emit_event POSTs to
#                                $HOMELAB_EVENTS_URL/api/events with curl (record_remediation to
#                                /api/tools/record_remediation), and falls back to the local
#                                files when the server cannot be reached, times out or answers 5xx.
#                                The event id goes with the request; before the fallback writes, it
#                                looks for that id (in the event's date directory and the two next
#                                to it), so a server that stored the event but answered too late
#                                never yields a second one
#   HOMELAB_EVENTS_TOKEN         bearer token for the server (never put on a command line)
#   HOMELAB_EVENTS_TIMEOUT       seconds to wait for the server (default 10)
#
# Payload rule (identical with and without jq): after trimming whitespace the payload must be one
# JSON object: strict RFC 8259 syntax (no NaN, no leading zeros, no trailing commas, no
# comments, valid escapes, no raw control characters inside strings), valid UTF-8, nested at most
# 16 levels deep (the payload object itself is level 1) and at most 65,536 bytes once compacted.
# The check is done in pure bash, and the payload is stored compacted (insignificant whitespace
# removed) with every number and string kept exactly as given. jq is deliberately not used on this
# path: jq 1.6 rounds numbers when it re-emits (12345678901234567890 -> 12345678901234567000),
# accepts what Java and Python refuse (NaN, 01), and costs ~60 ms per call.
#
# Readers skip, silently, anything that is not an event: dot-prefixed (temporary) names, symlinks,
# non-regular files, files over 1 MiB, empty, truncated, corrupt or non-UTF-8 files, files with
# NUL bytes, and JSON that lacks a field. Files in the canonical form (field order as written by
# the three writers) are read in pure bash; other valid JSON objects need jq and are skipped
# without it. Readers never create or modify anything.
#
# Sourcing this file defines functions only: no variables, no option, trap, IFS or locale change.
# Every public function runs in a subshell ( ... ) and sets its own options there, so the caller's
# `set -euo pipefail`, IFS, traps, umask and locale are neither relied upon nor changed.
#
# Private helpers (prefix _hle_, not a stable interface): _hle_setup, _hle_usage_error,
# _hle_field_error, _hle_show, _hle_json_escape, _hle_is_utf8, _hle_cplen, _hle_has_ctl,
# _hle_escape_ctl, _hle_mixed_script, _hle_lone_surrogate, _hle_check_name, _hle_check_node,
# _hle_check_type, _hle_json_compact, _hle_jtok, _hle_root,
# _hle_creatable, _hle_now, _hle_uuid4, _hle_mkdirs, _hle_write, _hle_abort, _hle_post,
# _hle_read_event, _hle_norm_ts, _hle_uuid3, _hle_unshow, _hle_collect, _hle_format, _hle_id_order,
# _hle_pair_record, _hle_json_canon, _hle_pair_fields, _hle_check_id, _hle_find_id, _hle_same_line,
# _hle_store, _hle_step_record, _hle_claim_step, _hle_close_step.

# (return when sourced, exit when run: one of the two is always unreachable)
if [ -z "${BASH_VERSION:-}" ]; then
  echo "events.sh: bash >= 4.4 is required" >&2
  # shellcheck disable=SC2317
  return 1 2>/dev/null || exit 1
fi
if ((BASH_VERSINFO[0] < 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] < 4))); then
  echo "events.sh: bash >= 4.4 is required (this is $BASH_VERSION)" >&2
  # shellcheck disable=SC2317
  return 1 2>/dev/null || exit 1
fi

# Puts the current (sub)shell in a known state. Only ever called first thing inside the
# subshell of a public function, so nothing here reaches the caller.
_hle_setup() {
  # a caller's functions named like the tools used here must not be called instead of them
  # (aliases are defeated by writing the tools as \name)
  unset -f date od mkdir sync rm ln curl hostname md5sum jq sort cut command printf read \
    local set shopt trap mapfile sha256sum stat sleep 2>/dev/null
  set +e +u +f +C +x +v +a +E +T
  set -o pipefail
  set +o posix 2>/dev/null
  trap - ERR DEBUG RETURN
  shopt -u nocasematch nocaseglob failglob dotglob globstar 2>/dev/null
  shopt -u patsub_replacement 2>/dev/null
  shopt -s nullglob
  IFS=$' \t\n'
  # Byte semantics everywhere: lengths, patterns and regexes work on UTF-8 bytes, which the
  # helpers below account for (code points are counted explicitly).
  LC_ALL=C
  export LC_ALL
  umask 022
}

# _hle_usage_error FUNC MESSAGE: one line on stderr.
_hle_usage_error() {
  printf '%s: %s\n' "$1" "$2" >&2
}

# _hle_field_error FUNC FIELD VALUE ALLOWED: the one-line validation error.
_hle_field_error() {
  local shown=""
  _hle_show shown "$3"
  printf '%s: invalid %s "%s": %s\n' "$1" "$2" "$shown" "$4" >&2
}

# _hle_show OUTVAR VALUE: VALUE escaped for a one-line message, cut to 80 bytes of UTF-8.
_hle_show() {
  local v=$2 n=${#2} suffix=""
  if ! _hle_is_utf8 "$v"; then
    v=${v//[$'\x80'-$'\xff']/?}
    suffix=" (not valid UTF-8)"
  fi
  if ((${#v} > 80)); then
    v=${v:0:80}
    # do not cut a multi-byte character in half
    while [[ -n $v && ${v: -1} == [$'\x80'-$'\xff'] ]]; do
      if [[ ${v: -1} == [$'\xc0'-$'\xff'] ]]; then
        v=${v%?}
        break
      fi
      v=${v%?}
    done
    _hle_is_utf8 "$v" || v=${v//[$'\x80'-$'\xff']/?}
    suffix="...(${n} bytes)$suffix"
  fi
  _hle_json_escape v "$v"
  printf -v "$1" '%s%s' "$v" "$suffix"
}

# _hle_json_escape OUTVAR VALUE: VALUE as the inside of a JSON string. Escapes " and \,
# every C0 control (\n \t \r \b \f or \u00XX), DEL and C1 controls, and the bidirectional
# controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) as \uXXXX. Other
# non-ASCII text passes through as UTF-8. (Bash strings cannot hold NUL.)
_hle_json_escape() {
  local s=$2 bs=\\ q='"' i=0 hex="" ch=""
  s=${s//"$bs"/"$bs$bs"}
  s=${s//"$q"/"$bs$q"}
  if [[ $s == *[$'\x01'-$'\x1f'$'\x7f']* ]]; then
    s=${s//$'\n'/"${bs}n"}
    s=${s//$'\t'/"${bs}t"}
    s=${s//$'\r'/"${bs}r"}
    s=${s//$'\b'/"${bs}b"}
    s=${s//$'\f'/"${bs}f"}
    for ((i = 1; i < 32; i++)); do
      printf -v hex '%02x' "$i"
      printf -v ch '%b' "\\x$hex"
      [[ $s == *"$ch"* ]] && s=${s//"$ch"/"${bs}u00$hex"}
    done
  fi
  _hle_escape_ctl s "$s"
  printf -v "$1" '%s' "$s"
}

# _hle_escape_ctl OUTVAR VALUE: DEL, C1 and bidirectional controls in VALUE as \uXXXX
# (the characters JSON allows raw but a terminal line should not show raw).
_hle_escape_ctl() {
  local ec_s=$2 ec_bs=\\ ec_i=0 ec_hex="" ec_ch=""
  ec_s=${ec_s//$'\x7f'/"${ec_bs}u007f"}
  if [[ $ec_s == *$'\xc2'[$'\x80'-$'\x9f']* ]]; then
    for ((ec_i = 128; ec_i < 160; ec_i++)); do
      printf -v ec_hex '%02x' "$ec_i"
      printf -v ec_ch '%b' "\\xc2\\x$ec_hex"
      [[ $ec_s == *"$ec_ch"* ]] && ec_s=${ec_s//"$ec_ch"/"${ec_bs}u00$ec_hex"}
    done
  fi
  if [[ $ec_s == *$'\xd8\x9c'* || $ec_s == *$'\xe2\x80'[$'\x8e'$'\x8f'$'\xaa'-$'\xae']* || $ec_s == *$'\xe2\x81'[$'\xa6'-$'\xa9']* ]]; then
    ec_s=${ec_s//$'\xd8\x9c'/"${ec_bs}u061c"}
    ec_s=${ec_s//$'\xe2\x80\x8e'/"${ec_bs}u200e"}
    ec_s=${ec_s//$'\xe2\x80\x8f'/"${ec_bs}u200f"}
    for ec_i in a b c d e; do
      printf -v ec_ch '%b' "\\xe2\\x80\\xa$ec_i"
      ec_s=${ec_s//"$ec_ch"/"${ec_bs}u202$ec_i"}
    done
    for ec_i in 6 7 8 9; do
      printf -v ec_ch '%b' "\\xe2\\x81\\xa$ec_i"
      ec_s=${ec_s//"$ec_ch"/"${ec_bs}u206$ec_i"}
    done
  fi
  printf -v "$1" '%s' "$ec_s"
}

# _hle_is_utf8 VALUE: true when VALUE is well-formed UTF-8 (no overlongs, no surrogates).
_hle_is_utf8() {
  [[ $1 != *[$'\x80'-$'\xff']* ]] && return 0
  local re=$'^([\x01-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf][\x80-\xbf]|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf][\x80-\xbf]|[\xf1-\xf3][\x80-\xbf][\x80-\xbf][\x80-\xbf]|\xf4[\x80-\x8f][\x80-\xbf][\x80-\xbf])*$'
  [[ $1 =~ $re ]]
}

# _hle_cplen OUTVAR VALUE: number of code points of a valid UTF-8 VALUE.
_hle_cplen() {
  local t=${2//[$'\x80'-$'\xbf']/}
  printf -v "$1" '%d' "${#t}"
}

# _hle_has_ctl VALUE: true when VALUE (valid UTF-8) holds a control (U+0001-U+001F,
# U+007F-U+009F), an invisible format character (Unicode category Cf as of Unicode 15: soft hyphen,
# zero-width space and joiners, bidirectional controls, BOM, tags...) or a line or paragraph
# separator. The same explicit list as Names.FORMAT (Java) and _FORMAT_RANGES (Python).
_hle_has_ctl() {
  [[ $1 == *[$'\x01'-$'\x1f'$'\x7f']* ]] && return 0
  [[ $1 == *[$'\x80'-$'\xff']* ]] || return 1
  [[ $1 == *$'\xc2'[$'\x80'-$'\x9f'$'\xad']* ]] && return 0 # C1, U+00AD
  [[ $1 == *$'\xd8'[$'\x80'-$'\x85'$'\x9c']* ]] && return 0 # U+0600-0605, U+061C
  [[ $1 == *$'\xdb\x9d'* || $1 == *$'\xdc\x8f'* ]] && return 0 # U+06DD, U+070F
  [[ $1 == *$'\xe0\xa2'[$'\x90'$'\x91']* || $1 == *$'\xe0\xa3\xa2'* ]] && return 0 # U+0890-0891, U+08E2
  [[ $1 == *$'\xe1\xa0\x8e'* ]] && return 0 # U+180E
  [[ $1 == *$'\xe2\x80'[$'\x8b'-$'\x8f'$'\xa8'-$'\xae']* ]] && return 0 # U+200B-200F, U+2028-202E
  [[ $1 == *$'\xe2\x81'[$'\xa0'-$'\xa4'$'\xa6'-$'\xaf']* ]] && return 0 # U+2060-2064, U+2066-206F
  [[ $1 == *$'\xef\xbb\xbf'* || $1 == *$'\xef\xbf'[$'\xb9'-$'\xbb']* ]] && return 0 # U+FEFF, U+FFF9-FFFB
  [[ $1 == *$'\xf0\x91\x82\xbd'* || $1 == *$'\xf0\x91\x83\x8d'* ]] && return 0 # U+110BD, U+110CD
  [[ $1 == *$'\xf0\x93\x90'[$'\xb0'-$'\xbf']* ]] && return 0 # U+13430-1343F
  [[ $1 == *$'\xf0\x9b\xb2'[$'\xa0'-$'\xa3']* ]] && return 0 # U+1BCA0-1BCA3
  [[ $1 == *$'\xf0\x9d\x85'[$'\xb3'-$'\xba']* ]] && return 0 # U+1D173-1D17A
  [[ $1 == *$'\xf3\xa0\x80'[$'\x81'$'\xa0'-$'\xbf']* || $1 == *$'\xf3\xa0\x81'[$'\x80'-$'\xbf']* ]] &&
    return 0 # U+E0001, U+E0020-E007F
  return 1
}

# _hle_mixed_script VALUE: true when, in VALUE (valid UTF-8), a letter directly follows a letter of
# another look-alike script among Latin, Greek and Cyrillic ("m\u043esquitto" with a Cyrillic o);
# combining marks (U+0300-U+036F) between the two do not separate them. Names.firstMixedScript in Java.
_hle_mixed_script() {
  [[ $1 == *[$'\x80'-$'\xff']* ]] || return 1
  local lat=$'([A-Za-z]|\xc2[\xaa\xba]|\xc3[\x80-\x96\x98-\xb6\xb8-\xbf]|[\xc4-\xc8][\x80-\xbf]|\xc9[\x80-\x8f]|\xe1[\xb8-\xbb][\x80-\xbf])'
  local grk=$'(\xcd[\xb0-\xbf]|[\xce\xcf][\x80-\xbf]|\xe1[\xbc-\xbf][\x80-\xbf])'
  local cyr=$'([\xd0-\xd3][\x80-\xbf]|\xd4[\x80-\xaf])'
  local mark=$'(\xcc[\x80-\xbf]|\xcd[\x80-\xaf])*'
  local re="$lat$mark($grk|$cyr)|$grk$mark($lat|$cyr)|$cyr$mark($lat|$grk)"
  [[ $1 =~ $re ]]
}

# _hle_lone_surrogate TEXT: true when TEXT (the inside of a valid JSON string) has an escaped
# surrogate (\ud800-\udfff) that is not part of a high-low pair: not Unicode, refused everywhere.
_hle_lone_surrogate() {
  local bs=\\ t=$1
  [[ $t == *"${bs}u"[dD][89a-fA-F]* ]] || return 1
  t=${t//"$bs$bs"/_}
  t=${t//"${bs}u"[dD][89abAB][0-9a-fA-F][0-9a-fA-F]"${bs}u"[dD][c-fC-F][0-9a-fA-F][0-9a-fA-F]/_}
  [[ $t == *"${bs}u"[dD][89a-fA-F]* ]]
}

# _hle_check_name FUNC FIELD VALUE NOSLASH NOTBLANK: the source/service/correlation_id rule.
_hle_check_name() {
  local fn=$1 field=$2 v=$3 noslash=$4 notblank=$5 n=0 rule=""
  if [[ $noslash == 1 ]]; then
    rule="1-128 characters, not blank, no control, invisible format (zero-width, BOM, bidirectional) or separator characters, no '/' or '\\'"
  else
    rule="1-128 characters, not blank, no control, invisible format (zero-width, BOM, bidirectional) or separator characters"
  fi
  if ! _hle_is_utf8 "$v"; then
    _hle_field_error "$fn" "$field" "$v" "must be valid UTF-8; $rule"
    return 2
  fi
  _hle_cplen n "$v"
  if ((n < 1 || n > 128)) || _hle_has_ctl "$v"; then
    _hle_field_error "$fn" "$field" "$v" "$rule"
    return 2
  fi
  if [[ $noslash == 1 && ($v == */* || $v == *\\*) ]]; then
    _hle_field_error "$fn" "$field" "$v" "$rule"
    return 2
  fi
  if [[ $notblank == 1 ]]; then
    # Blank: only white space (ASCII space or Unicode space/line/paragraph separators that
    # are not no-break spaces); controls were refused above.
    local t=$v
    t=${t// /}
    t=${t//$'\xe1\x9a\x80'/}
    t=${t//$'\xe2\x80'[$'\x80'-$'\x86'$'\x88'-$'\x8a'$'\xa8'$'\xa9']/}
    t=${t//$'\xe2\x81\x9f'/}
    t=${t//$'\xe3\x80\x80'/}
    if [[ -z $t ]]; then
      _hle_field_error "$fn" "$field" "$v" "$rule"
      return 2
    fi
  fi
  if _hle_mixed_script "$v"; then
    _hle_field_error "$fn" "$field" "$v" "mixes look-alike scripts inside a word (Latin, Greek and Cyrillic letters side by side); write each word in one script"
    return 2
  fi
  return 0
}

# _hle_check_node FUNC VALUE ORIGIN: the hostname rule.
_hle_check_node() {
  local label='[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
  local re="^$label(\\.$label)*\$"
  if ((${#2} > 253)) || ! [[ $2 =~ $re ]]; then
    _hle_field_error "$1" node "$2" "must be a hostname$3: letters, digits, '-' and '.', labels of 1-63 characters not starting or ending with '-', at most 253 characters (set HOMELAB_NODE)"
    return 2
  fi
  return 0
}

# _hle_check_type FUNC VALUE: one of the normalized types or HOMELAB_EVENTS_CUSTOM_TYPES.
_hle_check_type() {
  local fn=$1 v=$2 c="" allowed="" ws=$' \t'
  local -a types=(deployment_started deployment_completed deployment_failed service_unhealthy
    service_recovered node_offline node_online healthcheck_failed remediation_started
    remediation_completed operator_query operator_note) # the server's built-in types: /api/ask audits, console notes
  local -a custom=()
  if [[ -n ${HOMELAB_EVENTS_CUSTOM_TYPES:-} ]]; then
    IFS=, read -r -a custom <<<"$HOMELAB_EVENTS_CUSTOM_TYPES"
    for c in "${custom[@]}"; do
      c=${c#"${c%%[!"$ws"]*}"}
      c=${c%"${c##*[!"$ws"]}"}
      [[ -z $c ]] && continue
      if ! [[ $c =~ ^[a-z][a-z0-9_]{0,63}$ ]]; then
        _hle_field_error "$fn" HOMELAB_EVENTS_CUSTOM_TYPES "$c" "each custom type must match [a-z][a-z0-9_]{0,63}"
        return 2
      fi
      types+=("$c")
    done
  fi
  for c in "${types[@]}"; do
    [[ $v == "$c" ]] && return 0
  done
  printf -v allowed '%s, ' "${types[@]}"
  _hle_field_error "$fn" type "$v" "must be one of: ${allowed%, } (more with HOMELAB_EVENTS_CUSTOM_TYPES)"
  return 2
}

# _hle_jtok TOKEN: one step of the JSON grammar check done by _hle_json_compact. TOKEN is a
# structural character, a scalar, or '"' standing for a (separately checked) string.
# Works on the caller's locals: state, stack, maxd, and objn/objs (a serial number per object, the
# serials of the open objects), which tell the caller in which object a key is.
_hle_jtok() {
  local t=$1
  case $state in
  T)
    [[ $t == '{' ]] || return 1
    stack='{'
    maxd=1
    state=O
    objn=$((objn + 1)) objs+=" $objn"
    return 0
    ;;
  V | A)
    case $t in
    '{') stack+='{' state=O objn=$((objn + 1)) objs+=" $objn" ;;
    '[') stack+='[' state=A ;;
    ']')
      [[ $state == A ]] || return 1
      stack=${stack%?}
      state=N
      ;;
    '}' | ':' | ',') return 1 ;;
    '"') state=N ;;
    *)
      [[ $t =~ ^(true|false|null|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)$ ]] || return 1
      state=N
      ;;
    esac
    ((${#stack} > maxd)) && maxd=${#stack}
    ;;
  O | K)
    case $t in
    '"') state=C ;;
    '}')
      [[ $state == O ]] || return 1
      stack=${stack%?}
      state=N
      objs=${objs% *}
      ;;
    *) return 1 ;;
    esac
    ;;
  C)
    [[ $t == ':' ]] || return 1
    state=V
    ;;
  N)
    case $t in
    ',') if [[ ${stack: -1} == '{' ]]; then state=K; else state=V; fi ;;
    '}')
      [[ ${stack: -1} == '{' ]] || return 1
      stack=${stack%?}
      objs=${objs% *}
      ;;
    ']')
      [[ ${stack: -1} == '[' ]] || return 1
      stack=${stack%?}
      ;;
    *) return 1 ;;
    esac
    ;;
  *) return 1 ;;
  esac
  # a value was completed: at the top level nothing may follow
  [[ $state == N && -z $stack ]] && state=E
  return 0
}

# _hle_json_compact OUTVAR REASONVAR TEXT: checks that TEXT is exactly one JSON object (strict
# RFC 8259, valid UTF-8, depth <= 16, no repeated key, no lone surrogate) and sets OUTVAR to it
# without insignificant whitespace, every token (numbers included) kept byte for byte. On failure
# sets REASONVAR and returns 1.
# Linear time: the text is cut at '"' by `read -d` instead of being indexed per character.
_hle_json_compact() {
  local text=$3 seg="" out="" str="" joined="" t="" bs="" state=T stack="" maxd=0 instr=0
  local objn=0 objs="" key=""
  local -a toks=()
  local -A keys=()
  local restr=$'^([^"\\\\\x01-\x1f]|\\\\["\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4})*$'
  if ! _hle_is_utf8 "$text"; then
    printf -v "$2" '%s' "not valid UTF-8"
    return 1
  fi
  while :; do
    seg=""
    IFS= read -r -d '"' seg
    local rc=$?
    if ((instr)); then
      if ((rc != 0)); then
        printf -v "$2" '%s' "unterminated string"
        return 1
      fi
      str+=$seg
      [[ $seg =~ (\\*)$ ]]
      if ((${#BASH_REMATCH[1]} % 2 == 1)); then
        str+='"' # escaped quote: the string goes on
        continue
      fi
      if ! [[ $str =~ $restr ]]; then
        printf -v "$2" '%s' "invalid string (raw control character or bad escape)"
        return 1
      fi
      if _hle_lone_surrogate "$str"; then
        printf -v "$2" '%s' "a string holds a lone surrogate (an escaped \\ud800-\\udfff without its pair): not valid Unicode"
        return 1
      fi
      if ! _hle_jtok '"'; then
        printf -v "$2" '%s' "invalid JSON syntax"
        return 1
      fi
      if [[ $state == C ]]; then
        # a key: once per object, compared by its text ("a" and "\u0061" are the same key)
        key=$str
        [[ $key == *\\* ]] && _hle_json_canon key "$key"
        key="${objs##* } $key"
        if [[ -n ${keys[$key]+x} ]]; then
          printf -v "$2" '%s' "duplicate key \"${str:0:40}\": a key may appear once"
          return 1
        fi
        keys[$key]=1
      fi
      out+="\"$str\""
      str=""
      instr=0
    else
      t=$seg
      t=${t//'{'/' { '}
      t=${t//'}'/' } '}
      t=${t//'['/' [ '}
      t=${t//']'/' ] '}
      t=${t//':'/' : '}
      t=${t//','/' , '}
      set -f
      IFS=$' \t\n\r'
      # shellcheck disable=SC2206 # word splitting on JSON whitespace is the point
      toks=($t)
      IFS=$' \t\n'
      set +f
      for t in "${toks[@]}"; do
        if ! _hle_jtok "$t"; then
          if [[ $state == T ]]; then
            printf -v "$2" '%s' "must be a JSON object"
          else
            printf -v "$2" '%s' "invalid JSON syntax near '${t:0:20}'"
          fi
          return 1
        fi
        if ((maxd > 16)); then
          printf -v "$2" '%s' "nested deeper than 16 levels"
          return 1
        fi
      done
      printf -v joined '%s' "${toks[@]}"
      out+=$joined
      ((rc != 0)) && break
      if [[ $state == T ]]; then
        printf -v "$2" '%s' "must be a JSON object"
        return 1
      fi
      instr=1
    fi
  done <<<"$text"
  if [[ $state != E ]]; then
    if [[ $state == T ]]; then
      printf -v "$2" '%s' "must be a JSON object"
    else
      printf -v "$2" '%s' "invalid JSON (incomplete)"
    fi
    return 1
  fi
  printf -v "$1" '%s' "$out"
  return 0
}

# _hle_creatable DIR: true when DIR could be created by this user (its nearest existing
# ancestor is a writable, searchable directory). Creates nothing.
_hle_creatable() {
  local d=$1
  while [[ ! -e $d && ! -L $d ]]; do
    d=${d%/*}
    [[ -z $d ]] && d=/
  done
  [[ -d $d && -w $d && -x $d ]]
}

# _hle_root FUNC OUTVAR: the store root (see the header).
_hle_root() {
  local r=${HOMELAB_EVENTS_DIR:-} x=${XDG_DATA_HOME:-}
  if [[ -n $r ]]; then
    if [[ $r != /* ]]; then
      _hle_field_error "$1" HOMELAB_EVENTS_DIR "$r" "must be an absolute path"
      return 2
    fi
  elif [[ -d /opt/homelab/events ]] || _hle_creatable /opt/homelab/events; then
    r=/opt/homelab/events
  else
    if [[ $x != /* ]]; then
      if [[ ${HOME:-} != /* ]]; then
        _hle_usage_error "$1" "cannot choose a store: /opt/homelab/events is not writable and HOME is not set (set HOMELAB_EVENTS_DIR)"
        return 2
      fi
      x=$HOME/.local/share
    fi
    r=$x/homelab/events
  fi
  while [[ $r == */ && $r != / ]]; do r=${r%/}; done
  printf -v "$2" '%s' "$r"
}

# _hle_now: sets the caller's ts (yyyy-MM-ddTHH:mm:ss.ffffffZ), tsname (yyyyMMddTHHmmss.ffffffZ)
# and day (yyyy-MM-dd), all UTC, from one reading of the clock, and epoch (its seconds).
_hle_now() {
  local TZ=UTC0 er="" s="" us="" a=""
  er=${EPOCHREALTIME:-}
  if [[ $er =~ ^([0-9]+)[.,]([0-9]{6})$ ]]; then
    s=${BASH_REMATCH[1]} us=${BASH_REMATCH[2]}
    printf -v a '%(%Y-%m-%d %H:%M:%S)T' "$s"
    epoch=$s
  else
    a=$(\date -u '+%Y-%m-%d %H:%M:%S %6N %s') || return 1
    epoch=${a##* } a=${a% *}
    us=${a##* } a=${a% *}
  fi
  day=${a%% *}
  ts="${day}T${a#* }.${us}Z"
  tsname="${day//-/}T${a#* }"
  tsname="${tsname//:/}.${us}Z"
}

# _hle_uuid4 OUTVAR: a lowercase random (version 4) UUID.
_hle_uuid4() {
  local u="" h=""
  if [[ -r /proc/sys/kernel/random/uuid ]]; then
    IFS= read -r u </proc/sys/kernel/random/uuid
  fi
  if ! [[ $u =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]; then
    h=$(\od -An -N16 -tx1 /dev/urandom) || return 1
    h=${h//[!0-9a-f]/}
    ((${#h} == 32)) || return 1
    local v=$((0x${h:16:1} & 3 | 8))
    printf -v u '%s-%s-4%s-%x%s-%s' "${h:0:8}" "${h:8:4}" "${h:13:3}" "$v" "${h:17:3}" "${h:20:12}"
  fi
  printf -v "$1" '%s' "$u"
}

# _hle_mkdirs FUNC DIR: creates DIR and missing parents (mode 0755), then fsyncs every
# directory on the created path and the parent of the first one.
_hle_mkdirs() {
  local fn=$1 d=$2 x="" err=""
  local -a todo=()
  while [[ ! -d $d ]]; do
    # checked again: a concurrent writer may have made the directory since the test above
    if [[ (-e $d || -L $d) && ! -d $d ]]; then
      _hle_usage_error "$fn" "event not stored: $d exists and is not a directory"
      return 1
    fi
    todo=("$d" "${todo[@]}")
    d=${d%/*}
    [[ -z $d ]] && d=/
  done
  ((${#todo[@]} == 0)) && return 0
  for x in "${todo[@]}"; do
    if ! err=$(\mkdir -m 0755 -- "$x" 2>&1) && [[ ! -d $x ]]; then
      _hle_usage_error "$fn" "event not stored: cannot create directory: ${err//$'\n'/ }"
      return 1
    fi
  done
  # make the new entries durable: each created directory and the directory holding it
  if ! err=$(\sync -- "$d" "${todo[@]}" 2>&1); then
    _hle_usage_error "$fn" "event not stored: fsync of new directories failed: ${err//$'\n'/ }"
    return 1
  fi
  return 0
}

# _hle_abort: signal handler of _hle_write; removes the temporary file.
_hle_abort() {
  [[ -n ${tmp:-} ]] && \rm -f -- "$tmp"
  exit 130
}

# _hle_write FUNC ROOT DAY NODE NAME CONTENT: the write protocol of docs/format.md. Returns 0 when
# written, 1 on failure (reported), 4 when the name is already taken (nothing written or reported).
_hle_write() {
  local fn=$1 root=$2 day=$3 node=$4 name=$5 content=$6 err="" dday="" dnode="" final=""
  local tmp=""
  dday=$root/$day
  dnode=$dday/$node
  _hle_mkdirs "$fn" "$dnode" || return 1
  # never write through a symlinked partition: the path must stay under the root
  if [[ -L $dday || -L $dnode ]]; then
    _hle_usage_error "$fn" "event not stored: $dnode goes through a symbolic link"
    return 1
  fi
  final=$dnode/$name
  trap _hle_abort INT TERM HUP
  tmp=$dnode/.$name.$BASHPID.$RANDOM$RANDOM.tmp
  # noclobber: the temporary file is created with O_EXCL; umask 022 gives mode 0644.
  # (This runs in emit_event's subshell: set -C does not reach the caller.)
  set -C
  if ! printf '%s\n' "$content" 2>/dev/null >"$tmp"; then
    set +C
    [[ -f $tmp && ! -L $tmp ]] && \rm -f -- "$tmp"
    if [[ ! -w $dnode ]]; then err="directory not writable (permission denied or read-only file system)"; else err="write failed (disk full or out of inodes?)"; fi
    _hle_usage_error "$fn" "event not stored: cannot write temporary file in $dnode: $err"
    return 1
  fi
  set +C
  if ! err=$(\sync -- "$tmp" 2>&1); then
    # a failed fsync is final: the data may never reach the disk
    \rm -f -- "$tmp"
    _hle_usage_error "$fn" "event not stored: fsync failed: ${err//$'\n'/ }"
    return 1
  fi
  # COMMIT POINT: a hard link never replaces an existing name (-T: never link into a directory)
  if ! err=$(\ln -T -- "$tmp" "$final" 2>&1); then
    \rm -f -- "$tmp"
    trap - INT TERM HUP
    # the name carries the id: another writer stored this very event (a server that answered late)
    [[ $err == *"File exists"* ]] && return 4
    _hle_usage_error "$fn" "event not stored: cannot link $final: ${err//$'\n'/ }"
    return 1
  fi
  \rm -f -- "$tmp"
  tmp=""
  if ! err=$(\sync -- "$dnode" 2>&1); then
    # not durable, so not acknowledged: take the name back rather than report a false success
    \rm -f -- "$final"
    _hle_usage_error "$fn" "event not stored: fsync of $dnode failed: ${err//$'\n'/ }"
    return 1
  fi
  trap - INT TERM HUP
  return 0
}

# _hle_post FUNC BODY [PATH]: sends the event to $HOMELAB_EVENTS_URL (PATH: /api/events). Prints the
# stored id and returns 0; returns 2 when the server refused it (4xx, reported on stderr), 4 for a
# 409 (a conflict: the id is stored with other content, or the step is open; reported); returns 3
# when the server could not be used (no curl, connection error, timeout, 5xx) so the caller writes
# locally.
_hle_post() {
  local fn=$1 body=$2 url=${HOMELAB_EVENTS_URL%/}${3:-/api/events} out="" code="" resp="" detail=""
  local tok=${HOMELAB_EVENTS_TOKEN:-} timeout=${HOMELAB_EVENTS_TIMEOUT:-10}
  if ! \command -v curl >/dev/null 2>&1; then
    _hle_usage_error "$fn" "warning: curl is not installed, so HOMELAB_EVENTS_URL cannot be used; writing the event to the local store"
    return 3
  fi
  [[ $timeout =~ ^[0-9]+([.][0-9]+)?$ ]] || timeout=10
  tok=${tok//\\/\\\\}
  tok=${tok//\"/\\\"}
  # the token goes through a config file descriptor, never through argv (visible in ps)
  out=$(\curl -q -sS --proto =http,https -m "$timeout" -X POST \
    -H 'Content-Type: application/json' -H 'Accept: application/json' \
    -K <(if [[ -n $tok ]]; then printf 'header = "Authorization: Bearer %s"\n' "$tok"; fi) \
    --data-binary @- -w '\n%{http_code}' -- "$url" <<<"$body" 2>/dev/null)
  code=${out##*$'\n'}
  resp=${out%$'\n'*}
  [[ $out == *$'\n'* ]] || resp=""
  if [[ $code == 2?? ]]; then
    if [[ $resp =~ \"id\"[[:space:]]*:[[:space:]]*\"([0-9a-fA-F-]{36})\" ]]; then
      printf '%s\n' "${BASH_REMATCH[1]}"
    else
      printf '\n'
    fi
    return 0
  fi
  if [[ $code == 4?? ]]; then
    if [[ $resp =~ \"detail\"[[:space:]]*:[[:space:]]*\"(([^\"\\]|\\.)*)\" ]]; then
      detail=${BASH_REMATCH[1]}
    elif [[ $resp =~ \"(message|title)\"[[:space:]]*:[[:space:]]*\"(([^\"\\]|\\.)*)\" ]]; then
      detail=${BASH_REMATCH[2]}
    else
      detail=${resp:0:300}
    fi
    _hle_json_escape detail "$detail"
    if [[ $code == 409 ]]; then
      _hle_usage_error "$fn" "refused by the server (HTTP 409): $detail"
      return 4
    fi
    _hle_usage_error "$fn" "server refused the event (HTTP $code): $detail"
    return 2
  fi
  _hle_usage_error "$fn" "warning: server $HOMELAB_EVENTS_URL unavailable (HTTP ${code:-000}); writing the event to the local store"
  return 3
}

emit_event() (
  _hle_setup
  local fn=emit_event
  if (($# < 5 || $# > 7)); then
    _hle_usage_error "$fn" "usage: emit_event TYPE SEVERITY SOURCE SERVICE CORRELATION_ID [PAYLOAD_JSON [ID]] (got $# arguments)"
    return 2
  fi
  local type=$1 sev=$2 src=$3 svc=$4 cid=$5 payload=${6:-} id=${7:-} node=${HOMELAB_NODE:-} origin=""
  local reason="" compact="" root="" ts="" tsname="" day="" epoch="" line="" body="" rc=0 chosen=0 look=0
  local ecid="" esrc="" esvc="" ws=$' \t\n\r'
  _hle_check_type "$fn" "$type" || return 2
  case $sev in
  info | warning | error | critical) ;;
  *)
    _hle_field_error "$fn" severity "$sev" "must be one of: info, warning, error, critical"
    return 2
    ;;
  esac
  _hle_check_name "$fn" source "$src" 1 1 || return 2
  _hle_check_name "$fn" service "$svc" 1 1 || return 2
  if [[ -n $cid ]]; then
    # not blank: a blank id would be stored and then be unreachable (the server refuses it too)
    _hle_check_name "$fn" correlation_id "$cid" 0 1 || return 2
  fi
  # payload: trim JSON white space, empty means {}
  payload=${payload#"${payload%%[!"$ws"]*}"}
  payload=${payload%"${payload##*[!"$ws"]}"}
  [[ -z $payload ]] && payload='{}'
  if ! _hle_json_compact compact reason "$payload"; then
    _hle_field_error "$fn" payload "$payload" "$reason (allowed: one JSON object in strict JSON syntax, at most 16 levels deep, at most 65536 bytes)"
    return 2
  fi
  if ((${#compact} > 65536)); then
    _hle_field_error "$fn" payload "$payload" "is ${#compact} bytes compacted; at most 65536 bytes allowed"
    return 2
  fi
  if [[ -z $node ]]; then
    node=$(\hostname 2>/dev/null)
    origin=" (from hostname)"
  else
    origin=" (from HOMELAB_NODE)"
  fi
  _hle_check_node "$fn" "$node" "$origin" || return 2
  node=${node,,} # DNS names are case-insensitive: one spelling, lower case (ASCII: LC_ALL=C)
  if [[ -n $id ]]; then
    _hle_check_id "$fn" id "$id" || return 2
    chosen=1 look=1
  fi
  _hle_root "$fn" root || return 2
  if { [[ -z $id ]] && ! _hle_uuid4 id; } || ! _hle_now; then
    _hle_usage_error "$fn" "event not stored: cannot read the clock or generate an id"
    return 1
  fi
  _hle_json_escape esrc "$src"
  _hle_json_escape esvc "$svc"
  if [[ -n ${HOMELAB_EVENTS_URL:-} ]]; then
    # The id goes with the request, so that the fallback below finds what a late server stored. With
    # a generated id the timestamp goes too: the server's file then has the very name the fallback
    # would write, so whichever writes second finds the first (the commit point). A chosen id goes
    # without it: the server stamps the event, and a retry of this call matches what it stored.
    body="{\"id\":\"$id\","
    ((chosen)) || body+="\"timestamp\":\"$ts\","
    body+="\"node\":\"$node\",\"type\":\"$type\",\"severity\":\"$sev\",\"source\":\"$esrc\",\"service\":\"$esvc\""
    if [[ -n $cid ]]; then
      _hle_json_escape ecid "$cid"
      body+=",\"correlation_id\":\"$ecid\""
    fi
    body+=",\"payload\":$compact}"
    _hle_post "$fn" "$body"
    rc=$?
    ((rc == 4)) && return 3
    ((rc == 3)) || return $rc
    look=1
  fi
  [[ -z $cid ]] && cid=$id
  _hle_json_escape ecid "$cid"
  line="{\"timestamp\":\"$ts\",\"node\":\"$node\",\"type\":\"$type\",\"severity\":\"$sev\",\"source\":\"$esrc\",\"service\":\"$esvc\",\"correlation_id\":\"$ecid\",\"payload\":$compact}"
  # a fresh random id is known to nobody else, unless a server stored it before answering late
  _hle_store "$fn" "$root" "$day" "$node" "${tsname}_${type}_${id}.json" "$line" "$id" "$epoch" "$look" "$chosen" || return $?
  printf '%s\n' "$id"
)

# _hle_check_id FUNC FIELD VALUE: checks that VALUE is a UUID (36 characters, either case) and sets
# the caller's id to it in lower case; else reports FIELD and returns 2.
_hle_check_id() {
  if ! [[ $3 =~ ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$ ]]; then
    _hle_field_error "$1" "$2" "$3" "must be a UUID such as 0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11 (36 characters, hexadecimal digits and dashes); leave it out to get a new one"
    return 2
  fi
  id=${3,,}
  return 0
}

# _hle_find_id OUTVAR ROOT EPOCH ID: the path of a file whose name carries ID, looked for in the date
# directory of EPOCH (seconds) and the two next to it, under every node; "" and 1 when none.
_hle_find_id() {
  local fi_root=$2 fi_epoch=$3 fi_id=$4 fi_d="" fi_day="" fi_f="" TZ=UTC0
  for fi_d in 0 -86400 86400; do
    printf -v fi_day '%(%Y-%m-%d)T' $((fi_epoch + fi_d))
    [[ -d $fi_root/$fi_day && ! -L $fi_root/$fi_day ]] || continue
    for fi_f in "$fi_root/$fi_day"/*/*_"$fi_id".json; do
      [[ -f $fi_f && ! -L $fi_f ]] || continue
      printf -v "$1" '%s' "$fi_f"
      return 0
    done
  done
  printf -v "$1" '%s' ""
  return 1
}

# _hle_same_line FILE LINE: true when FILE holds the event LINE, timestamp aside (byte for byte
# from the field after the timestamp on: the canonical form every writer writes).
_hle_same_line() {
  local c=""
  [[ -f $1 && ! -L $1 ]] || return 1
  IFS= read -r -d '' -n 1048577 c <"$1"
  c=${c%$'\n'}
  [[ ${c#'{"timestamp":"'*'",'} == "${2#'{"timestamp":"'*'",'}" ]]
}

# _hle_store FUNC ROOT DAY NODE NAME LINE ID EPOCH LOOK CHOSEN: writes the event unless its ID is
# already stored. LOOK 1: look for the ID first (_hle_find_id); the very same name is always found
# by the commit point. A stored ID counts as this event when it holds the same content
# (_hle_same_line), or when it was generated here (CHOSEN 0: a random id nobody else knows) and was
# found by looking (a late server stored it, formatted its way). Returns 0 (written or found), 1
# (not stored, reported), 3 (the ID holds another event, reported).
_hle_store() {
  local fn=$1 root=$2 day=$3 node=$4 name=$5 line=$6 id=$7 epoch=$8 look=$9 chosen=${10} found="" rc=0
  ((look)) && _hle_find_id found "$root" "$epoch" "$id"
  if [[ -z $found ]]; then
    _hle_write "$fn" "$root" "$day" "$node" "$name" "$line"
    rc=$?
    ((rc == 4)) || return $rc
    found=$root/$day/$node/$name
    chosen=1 # the same name: it must be the same event, never report another as stored
  fi
  if ((chosen)) && ! _hle_same_line "$found" "$line"; then
    _hle_usage_error "$fn" "event not stored: id $id is already stored with different content at $found; an id names one event: send the same content to get it back, or choose a new id"
    return 3
  fi
  return 0
}

# ---------------------------------------------------------------------------------------------
# Readers

# _hle_norm_ts OUTVAR TS: TS (any ISO 8601 instant with an offset) as yyyy-MM-ddTHH:mm:ss.ffffffZ.
_hle_norm_ts() {
  local t=$2 n=""
  if [[ $t =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$ ]]; then
    printf -v "$1" '%s' "$t"
    return 0
  fi
  [[ $t =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})$ ]] || return 1
  n=$(\date -u -d "$t" '+%Y-%m-%dT%H:%M:%S.%6NZ' 2>/dev/null) || return 1
  [[ $n =~ ^[0-9]{4}- ]] && ((10#${n:0:4} >= 1970)) || return 1
  printf -v "$1" '%s' "$n"
}

# _hle_uuid3 OUTVAR NAME: java.util.UUID.nameUUIDFromBytes(NAME as UTF-8), the id of a file
# whose name does not carry one.
_hle_uuid3() {
  local h=""
  h=$(printf '%s' "$2" | \md5sum) || return 1
  h=${h%% *}
  local v=$(((0x${h:16:1} & 3) | 8))
  printf -v "$1" '%s-%s-3%s-%x%s-%s' "${h:0:8}" "${h:8:4}" "${h:13:3}" "$v" "${h:17:3}" "${h:20:12}"
}

# _hle_read_event FILE REL: parses one file. On success sets the caller's ev_ts (normalized),
# ev_node ev_type ev_sev ev_src ev_svc ev_cid (each as escaped inside its JSON string),
# ev_payload (compact JSON) and ev_id. Returns 1 for anything that is not an event.
_hle_read_event() {
  local f=$1 rel=$2 c="" rc=0 base="" reason="" jid="" alt=""
  local s='"(([^"\\]|\\.)*)"'
  local re="^\\{\"timestamp\":$s,\"node\":$s,\"type\":$s,\"severity\":$s,\"source\":$s,\"service\":$s,\"correlation_id\":$s,\"payload\":(\\{.*\\})\\}\$"
  local restr=$'^([^"\\\\\x01-\x1f]|\\\\["\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4})*$'
  [[ -f $f && ! -L $f ]] || return 1
  IFS= read -r -d '' -n 1048577 c 2>/dev/null <"$f"
  rc=$?
  # rc 0: a NUL byte or the 1 MiB limit was reached before the end of the file
  ((rc == 0)) && return 1
  c=${c%$'\n'}
  [[ -n $c ]] || return 1
  if [[ $c == *$'\n'* ]] || ! [[ $c =~ $re ]]; then
    # not the canonical form: let jq bring a valid event into it, if jq is here
    \command -v jq >/dev/null 2>&1 || return 1
    _hle_is_utf8 "$c" || return 1
    # the Java reader's leniency: correlation_id and payload may be missing
    alt=$(\jq -c 'if type == "object"
        and ([.timestamp, .node, .type, .severity, .source, .service] | all(type == "string"))
        and ((.payload | type) == "object" or .payload == null)
      then {timestamp, node, type, severity, source, service,
            correlation_id: (if (.correlation_id | type) == "string" then .correlation_id else "" end),
            payload: (.payload // {})},
           (if (.id | type) == "string" then .id else "" end)
      else empty end' <<<"$c" 2>/dev/null) || return 1
    [[ $alt == *$'\n'* ]] || return 1
    jid=${alt#*$'\n'}
    jid=${jid//\"/}
    c=${alt%%$'\n'*}
    [[ $c =~ $re ]] || return 1
  fi
  ev_ts=${BASH_REMATCH[1]} ev_node=${BASH_REMATCH[3]} ev_type=${BASH_REMATCH[5]}
  ev_sev=${BASH_REMATCH[7]} ev_src=${BASH_REMATCH[9]} ev_svc=${BASH_REMATCH[11]}
  ev_cid=${BASH_REMATCH[13]} ev_payload=${BASH_REMATCH[15]}
  local x=""
  for x in "$ev_ts" "$ev_node" "$ev_type" "$ev_sev" "$ev_src" "$ev_svc" "$ev_cid"; do
    [[ $x =~ $restr ]] || return 1
    _hle_lone_surrogate "$x" && return 1 # not Unicode: the Java reader reports it, never serves it
  done
  _hle_is_utf8 "$c" || return 1
  # the acceptance rules of the Java store's reader (EventCodec)
  local label='[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
  local nodere="^$label(\\.$label)*\$"
  ((${#ev_node} <= 253)) && [[ $ev_node =~ $nodere ]] || return 1
  ev_node=${ev_node,,} # a hand-written PI4 is the node pi4
  [[ $ev_type =~ ^[a-z][a-z0-9_]{0,63}$ ]] || return 1
  [[ $ev_sev == info || $ev_sev == warning || $ev_sev == error || $ev_sev == critical ]] || return 1
  for x in "$ev_src" "$ev_svc"; do
    x=${x//[ ]/}
    x=${x//'\t'/}
    x=${x//'\n'/}
    x=${x//'\r'/}
    x=${x//'\f'/}
    x=${x//'\u000b'/}
    x=${x//'\u001'[cdefCDEF]/}
    x=${x//$'\xe1\x9a\x80'/}
    x=${x//$'\xe2\x80'[$'\x80'-$'\x86'$'\x88'-$'\x8a'$'\xa8'$'\xa9']/}
    x=${x//$'\xe2\x81\x9f'/}
    x=${x//$'\xe3\x80\x80'/}
    [[ -n $x ]] || return 1
  done
  _hle_json_compact ev_payload reason "$ev_payload" || return 1
  _hle_norm_ts ev_ts "$ev_ts" || return 1
  base=${f##*/}
  if [[ $base =~ ^[0-9]{8}T[0-9]{6}\.[0-9]{6}Z_[a-z][a-z0-9_]{0,63}_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$ ]]; then
    ev_id=${BASH_REMATCH[1]}
  elif [[ $jid =~ ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$ ]]; then
    ev_id=${jid,,}
  else
    _hle_uuid3 ev_id "$rel" || return 1
  fi
  [[ -n $ev_cid ]] || ev_cid=$ev_id
  return 0
}

# _hle_unshow OUTVAR VALUE: an already JSON-escaped VALUE made safe for one terminal line
# (raw DEL, C1 and bidirectional controls, which JSON allows unescaped, become \uXXXX).
_hle_unshow() {
  local v=$2
  [[ $v == *[$'\x7f'$'\xc2'$'\xd8'$'\xe2']* ]] && _hle_escape_ctl v "$v"
  printf -v "$1" '%s' "$v"
}

# _hle_collect FUNC DATE NODE TYPE SEVERITY SERVICE CID [FORMAT]: prints a record for every matching
# event (DATE: yyyy-MM-dd or "all"; empty filters match everything): the display record of
# _hle_format, or with FORMAT "pairing" the record of _hle_pair_record (FORMAT "steps": of
# _hle_step_record) for remediation events only.
_hle_collect() {
  local fn=$1 date=$2 fnode=$3 ftype=$4 fsev=$5 fsvc=$6 fcid=$7 format=${8:-} root="" d="" n="" f=""
  local ev_ts="" ev_node="" ev_type="" ev_sev="" ev_src="" ev_svc="" ev_cid="" ev_payload="" ev_id=""
  local -a days=()
  local label='[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
  local nodere="^$label(\\.$label)*\$"
  _hle_root "$fn" root || return 2
  [[ -n $fnode ]] && _hle_json_escape fnode "$fnode"
  [[ -n $ftype ]] && _hle_json_escape ftype "$ftype"
  [[ -n $fsev ]] && _hle_json_escape fsev "$fsev"
  [[ -n $fsvc ]] && _hle_json_escape fsvc "$fsvc"
  [[ -n $fcid ]] && _hle_json_escape fcid "$fcid"
  [[ -d $root ]] || return 0
  if [[ $date == all ]]; then
    days=("$root"/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9])
  else
    days=("$root/$date")
  fi
  for d in "${days[@]}"; do
    [[ -d $d && ! -L $d ]] || continue
    for n in "$d"/*; do
      [[ -d $n && ! -L $n ]] || continue
      ((${#n} - ${#d} - 1 <= 253)) || continue
      [[ ${n##*/} =~ $nodere ]] || continue
      for f in "$n"/*.json; do
        ev_ts="" ev_node="" ev_type="" ev_sev="" ev_src="" ev_svc="" ev_cid="" ev_payload="" ev_id=""
        _hle_read_event "$f" "${f#"$root"/}" || continue
        [[ -z $fnode || $ev_node == "$fnode" ]] || continue
        [[ -z $ftype || $ev_type == "$ftype" ]] || continue
        [[ -z $fsev || $ev_sev == "$fsev" ]] || continue
        [[ -z $fsvc || $ev_svc == "$fsvc" ]] || continue
        [[ -z $fcid || $ev_cid == "$fcid" ]] || continue
        if [[ $format == steps ]]; then
          [[ $ev_type == remediation_started || $ev_type == remediation_completed ]] || continue
          _hle_step_record
        elif [[ $format == pairing ]]; then
          [[ $ev_type == remediation_started || $ev_type == remediation_completed ]] || continue
          _hle_pair_record
        else
          _hle_format
        fi
      done
    done
  done
  return 0
}

# _hle_id_order OUTVAR ID: a sort key that puts ids in the server's order (java.util.UUID.compareTo
# compares the two 64-bit halves as signed numbers): the top bit of each half flipped, so that the
# byte order of `sort` agrees.
_hle_id_order() {
  local flip=89abcdef01234567 id=$2
  printf -v "$1" '%s%s%s%s' "${flip:16#${id:0:1}:1}" "${id:1:18}" "${flip:16#${id:19:1}:1}" "${id:20}"
}

# _hle_format: prints the caller's ev_* as "ts<TAB>node<TAB>id order<TAB>cid<TAB>display line".
_hle_format() {
  local node="" src="" svc="" cid="" payload="" type="" sev="" order=""
  _hle_unshow node "$ev_node"
  _hle_unshow type "$ev_type"
  _hle_unshow sev "$ev_sev"
  _hle_unshow src "$ev_src"
  _hle_unshow svc "$ev_svc"
  _hle_unshow cid "$ev_cid"
  _hle_unshow payload "$ev_payload"
  _hle_id_order order "$ev_id"
  printf '%s\t%s\t%s\t%s\t%s %s %s %s service=%s source=%s cid=%s id=%s payload=%s\n' \
    "$ev_ts" "$node" "$order" "$cid" "$ev_ts" "$node" "$sev" "$type" "$svc" "$src" "$cid" "$ev_id" "$payload"
}

# _hle_pair_record: prints the caller's ev_* (a remediation event) as "ts<TAB>node<TAB>id order<TAB>
# type<TAB>id<TAB>cid<TAB>started_event_id<TAB>step key<TAB>" and the record of _hle_format.
# started_event_id and the step key are "=<text>" (strings in the form of _hle_json_canon) or "-"
# when absent.
_hle_pair_record() {
  local order="" pf_sid="" pf_step="" pf_action=""
  _hle_id_order order "$ev_id"
  _hle_pair_fields "$ev_payload"
  [[ -n $pf_step ]] || pf_step=$pf_action
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t' "$ev_ts" "$ev_node" "$order" "$ev_type" "$ev_id" "$ev_cid" \
    "${pf_sid:--}" "${pf_step:--}"
  _hle_format
}

# _hle_json_canon OUTVAR TEXT: TEXT (the inside of a valid JSON string) in one canonical escaped
# form, so that two JSON strings hold the same text exactly when their canonical forms are equal
# ("caf\u00e9" and "café" alike): escapes are resolved, surrogate pairs joined, and what
# _hle_json_escape escapes is escaped its way (a lone surrogate stays \uXXXX, lower case).
_hle_json_canon() {
  local s=$2 out="" e="" hex="" ch="" cp=0 lo=0 bs=\\
  while [[ $s == *"$bs"* ]]; do
    out+=${s%%"$bs"*}
    s=${s#*"$bs"}
    e=${s:0:1}
    s=${s:1}
    case $e in
    '"') out+="$bs\"" ;;
    "$bs") out+="$bs$bs" ;;
    /) out+=/ ;;
    b | f | n | r | t) out+="$bs$e" ;;
    u)
      cp=$((16#${s:0:4}))
      s=${s:4}
      if ((cp >= 0xd800 && cp <= 0xdbff)) && [[ $s =~ ^\\u([dD][c-fC-F][0-9a-fA-F]{2}) ]]; then
        lo=$((16#${BASH_REMATCH[1]}))
        s=${s:6}
        cp=$((0x10000 + ((cp - 0xd800) << 10) + lo - 0xdc00))
      fi
      if ((cp == 8)); then
        out+="${bs}b"
      elif ((cp == 9)); then
        out+="${bs}t"
      elif ((cp == 10)); then
        out+="${bs}n"
      elif ((cp == 12)); then
        out+="${bs}f"
      elif ((cp == 13)); then
        out+="${bs}r"
      elif ((cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff))); then
        printf -v hex '%04x' "$cp"
        out+="${bs}u$hex"
      elif ((cp == 0x22)); then
        out+="$bs\""
      elif ((cp == 0x5c)); then
        out+="$bs$bs"
      else
        if ((cp < 0x80)); then
          printf -v hex '\\x%02x' "$cp"
        elif ((cp < 0x800)); then
          printf -v hex '\\x%02x\\x%02x' $((0xc0 | cp >> 6)) $((0x80 | (cp & 0x3f)))
        elif ((cp < 0x10000)); then
          printf -v hex '\\x%02x\\x%02x\\x%02x' $((0xe0 | cp >> 12)) $((0x80 | (cp >> 6 & 0x3f))) $((0x80 | (cp & 0x3f)))
        else
          printf -v hex '\\x%02x\\x%02x\\x%02x\\x%02x' $((0xf0 | cp >> 18)) $((0x80 | (cp >> 12 & 0x3f))) \
            $((0x80 | (cp >> 6 & 0x3f))) $((0x80 | (cp & 0x3f)))
        fi
        printf -v ch '%b' "$hex"
        out+=$ch
      fi
      ;;
    esac
  done
  out+=$s
  _hle_escape_ctl out "$out"
  printf -v "$1" '%s' "$out"
}

# _hle_pair_fields PAYLOAD: reads the top-level fields started_event_id, step and action of a
# compact, valid payload object as the server does (the last of duplicate keys wins; a string,
# number or boolean is text, null, an object or an array is no value) into the caller's pf_sid,
# pf_step and pf_action: "=<text>" (strings in the form of _hle_json_canon, other values as
# written) or "" when absent. Linear time: the text is cut at '"' like in _hle_json_compact.
_hle_pair_fields() {
  local seg="" str="" t="" key="" depth=0 instr=0 want="" value="" rc=0
  pf_sid="" pf_step="" pf_action=""
  while :; do
    seg=""
    IFS= read -r -d '"' seg
    rc=$?
    if ((instr)); then
      str+=$seg
      [[ $seg =~ (\\*)$ ]]
      if ((${#BASH_REMATCH[1]} % 2 == 1)); then
        str+='"' # an escaped quote: the string goes on
        continue
      fi
      instr=0
      if [[ $want == key ]]; then
        _hle_json_canon key "$str"
      elif [[ $want == value ]]; then
        _hle_json_canon value "$str"
        case $key in
        started_event_id) pf_sid="=$value" ;;
        step) pf_step="=$value" ;;
        action) pf_action="=$value" ;;
        esac
      fi
      str=""
      want=""
    else
      if [[ $key == started_event_id || $key == step || $key == action ]] && ((depth == 1)) && [[ $seg == :* ]]; then
        # the value of a wanted key: a string (seg is ":"), or a literal or a container here
        t=${seg:1}
        t=${t%%[,\}]*}
        case $t in
        '') ;;
        '{'* | '['* | null) value="" ;;
        *) value="=$t" ;;
        esac
        if [[ -n $t ]]; then
          case $key in
          started_event_id) pf_sid=$value ;;
          step) pf_step=$value ;;
          action) pf_action=$value ;;
          esac
        fi
      fi
      if [[ $seg == :* && $seg == ":" ]] && ((depth == 1)); then
        want=value
      fi
      t=${seg//[^\{\}\[\]]/}
      while [[ -n $t ]]; do
        case ${t:0:1} in
        '{' | '[') depth=$((depth + 1)) ;;
        *) depth=$((depth - 1)) ;;
        esac
        t=${t:1}
      done
      ((rc != 0)) && break
      if ((depth == 1)) && [[ $seg == *'{' || $seg == *, ]]; then
        want=key
        key=""
      elif [[ $want != value ]]; then
        want=""
      fi
      instr=1
    fi
  done <<<"$1"
  return 0
}

list_events() (
  _hle_setup
  local fn=list_events date="" node="" type="" sev="" svc="" cid="" opt="" TZ=UTC0
  while (($#)); do
    opt=$1
    case $opt in
    --date | --node | --type | --severity | --service | --cid | --correlation-id)
      if (($# < 2)); then
        _hle_usage_error "$fn" "option $opt needs a value"
        return 2
      fi
      case $opt in
      --date) date=$2 ;;
      --node) node=${2,,} ;; # node names match whatever their case
      --type) type=$2 ;;
      --severity) sev=$2 ;;
      --service) svc=$2 ;;
      --cid | --correlation-id) cid=$2 ;;
      esac
      shift 2
      ;;
    -h | --help)
      printf '%s\n' "usage: list_events [--date YYYY-MM-DD|today|all] [--node N] [--type T] [--severity S] [--service S] [--cid ID]"
      return 0
      ;;
    *)
      _hle_show opt "$opt"
      _hle_usage_error "$fn" "unknown argument \"$opt\"; usage: list_events [--date YYYY-MM-DD|today|all] [--node N] [--type T] [--severity S] [--service S] [--cid ID]"
      return 2
      ;;
    esac
  done
  if [[ -z $date || $date == today ]]; then
    printf -v date '%(%Y-%m-%d)T' -1
  elif [[ $date != all && ! $date =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
    _hle_field_error "$fn" date "$date" "must be YYYY-MM-DD, today or all"
    return 2
  fi
  _hle_collect "$fn" "$date" "$node" "$type" "$sev" "$svc" "$cid" | \sort | \cut -f5-
  local -a st=("${PIPESTATUS[@]}")
  return "${st[0]}"
)

get_chain() (
  _hle_setup
  if (($# != 1)) || [[ -z $1 ]]; then
    _hle_usage_error get_chain "usage: get_chain CORRELATION_ID"
    return 2
  fi
  _hle_collect get_chain all "" "" "" "" "$1" | \sort | \cut -f5-
  local -a st=("${PIPESTATUS[@]}")
  return "${st[0]}"
)

# _hle_close_step SID KEY: the server's pairing rule (ChainAnalysis), shared by latest_remediation
# and record_remediation. A completion (its started_event_id as "=ID" or "-", its step key as "=KEY"
# or "-") closes, among the open starts "${open[@]}" (indexes into the caller's ids and keys arrays,
# oldest first), the start its started_event_id names, else the oldest with the same key, else (no
# key at all) the latest. Sets the caller's match to the closed index and removes it from open;
# returns 1 when it closes none.
_hle_close_step() {
  local sid=$1 key=$2 j
  local -a rest=()
  match=""
  ((${#open[@]})) || return 1
  if [[ $sid != - ]]; then
    for j in "${open[@]}"; do
      if [[ "=${ids[j]}" == "$sid" ]]; then
        match=$j
        break
      fi
    done
  elif [[ $key == - ]]; then
    match=${open[${#open[@]} - 1]}
  else
    for j in "${open[@]}"; do
      if [[ ${keys[j]} == "$key" ]]; then
        match=$j
        break
      fi
    done
  fi
  [[ -n $match ]] || return 1
  for j in "${open[@]}"; do
    [[ $j == "$match" ]] || rest+=("$j")
  done
  open=("${rest[@]}")
}

latest_remediation() (
  _hle_setup
  if (($# != 1)) || [[ -z $1 ]]; then
    _hle_usage_error latest_remediation "usage: latest_remediation SERVICE"
    return 2
  fi
  # The server's pairing (get_remediation_history): the service's remediation events of each
  # correlation id, in listing order; a completion closes the open start named by its
  # started_event_id, else the oldest open start with the same step key (step, else action), else
  # (no key at all) the latest open start.
  local ts="" node="" order="" type="" id="" cid="" sid="" key="" shown="" i=0 j="" match="" last=""
  local -a records=() ids=() keys=() shows=() open=()
  local -A opened=() closed=()
  mapfile -t records < <(
    _hle_collect latest_remediation all "" "" "" "$1" "" pairing | \sort
  )
  for ((i = 0; i < ${#records[@]}; i++)); do
    # no field is empty (absent values are "-"), so tab-splitting keeps every field in place
    IFS=$'\t' read -r ts node order type id cid sid key shown <<<"${records[i]}"
    ids[i]=$id keys[i]=$key shows[i]=$shown
    if [[ $type == remediation_started ]]; then
      opened["c$cid"]+=" $i"
      last=$i
      continue
    fi
    read -r -a open <<<"${opened["c$cid"]:-}"
    _hle_close_step "$sid" "$key" || continue
    closed["s$match"]=$i
    opened["c$cid"]=" ${open[*]}"
  done
  [[ -n $last ]] || return 1
  # the display line: the record of _hle_format without its four sort fields
  printf '%s\n' "${shows[last]#*$'\t'*$'\t'*$'\t'*$'\t'}"
  if [[ -n ${closed["s$last"]:-} ]]; then
    printf 'completed: %s\n' "${shows[${closed["s$last"]}]#*$'\t'*$'\t'*$'\t'*$'\t'}"
  else
    printf 'completed: no\n'
  fi
  return 0
)

# ---------------------------------------------------------------------------------------------
# Recording remediation steps

# _hle_step_record: prints the caller's ev_* (a remediation event) as "ts<TAB>node<TAB>id order<TAB>
# type<TAB>id<TAB>service<TAB>started_event_id<TAB>step key", the service in the form of
# _hle_json_canon, started_event_id and the step key as "=<text>" or "-" (see _hle_pair_fields).
_hle_step_record() {
  local order="" pf_sid="" pf_step="" pf_action="" svc=""
  _hle_id_order order "$ev_id"
  _hle_pair_fields "$ev_payload"
  [[ -n $pf_step ]] || pf_step=$pf_action
  _hle_json_canon svc "$ev_svc"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ev_ts" "$ev_node" "$order" "$ev_type" "$ev_id" "$svc" \
    "${pf_sid:--}" "${pf_step:--}"
}

# _hle_claim_step FUNC ROOT CID SERVICE STEP RUN ID KNOWN: claims run RUN of the step for the event
# ID (docs/format.md, "Remediation step locks"): links <root>/.locks/remediation/<key>.<RUN>, key
# the SHA-256 of "CID\0SERVICE\0STEP". KNOWN: the ids of the chain's remediation events, space
# separated (a marker naming one of them is never abandoned). Sets the caller's claimed to the
# marker it linked ("" when the marker already named ID). Returns 0 when the run is ID's, 3 when
# another starter holds it (reported), 1 on an I/O error (reported).
_hle_claim_step() {
  local fn=$1 root=$2 cid=$3 svc=$4 step=$5 run=$6 id=$7 known=" $8 " dir="" key="" base="" slot=""
  local marker="" tmp="" content="" err="" c="" holder="" mtime=0 now=0 i=0 ecid="" esvc="" estep=""
  local ts="" tsname="" day="" epoch="" shown=""
  claimed=""
  dir=$root/.locks/remediation
  _hle_mkdirs "$fn" "$dir" || return 1
  if [[ -L $root/.locks || -L $dir ]]; then
    _hle_usage_error "$fn" "step not started: $dir goes through a symbolic link"
    return 1
  fi
  key=$(printf '%s\0%s\0%s' "$cid" "$svc" "$step" | \sha256sum) || {
    _hle_usage_error "$fn" "step not started: sha256sum failed"
    return 1
  }
  key=${key%% *}
  base=$key.$run
  slot=$base
  _hle_json_escape ecid "$cid"
  _hle_json_escape esvc "$svc"
  _hle_json_escape estep "$step"
  _hle_now || return 1
  content="{\"event_id\":\"$id\",\"correlation_id\":\"$ecid\",\"service\":\"$esvc\",\"step\":\"$estep\",\"run\":$run,\"claimed_at\":\"$ts\"}"
  for ((i = 0; i < 64; i++)); do
    marker=$dir/$slot
    tmp=$dir/.$slot.$BASHPID.$RANDOM$RANDOM.tmp
    set -C
    if ! printf '%s\n' "$content" 2>/dev/null >"$tmp" || ! err=$(\sync -- "$tmp" 2>&1); then
      set +C
      \rm -f -- "$tmp"
      _hle_usage_error "$fn" "step not started: cannot write a marker in $dir ${err//$'\n'/ }"
      return 1
    fi
    set +C
    # COMMIT POINT of the claim: the link never replaces a name, so exactly one starter gets it
    if err=$(\ln -T -- "$tmp" "$marker" 2>&1); then
      \rm -f -- "$tmp"
      if ! err=$(\sync -- "$dir" 2>&1); then
        \rm -f -- "$marker"
        _hle_usage_error "$fn" "step not started: fsync of $dir failed: ${err//$'\n'/ }"
        return 1
      fi
      claimed=$marker
      return 0
    fi
    \rm -f -- "$tmp"
    if [[ $err != *"File exists"* ]]; then
      _hle_usage_error "$fn" "step not started: cannot link $marker: ${err//$'\n'/ }"
      return 1
    fi
    [[ -e $marker || -L $marker ]] || continue # withdrawn by its owner just now: try again
    c="" holder=""
    [[ -f $marker && ! -L $marker ]] && IFS= read -r -n 4096 c <"$marker"
    if [[ $c =~ \"event_id\"[[:space:]]*:[[:space:]]*\"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\" ]]; then
      holder=${BASH_REMATCH[1]}
    fi
    [[ $holder == "$id" ]] && return 0 # an earlier try of this very call
    printf -v now '%(%s)T' -1
    mtime=$(\stat -c %Y -- "$marker" 2>/dev/null) || mtime=$now
    if [[ -z $holder || $known == *" $holder "* ]] || ((now - mtime < 120)); then
      _hle_show shown "$step"
      _hle_usage_error "$fn" "step \"$shown\" is already open: another agent started it $((now - mtime)) seconds ago${holder:+ (event $holder)}; read the chain again, then complete it (phase complete) or use another step key"
      return 3
    fi
    slot=$base.$holder # abandoned: its writer died before its event was written
  done
  _hle_usage_error "$fn" "step not started: gave up after 64 abandoned or withdrawn claims on $dir/$base"
  return 1
}

record_remediation() (
  _hle_setup
  local fn=record_remediation
  if (($# < 5 || $# > 9)); then
    _hle_usage_error "$fn" "usage: record_remediation PHASE CORRELATION_ID SERVICE ACTION ACTOR [STEP [RESULT [NOTE [ID]]]] (got $# arguments)"
    return 2
  fi
  local phase=$1 cid=$2 svc=$3 action=$4 actor=$5 step=${6:-} result=${7:-} note=${8:-} id=${9:-}
  local node=${HOMELAB_NODE:-} origin="" root="" chosen=0 look=0 ts="" tsname="" day="" epoch="" rc=0 n=0
  local ecid="" esvc="" eaction="" eactor="" estep="" enote="" body="" found="" type="" sev="" payload=""
  local line="" want="" cstep="" csvc="" claimed="" started="" known="" r_type="" r_id="" r_svc="" r_sid="" r_key="" i=0 j="" match=""
  local -a records=() ids=() keys=() open=()
  case $phase in
  start | complete) ;;
  *)
    _hle_field_error "$fn" phase "$phase" "allowed: start, complete"
    return 2
    ;;
  esac
  _hle_check_name "$fn" correlation_id "$cid" 0 1 || return 2
  _hle_check_name "$fn" service "$svc" 1 1 || return 2
  _hle_check_name "$fn" action "$action" 0 1 || return 2
  _hle_check_name "$fn" actor "$actor" 1 1 || return 2
  [[ -z $step ]] && step=$action
  _hle_check_name "$fn" step "$step" 0 1 || return 2
  if [[ $phase == start && -n $result ]]; then
    _hle_field_error "$fn" result "$result" "is only allowed with phase complete"
    return 2
  fi
  if [[ $phase == complete && -n $result && $result != succeeded && $result != failed ]]; then
    _hle_field_error "$fn" result "$result" "allowed: succeeded, failed"
    return 2
  fi
  if [[ -n $note ]]; then
    _hle_cplen n "$note"
    if ! _hle_is_utf8 "$note" || ((n > 500)); then
      _hle_field_error "$fn" note "$note" "valid UTF-8, at most 500 characters"
      return 2
    fi
  fi
  if [[ -n $id ]]; then
    _hle_check_id "$fn" id "$id" || return 2
    chosen=1 look=1
  fi
  if [[ -z $node ]]; then
    node=$(\hostname 2>/dev/null)
    origin=" (from hostname)"
  else
    origin=" (from HOMELAB_NODE)"
  fi
  _hle_check_node "$fn" "$node" "$origin" || return 2
  _hle_root "$fn" root || return 2
  if { [[ -z $id ]] && ! _hle_uuid4 id; } || ! _hle_now; then
    _hle_usage_error "$fn" "step not recorded: cannot read the clock or generate an id"
    return 1
  fi
  _hle_json_escape ecid "$cid"
  _hle_json_escape esvc "$svc"
  _hle_json_escape eaction "$action"
  _hle_json_escape eactor "$actor"
  _hle_json_escape estep "$step"
  _hle_json_escape enote "$note"
  if [[ -n ${HOMELAB_EVENTS_URL:-} ]]; then
    body="{\"phase\":\"$phase\",\"correlation_id\":\"$ecid\",\"service\":\"$esvc\",\"action\":\"$eaction\",\"actor\":\"$eactor\",\"step\":\"$estep\",\"id\":\"$id\""
    [[ -n $result ]] && body+=",\"result\":\"$result\""
    [[ -n $note ]] && body+=",\"note\":\"$enote\""
    body+="}"
    _hle_post "$fn" "$body" /api/tools/record_remediation
    rc=$?
    ((rc == 4)) && return 3
    ((rc == 3)) || return $rc
    look=1
  fi
  if [[ $phase == start ]]; then
    type=remediation_started sev=warning
  else
    type=remediation_completed sev=info
    [[ $result == failed ]] && sev=error
  fi
  if ((look)) && _hle_find_id found "$root" "$epoch" "$id"; then
    # a retry of a call that recorded its event: answered with it, whatever happened to the step since
    if [[ ${found##*/} != *"_${type}_$id.json" ]]; then
      _hle_usage_error "$fn" "step not recorded: id $id is already stored as another event at $found; choose a new id"
      return 3
    fi
    printf '%s\n' "$id"
    return 0
  fi
  # the server's open rule (ChainAnalysis.openStarts): the starts of this service in the chain that
  # no completion closed, paired as the server pairs them; and how many starts the step had (its run)
  _hle_json_canon csvc "$esvc"
  _hle_json_canon cstep "$estep"
  want="=$cstep"
  mapfile -t records < <(_hle_collect "$fn" all "" "" "" "" "$cid" steps | \sort)
  n=0
  for ((i = 0; i < ${#records[@]}; i++)); do
    # the first three fields (time, node, id order) only sort the records
    IFS=$'\t' read -r _ _ _ r_type r_id r_svc r_sid r_key <<<"${records[i]}"
    ids[i]=$r_id keys[i]=$r_key
    known+=" $r_id"
    if [[ $r_type == remediation_started ]]; then
      if [[ $r_svc == "$csvc" ]]; then
        open+=("$i")
        [[ $r_key == "$want" ]] && n=$((n + 1))
      fi
      continue
    fi
    _hle_close_step "$r_sid" "$r_key" || continue
  done
  started=""
  for j in "${open[@]}"; do
    [[ ${keys[j]} == "$want" ]] && started=${ids[j]}
  done
  if [[ $phase == start && -n $started ]]; then
    _hle_show want "$step"
    _hle_usage_error "$fn" "step \"$want\" is already open in this chain: it was already started (event $started) and not completed; complete it first (phase complete) or use another step key"
    return 3
  fi
  if [[ $phase == complete && -z $started ]]; then
    _hle_field_error "$fn" step "$step" "has no open remediation_started for this service in this chain; record phase start first"
    return 2
  fi
  payload="{\"action\":\"$eaction\",\"step\":\"$estep\",\"actor\":\"$eactor\""
  [[ $phase == complete ]] && payload+=",\"result\":\"${result:-succeeded}\",\"started_event_id\":\"$started\""
  [[ -n $note ]] && payload+=",\"note\":\"$enote\""
  payload+="}"
  if [[ $phase == start ]]; then
    _hle_claim_step "$fn" "$root" "$cid" "$svc" "$step" "$n" "$id" "$known" || return $?
    if [[ -z $claimed ]]; then
      # the marker already names this call's id: an earlier try (a server that timed out) claimed the
      # run and may be writing the event right now; give it five seconds
      for ((i = 0; i < 50; i++)); do
        if _hle_find_id found "$root" "$epoch" "$id"; then
          printf '%s\n' "$id"
          return 0
        fi
        \sleep 0.1
      done
    fi
  fi
  line="{\"timestamp\":\"$ts\",\"node\":\"$node\",\"type\":\"$type\",\"severity\":\"$sev\",\"source\":\"$eactor\",\"service\":\"$esvc\",\"correlation_id\":\"$ecid\",\"payload\":$payload}"
  _hle_store "$fn" "$root" "$day" "$node" "${tsname}_${type}_${id}.json" "$line" "$id" "$epoch" 0 0
  rc=$?
  if ((rc != 0)); then
    # nothing was stored: the step may be started again at once
    [[ -n $claimed ]] && \rm -f -- "$claimed"
    return $rc
  fi
  printf '%s\n' "$id"
)
