"""Write and read homelab events from Python (standard library only, Python 3.8+).

Usage::

    from scripts.lib.events import emit_event, list_events, get_chain, latest_remediation

    event = emit_event(
        event_type="service_unhealthy",
        severity="error",
        source="monitor.py",
        service="ollama",
        correlation_id="12345",
        payload={"error": "OOM"},
    )
    print(event["id"], event["path"])

Events are files in the store described by ``docs/format.md`` (on-disk format v1)::

    <root>/<yyyy-MM-dd>/<node>/<yyyyMMddTHHmmss.ffffffZ>_<type>_<uuid>.json

each holding one compact JSON object with the eight fields ``timestamp, node, type, severity,
source, service, correlation_id, payload`` (in that order) and a trailing newline. The write is
durable and atomic and never replaces a file: temporary file in the target directory, fsync,
hard link to the final name (the commit point), unlink of the temporary file, fsync of the
directory.

Configuration (environment):

``HOMELAB_EVENTS_DIR``
    store root (absolute path). Unset: ``/opt/homelab/events`` if it exists or can be created,
    else ``${XDG_DATA_HOME:-$HOME/.local/share}/homelab/events``.
``HOMELAB_NODE``
    node name (default: ``socket.gethostname()``, which is what ``hostname`` prints).
``HOMELAB_EVENTS_CUSTOM_TYPES``
    extra event types, comma separated, each ``[a-z][a-z0-9_]{0,63}``.
``HOMELAB_EVENTS_URL``, ``HOMELAB_EVENTS_TOKEN``, ``HOMELAB_EVENTS_TIMEOUT``
    optional server mode: ``emit_event`` POSTs to ``$HOMELAB_EVENTS_URL/api/events`` (bearer
    token if set) and falls back to the local files when the server cannot be reached or
    answers 5xx; a 4xx answer raises.

Readers skip, silently, everything that is not an event (temporary dot-prefixed names, symlinks,
non-regular files, files over 1 MiB, empty, truncated, corrupt or non-UTF-8 content) and never
modify anything.
"""

import datetime as _dt
import errno
import hashlib
import json
import logging
import math
import os
import re
import secrets
import socket
import stat
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

__all__ = [
    "EventValidationError",
    "EventWriteError",
    "EVENT_TYPES",
    "SEVERITIES",
    "emit_event",
    "list_events",
    "get_chain",
    "latest_remediation",
    "store_root",
]

#: The ten normalized event types of the specification.
EVENT_TYPES: Tuple[str, ...] = (
    "deployment_started",
    "deployment_completed",
    "deployment_failed",
    "service_unhealthy",
    "service_recovered",
    "node_offline",
    "node_online",
    "healthcheck_failed",
    "remediation_started",
    "remediation_completed",
)
#: Types the server itself writes (the audit of questions asked through /api/ask, the console's operator notes),
#: accepted like custom ones.
BUILT_IN_CUSTOM_TYPES: Tuple[str, ...] = ("operator_query", "operator_note")
#: Allowed severities.
SEVERITIES: Tuple[str, ...] = ("info", "warning", "error", "critical")

_LOG = logging.getLogger(__name__)

SYSTEM_ROOT = "/opt/homelab/events"
MAX_PAYLOAD_BYTES = 65536
MAX_PAYLOAD_DEPTH = 16
MAX_FILE_BYTES = 1024 * 1024
MAX_FUTURE = _dt.timedelta(hours=24)

_TYPE_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_NODE_RE = re.compile(_LABEL + r"(?:\." + _LABEL + r")*")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NAME_RE = re.compile(
    r"[0-9]{8}T[0-9]{6}\.[0-9]{6}Z_[a-z][a-z0-9_]{0,63}_("
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json"
)
_TS_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)"
)
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# White space that makes a name blank (Java's Character.isWhitespace minus the controls,
# which are refused anyway); no-break spaces are not blank.
_BLANK = frozenset(" \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a"
                   "\u2028\u2029\u205f\u3000")
# What Java's String.isBlank() treats as white space.
_JAVA_BLANK = _BLANK | frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f")
_MIN_TS = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_EVENT_FIELDS = ("timestamp", "node", "type", "severity", "source", "service",
                 "correlation_id", "payload")


class EventValidationError(ValueError):
    """A bad argument or configuration; nothing was written.

    ``field`` names the offending field (``type``, ``severity``, ``source``, ``service``,
    ``correlation_id``, ``payload``, ``node``, ``timestamp``) or environment variable.
    """

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__("invalid {} {}: {}".format(field, _show(value), allowed))


class EventWriteError(OSError):
    """The event could not be stored (I/O error, failed fsync, server refused it...).

    Nothing was acknowledged: no final-named file is left behind by the failed write.
    """


def _show(value: Any) -> str:
    """``value`` escaped for a one-line message, cut to 80 characters."""
    if not isinstance(value, str):
        return "({}) {}".format(type(value).__name__, _show(repr(value)))
    cut = value[:80]
    out = json.dumps(cut, ensure_ascii=False)
    for ch in set(cut):
        if ("\x7f" <= ch <= "\x9f") or ch in _BIDI:
            out = out.replace(ch, "\\u{:04x}".format(ord(ch)))
    if len(value) > 80:
        out += "...({} characters)".format(len(value))
    return out


def _has_control(value: str) -> bool:
    for ch in value:
        o = ord(ch)
        if o < 0x20 or 0x7F <= o <= 0x9F or ch in _BIDI:
            return True
    return False


def _is_utf8_encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_name(field: str, value: Any, no_slash: bool, not_blank: bool) -> str:
    if no_slash:
        rule = ("1-128 characters, not blank, no control or bidirectional characters, "
                "no '/' or '\\'")
    else:
        rule = "1-128 characters, no control or bidirectional characters"
    if not isinstance(value, str):
        raise EventValidationError(field, value, "must be a string; " + rule)
    if not _is_utf8_encodable(value):
        raise EventValidationError(field, value, "must be valid Unicode (no lone surrogates); " + rule)
    if not 1 <= len(value) <= 128 or _has_control(value):
        raise EventValidationError(field, value, rule)
    if no_slash and ("/" in value or "\\" in value):
        raise EventValidationError(field, value, rule)
    if not_blank and _is_blank(value):
        raise EventValidationError(field, value, rule)
    return value


def _is_blank(value: str) -> bool:
    return all(ch in _JAVA_BLANK for ch in value)


def _check_node(value: Any, origin: str) -> str:
    if not isinstance(value, str) or len(value) > 253 or not _NODE_RE.fullmatch(value):
        raise EventValidationError(
            "node", value,
            "must be a hostname{}: letters, digits, '-' and '.', labels of 1-63 characters not "
            "starting or ending with '-', at most 253 characters (set HOMELAB_NODE)".format(origin))
    return value


def _event_types() -> Tuple[str, ...]:
    custom = []
    for raw in os.environ.get("HOMELAB_EVENTS_CUSTOM_TYPES", "").split(","):
        name = raw.strip(" \t")
        if not name:
            continue
        if not _TYPE_RE.fullmatch(name):
            raise EventValidationError("HOMELAB_EVENTS_CUSTOM_TYPES", name,
                                       "each custom type must match [a-z][a-z0-9_]{0,63}")
        custom.append(name)
    return EVENT_TYPES + BUILT_IN_CUSTOM_TYPES + tuple(custom)


def _check_type(value: Any) -> str:
    types = _event_types()
    if not isinstance(value, str) or value not in types:
        raise EventValidationError(
            "type", value,
            "must be one of: {} (more with HOMELAB_EVENTS_CUSTOM_TYPES)".format(", ".join(types)))
    return value


def _payload_problem(value: Any, depth: int) -> Optional[str]:
    """Why ``value`` (at nesting ``depth``) cannot be stored as JSON, or None."""
    if isinstance(value, dict):
        if depth > MAX_PAYLOAD_DEPTH:
            return "nested deeper than {} levels".format(MAX_PAYLOAD_DEPTH)
        for key, item in value.items():
            if not isinstance(key, str):
                return "object keys must be strings, got {!r}".format(key)
            if not _is_utf8_encodable(key):
                return "object key is not valid Unicode"
            problem = _payload_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, (list, tuple)):
        if depth > MAX_PAYLOAD_DEPTH:
            return "nested deeper than {} levels".format(MAX_PAYLOAD_DEPTH)
        for item in value:
            problem = _payload_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, str):
        if not _is_utf8_encodable(value):
            return "string is not valid Unicode (lone surrogate)"
    elif isinstance(value, bool) or value is None or isinstance(value, int):
        pass
    elif isinstance(value, float):
        if not math.isfinite(value):
            return "numbers must be finite (no NaN or Infinity)"
    else:
        return "{} is not a JSON value".format(type(value).__name__)
    return None


def _compact_payload(payload: Any) -> str:
    allowed = "one JSON object (a dict), at most {} levels deep, at most {} bytes".format(
        MAX_PAYLOAD_DEPTH, MAX_PAYLOAD_BYTES)
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise EventValidationError("payload", payload, "must be a JSON object; " + allowed)
    problem = _payload_problem(payload, 1)
    if problem:
        raise EventValidationError("payload", payload, problem + "; " + allowed)
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    size = len(text.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise EventValidationError("payload", payload,
                                   "is {} bytes compacted; {}".format(size, allowed))
    return text


def _parse_timestamp(value: Any) -> Optional[_dt.datetime]:
    """An ISO 8601 instant with an offset (string or aware datetime) as an aware UTC datetime."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return None
        return value.astimezone(_dt.timezone.utc)
    if not isinstance(value, str):
        return None
    m = _TS_RE.fullmatch(value)
    if not m:
        return None
    year, month, day, hour, minute, sec, frac, off = m.groups()
    micro = int((frac or "0").ljust(6, "0")[:6])
    if off in ("Z", "z"):
        tz = _dt.timezone.utc
    else:
        parts = [int(p) for p in off[1:].split(":")] + [0]
        hours, mins, secs = parts[0], parts[1], parts[2]
        if hours > 18 or mins > 59 or secs > 59:
            return None
        delta = _dt.timedelta(hours=hours, minutes=mins, seconds=secs)
        if delta > _dt.timedelta(hours=18):
            return None
        tz = _dt.timezone(-delta if off[0] == "-" else delta)
    try:
        moment = _dt.datetime(int(year), int(month), int(day), int(hour), int(minute),
                              int(sec or 0), micro, tzinfo=tz).astimezone(_dt.timezone.utc)
    except (ValueError, OverflowError):
        return None
    return moment


def _format_ts(moment: _dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _creatable(path: str) -> bool:
    """True when ``path`` could be created by this user. Creates nothing."""
    probe = path
    while not os.path.lexists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    return os.path.isdir(probe) and os.access(probe, os.W_OK | os.X_OK)


def store_root() -> str:
    """The store root: ``HOMELAB_EVENTS_DIR``, else the default rule of the module docstring."""
    root = os.environ.get("HOMELAB_EVENTS_DIR", "")
    if root:
        if not os.path.isabs(root):
            raise EventValidationError("HOMELAB_EVENTS_DIR", root, "must be an absolute path")
    elif os.path.isdir(SYSTEM_ROOT) or _creatable(SYSTEM_ROOT):
        root = SYSTEM_ROOT
    else:
        base = os.environ.get("XDG_DATA_HOME", "")
        if not os.path.isabs(base):
            home = os.environ.get("HOME", "")
            if not os.path.isabs(home):
                raise EventValidationError(
                    "HOMELAB_EVENTS_DIR", "",
                    "cannot choose a store: /opt/homelab/events is not writable and HOME is not set")
            base = os.path.join(home, ".local", "share")
        root = os.path.join(base, "homelab", "events")
    return root.rstrip("/") or "/"


# ---------------------------------------------------------------------------------------------
# Writing


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_dirs(target: str) -> None:
    """Creates ``target`` and missing parents (0755) and fsyncs each new directory and its parent."""
    missing = []
    probe = target
    while not os.path.isdir(probe):
        if os.path.lexists(probe):
            raise EventWriteError(errno.ENOTDIR, "exists and is not a directory", probe)
        missing.append(probe)
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if not missing:
        return
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o755)
        except FileExistsError:
            if not os.path.isdir(path):
                raise
            continue  # created by a concurrent writer: it is fsynced below all the same
        os.chmod(path, 0o755)  # mkdir's mode is cut by the umask
    for path in missing + [probe]:
        _fsync_dir(path)


def _write_event_file(root: str, day: str, node: str, name: str, content: bytes) -> str:
    """The write protocol of docs/format.md; returns the final path."""
    day_dir = os.path.join(root, day)
    node_dir = os.path.join(day_dir, node)
    _make_dirs(node_dir)
    # never write through a symlinked partition: the path must stay under the root
    for path in (day_dir, node_dir):
        if os.path.islink(path):
            raise EventWriteError(errno.ELOOP, "refusing to write through a symbolic link", path)
    final = os.path.join(node_dir, name)
    tmp = os.path.join(node_dir, ".{}.{}.{}.tmp".format(name, os.getpid(), secrets.token_hex(6)))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_CLOEXEC", 0), 0o644)
    linked = False
    try:
        try:
            os.fchmod(fd, 0o644)  # the creation mode is cut by the umask
            view = memoryview(content)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            # a failed fsync is final: the data may never reach the disk, never retry it
            os.fsync(fd)
        finally:
            os.close(fd)
        # COMMIT POINT: a hard link never replaces an existing name
        os.link(tmp, final)
        linked = True
        os.unlink(tmp)
        _fsync_dir(node_dir)
    except BaseException:
        # not durable, so not acknowledged: leave neither the temporary nor the final name
        for path in ([final] if linked else []) + [tmp]:
            try:
                os.unlink(path)
            except OSError:
                pass
        raise
    return final


def _post(body: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """Sends the event to the server. Returns the stored event, or None when the server cannot
    be used (connection error, timeout, 5xx) and the event must be written locally."""
    url = os.environ["HOMELAB_EVENTS_URL"].rstrip("/") + "/api/events"
    try:
        timeout = float(os.environ.get("HOMELAB_EVENTS_TIMEOUT", "10"))
    except ValueError:
        timeout = 10.0
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    token = os.environ.get("HOMELAB_EVENTS_TOKEN", "")
    if token:
        headers["Authorization"] = "Bearer " + token
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read()
    except urllib.error.HTTPError as err:
        if 400 <= err.code < 500:
            detail = ""
            field = "server"
            try:
                problem = json.loads(err.read().decode("utf-8", "replace"))
                if isinstance(problem, dict):
                    detail = str(problem.get("detail") or problem.get("message")
                                 or problem.get("title") or "")
                    errors = problem.get("errors")
                    if isinstance(errors, list) and errors and isinstance(errors[0], dict) \
                            and isinstance(errors[0].get("field"), str):
                        field = errors[0]["field"]
                    elif isinstance(problem.get("field"), str):
                        field = problem["field"]
            except (ValueError, OSError):
                pass
            if err.code in (400, 413, 422):
                raise EventValidationError(field, detail or err.reason,
                                           "refused by the server (HTTP {})".format(err.code)) from err
            raise EventWriteError(errno.EACCES if err.code in (401, 403) else errno.EIO,
                                  "server refused the event (HTTP {}): {}".format(
                                      err.code, detail or err.reason)) from err
        return None
    except (urllib.error.URLError, OSError, ValueError):
        return None
    try:
        stored = json.loads(answer.decode("utf-8"))
    except ValueError:
        stored = None
    if not isinstance(stored, dict):
        stored = dict(body)
    return stored


def emit_event(
    event_type: str,
    severity: str,
    source: str,
    service: str,
    correlation_id: Optional[str] = None,
    payload: Optional[Mapping[str, Any]] = None,
    node: Optional[str] = None,
    timestamp: Optional[Union[str, _dt.datetime]] = None,
) -> Dict[str, Any]:
    """Validates and stores one event; returns it as stored, with ``id`` and ``path``.

    :param event_type: one of :data:`EVENT_TYPES` or of ``HOMELAB_EVENTS_CUSTOM_TYPES``.
    :param severity: ``info``, ``warning``, ``error`` or ``critical``.
    :param source: the emitting component, e.g. ``monitor.py`` (1-128 characters, not blank,
        no control or bidirectional characters, no ``/`` or ``\\``).
    :param service: the service concerned, or ``all`` (same rule as ``source``).
    :param correlation_id: links related events (1-128 characters, no control or bidirectional
        characters); None or ``""`` means the event's own id.
    :param payload: a JSON-serializable dict (string keys, finite numbers), at most 16 levels
        deep and 65,536 bytes compacted; None means ``{}``.
    :param node: overrides ``HOMELAB_NODE`` and the hostname.
    :param timestamp: an ISO 8601 instant with an offset (or an aware datetime), normalized to
        UTC microseconds; at most 24 hours ahead of this clock. None means now.
    :raises EventValidationError: on a bad argument (``.field`` names it); nothing is written.
    :raises EventWriteError: when the event could not be stored durably.

    In server mode (``HOMELAB_EVENTS_URL``) the returned dict is the server's answer and has no
    ``path`` unless the server sent one; it falls back to the local store when the server is
    unreachable or answers 5xx.
    """
    event_type = _check_type(event_type)
    if severity not in SEVERITIES:
        raise EventValidationError("severity", severity,
                                   "must be one of: " + ", ".join(SEVERITIES))
    source = _check_name("source", source, True, True)
    service = _check_name("service", service, True, True)
    if correlation_id is not None and correlation_id != "":
        correlation_id = _check_name("correlation_id", correlation_id, False, False)
    else:
        correlation_id = None
    compact = _compact_payload(payload)
    if node is None:
        env_node = os.environ.get("HOMELAB_NODE", "")
        node = _check_node(env_node or socket.gethostname(),
                           " (from HOMELAB_NODE)" if env_node else " (from hostname)")
    else:
        node = _check_node(node, "")
    now = _dt.datetime.now(_dt.timezone.utc)
    if timestamp is None:
        moment = now
    else:
        moment = _parse_timestamp(timestamp)
        if moment is None:
            raise EventValidationError(
                "timestamp", timestamp if isinstance(timestamp, str) else str(timestamp),
                "must be an ISO 8601 instant with an offset, e.g. 2026-11-26T23:47:51.123456Z")
        if moment > now + MAX_FUTURE:
            raise EventValidationError("timestamp", timestamp if isinstance(timestamp, str)
                                       else str(timestamp),
                                       "more than 24 hours ahead of this clock")
        if moment < _MIN_TS:
            raise EventValidationError("timestamp", timestamp if isinstance(timestamp, str)
                                       else str(timestamp), "must be between 1970 and 9999")
    root = store_root()
    ts = _format_ts(moment)
    event_payload = json.loads(compact)

    if os.environ.get("HOMELAB_EVENTS_URL"):
        body: Dict[str, Any] = {"timestamp": ts, "node": node, "type": event_type,
                                "severity": severity, "source": source, "service": service}
        if correlation_id is not None:
            body["correlation_id"] = correlation_id
        body["payload"] = event_payload
        stored = _post(body)
        if stored is not None:
            return stored
        _LOG.warning("server %s unavailable; writing the event to the local store",
                     os.environ.get("HOMELAB_EVENTS_URL"))

    event_id = str(uuid.uuid4())
    event = {
        "timestamp": ts,
        "node": node,
        "type": event_type,
        "severity": severity,
        "source": source,
        "service": service,
        "correlation_id": correlation_id if correlation_id is not None else event_id,
    }
    line = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    content = (line[:-1] + ',"payload":' + compact + "}\n").encode("utf-8")
    name = "{}_{}_{}.json".format(moment.strftime("%Y%m%dT%H%M%S.%fZ"), event_type, event_id)
    try:
        path = _write_event_file(root, moment.strftime("%Y-%m-%d"), node, name, content)
    except EventWriteError:
        raise
    except OSError as err:
        raise EventWriteError(err.errno, "event not stored: {}".format(err.strerror or err),
                              err.filename) from err
    event["payload"] = event_payload
    event["id"] = event_id
    event["path"] = path
    return event


# ---------------------------------------------------------------------------------------------
# Reading


def _reject_constant(name: str) -> Any:
    raise ValueError("not JSON: " + name)


def _uuid3_of(rel: str) -> str:
    """java.util.UUID.nameUUIDFromBytes(rel as UTF-8): the id of a file whose name has none."""
    digest = bytearray(hashlib.md5(rel.encode("utf-8", "surrogateescape")).digest())
    digest[6] = (digest[6] & 0x0F) | 0x30
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def _read_event(path: str, rel: str) -> Optional[Dict[str, Any]]:
    """The event in ``path`` with ``id`` and ``path``, or None when it is not one."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES or info.st_size == 0:
            return None
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                return None
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        data = json.loads(b"".join(chunks).decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    # the same acceptance rules as the Java store's reader (EventCodec)
    if not isinstance(data, dict):
        return None
    moment = _parse_timestamp(data.get("timestamp"))
    if moment is None:
        return None
    node = data.get("node")
    if not isinstance(node, str) or len(node) > 253 or not _NODE_RE.fullmatch(node):
        return None
    if not isinstance(data.get("type"), str) or not _TYPE_RE.fullmatch(data["type"]):
        return None
    if data.get("severity") not in SEVERITIES:
        return None
    for field in ("source", "service"):
        if not isinstance(data.get(field), str) or _is_blank(data[field]):
            return None
    if data.get("payload") is None:
        data["payload"] = {}
    elif not isinstance(data["payload"], dict):
        return None
    m = _NAME_RE.fullmatch(os.path.basename(path))
    if m:
        event_id = m.group(1)
    elif isinstance(data.get("id"), str) and _UUID_RE.fullmatch(data["id"].lower()):
        event_id = data["id"].lower()
    else:
        event_id = _uuid3_of(rel)
    event = dict(data)
    if not isinstance(event.get("correlation_id"), str) or not event["correlation_id"]:
        event["correlation_id"] = event_id
    event["id"] = event_id
    event["path"] = path
    event["_moment"] = moment
    return event


def _dirs(path: str) -> List[str]:
    """Names of the real (not symlinked), not hidden sub-directories of ``path``."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return []
    return sorted(e.name for e in entries
                  if not e.name.startswith(".") and e.is_dir(follow_symlinks=False))


def _iter_events(days: Optional[Iterable[str]]) -> Iterator[Dict[str, Any]]:
    root = store_root()
    if not os.path.isdir(root):
        return
    day_names = [d for d in _dirs(root) if _DATE_RE.fullmatch(d)] if days is None else days
    for day in day_names:
        day_dir = os.path.join(root, day)
        if os.path.islink(day_dir) or not os.path.isdir(day_dir):
            continue
        for node in _dirs(day_dir):
            if len(node) > 253 or not _NODE_RE.fullmatch(node):
                continue
            node_dir = os.path.join(day_dir, node)
            try:
                entries = list(os.scandir(node_dir))
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or not entry.name.endswith(".json"):
                    continue
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                except OSError:
                    continue
                event = _read_event(entry.path, "{}/{}/{}".format(day, node, entry.name))
                if event is not None:
                    yield event


_SIGN = 1 << 63


def _id_order(event_id: str) -> Tuple[int, int]:
    """The server's order of ids (java.util.UUID.compareTo): both 64-bit halves compared as signed."""
    digits = event_id.replace("-", "")
    return int(digits[:16], 16) ^ _SIGN, int(digits[16:], 16) ^ _SIGN


def _sorted(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Listing order, the server's: timestamp, then node, then id."""
    result = sorted(events, key=lambda e: (e["_moment"], e["node"], _id_order(e["id"])))
    for event in result:
        del event["_moment"]
    return result


def list_events(
    date: Union[None, str, _dt.date] = None,
    node: Optional[str] = None,
    event_type: Optional[str] = None,
    service: Optional[str] = None,
    correlation_id: Optional[str] = None,
    severity: Optional[str] = None,
) -> List[Dict[str, Any]]:
    """Events of one date directory (the UTC date of their timestamp), oldest first.

    :param date: ``None`` or ``"today"`` (UTC), a ``yyyy-MM-dd`` string, a :class:`datetime.date`,
        or ``"all"`` for every date.
    :param node, event_type, service, correlation_id, severity: exact-match filters (None: any).
    :returns: plain dicts: the stored fields plus ``id`` and ``path``; ordered by timestamp,
        then node, then id.
    """
    if date is None or date == "today":
        days: Optional[List[str]] = [_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")]
    elif date == "all":
        days = None
    elif isinstance(date, _dt.date):
        days = [date.strftime("%Y-%m-%d")]
    elif isinstance(date, str) and _DATE_RE.fullmatch(date):
        days = [date]
    else:
        raise EventValidationError("date", date, "must be YYYY-MM-DD, a datetime.date, today or all")
    wanted = {"node": node, "type": event_type, "service": service,
              "correlation_id": correlation_id, "severity": severity}
    return _sorted(e for e in _iter_events(days)
                   if all(v is None or e.get(k) == v for k, v in wanted.items()))


def get_chain(correlation_id: str) -> List[Dict[str, Any]]:
    """Every event with ``correlation_id``, across all dates and nodes, oldest first."""
    return list_events(date="all", correlation_id=correlation_id)


def _payload_text(event: Mapping[str, Any], field: str) -> Optional[str]:
    """A payload field as the server reads it for pairing: text of a string, number or boolean;
    None when it is missing, null, an object or an array."""
    payload = event.get("payload")
    value = payload.get(field) if isinstance(payload, dict) else None
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _step_key(event: Mapping[str, Any]) -> Optional[str]:
    """What links a completion to its start: payload ``step``, else ``action``."""
    step = _payload_text(event, "step")
    return step if step is not None else _payload_text(event, "action")


def _match_start(open_starts: List[Dict[str, Any]], completion: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The open start a completion closes, or None (the server's rule, ChainAnalysis.matchStart).

    By ``started_event_id`` when the completion has one (and nothing else then), else by step key
    (the oldest open start with the same key), else, for a completion without a key, the latest
    open start.
    """
    if not open_starts:
        return None
    started_id = _payload_text(completion, "started_event_id")
    if started_id is not None:
        return next((s for s in open_starts if s["id"] == started_id), None)
    key = _step_key(completion)
    if key is None:
        return open_starts[-1]
    return next((s for s in open_starts if _step_key(s) == key), None)


def _remediation_steps(service: str) -> List[Tuple[Optional[Dict[str, Any]], Optional[Dict[str, Any]]]]:
    """Every remediation step of ``service`` as (start, completion), in the order of the starts
    (a completion that closes nothing is a step of its own): the service's remediation events of
    each correlation id, in listing order, paired as the server pairs them."""
    steps: List[List[Optional[Dict[str, Any]]]] = []
    open_by_chain: Dict[str, List[Dict[str, Any]]] = {}
    step_of: Dict[str, List[Optional[Dict[str, Any]]]] = {}
    for event in list_events(date="all", service=service):
        if event["type"] == "remediation_started":
            open_by_chain.setdefault(event["correlation_id"], []).append(event)
            step_of[event["id"]] = [event, None]
            steps.append(step_of[event["id"]])
        elif event["type"] == "remediation_completed":
            open_starts = open_by_chain.get(event["correlation_id"], [])
            start = _match_start(open_starts, event)
            if start is None:
                steps.append([None, event])
            else:
                open_starts.remove(start)
                step_of[start["id"]][1] = event
    return [(s[0], s[1]) for s in steps]


def latest_remediation(service: str) -> Optional[Dict[str, Any]]:
    """What was last tried for ``service``.

    :returns: None when no ``remediation_started`` event exists for the service, else
        ``{"started": event, "completed": event_or_None}``: the most recent start (listing
        order) and the ``remediation_completed`` event that closed it, paired exactly as the
        server pairs steps: within one correlation id, in listing order, a completion closes the
        open start named by its payload ``started_event_id``, else the oldest open start with the
        same step key (payload ``step``, else ``action``), else (no key at all) the latest open start.
    """
    started = [(s, c) for s, c in _remediation_steps(service) if s is not None]
    if not started:
        return None
    last, completed = started[-1]  # steps come in the listing order of their starts
    return {"started": last, "completed": completed}
