#!/usr/bin/env bash
# Installs the homelab event system on a node: the bash and Python libraries, the systemd units of
# tools/systemd/ and the server (target/quarkus-app, built by ./mvnw package). Idempotent: a second run changes
# nothing that is already in place. See docs/ingest.md, "systemd".
#
#   tools/install.sh [--prefix DIR] [--server DIR | --no-server]
#
#   --prefix DIR   install under DIR (as an ordinary user: no account is created, systemd is not reloaded);
#                  the units then name the paths under DIR
#   --server DIR   the built server directory holding quarkus-run.jar (default: target/quarkus-app)
#   --no-server    libraries and units only
#
# Layout (under the prefix): /usr/local/lib/homelab-events/{scripts/lib,bin,server}, /etc/systemd/system/
# homelab-events.service and homelab-event@.service, /etc/homelab-events/env (created once, never overwritten),
# and the store /opt/homelab/events.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
prefix=""
server="$repo/target/quarkus-app"
with_server=1

while (($#)); do
  case $1 in
  --prefix)
    prefix=${2:?--prefix needs a directory}
    shift 2
    ;;
  --server)
    server=${2:?--server needs a directory}
    shift 2
    ;;
  --no-server)
    with_server=0
    shift
    ;;
  -h | --help)
    sed -n '2,17p' "$0"
    exit 0
    ;;
  *)
    echo "install.sh: unknown argument '$1' (see --help)" >&2
    exit 2
    ;;
  esac
done

if [ -n "$prefix" ]; then
  mkdir -p "$prefix"
  prefix=$(cd "$prefix" && pwd)
elif [ "$(id -u)" != 0 ]; then
  echo "install.sh: installing into / needs root; as an ordinary user give --prefix DIR" >&2
  exit 2
fi
if ((with_server)) && [ ! -f "$server/quarkus-run.jar" ]; then
  echo "install.sh: no server in $server (build it with ./mvnw package, or give --server DIR or --no-server)" >&2
  exit 2
fi

libdir=/usr/local/lib/homelab-events
store=/opt/homelab/events
changed=0

# copy SRC to DEST with MODE only when the content or mode differs (so a rerun is a no-op)
put() {
  local src=$1 dest=$2 mode=$3
  if [ -f "$dest" ] && cmp -s "$src" "$dest" && [ "$(stat -c %a "$dest")" = "$mode" ]; then
    return 0
  fi
  mkdir -p "$(dirname "$dest")"
  install -m "$mode" "$src" "$dest.tmp.$$"
  mv -f "$dest.tmp.$$" "$dest"
  echo "installed $dest"
  changed=1
}

# a unit with the default paths rewritten to the prefix's
put_unit() {
  local src=$1 dest=$2 tmp
  tmp=$(mktemp)
  sed -e "s#$libdir#$prefix$libdir#g" -e "s#$store#$prefix$store#g" -e "s#/etc/homelab-events/#$prefix/etc/homelab-events/#g" \
    "$src" >"$tmp"
  put "$tmp" "$dest" 644
  rm -f "$tmp"
}

for f in __init__.py lib/__init__.py lib/events.sh lib/events.py; do
  put "$repo/tools/scripts/$f" "$prefix$libdir/scripts/$f" 644
done
put "$repo/tools/systemd/homelab-unit-failed" "$prefix$libdir/bin/homelab-unit-failed" 755
put "$repo/docs/ingest.md" "$prefix$libdir/README.md" 644
put_unit "$repo/tools/systemd/homelab-events.service" "$prefix/etc/systemd/system/homelab-events.service"
put_unit "$repo/tools/systemd/homelab-event@.service" "$prefix/etc/systemd/system/homelab-event@.service"

if ((with_server)); then
  # the server directory is replaced as a whole when anything in it differs
  if ! diff -rq "$server" "$prefix$libdir/server" >/dev/null 2>&1; then
    rm -rf "$prefix$libdir/server.new"
    mkdir -p "$prefix$libdir"
    # -p: the class-data archive (app-cds.jsa) is refused when the jars' times differ from the build's
    cp -R -p "$server" "$prefix$libdir/server.new"
    rm -rf "$prefix$libdir/server"
    mv "$prefix$libdir/server.new" "$prefix$libdir/server"
    echo "installed $prefix$libdir/server"
    changed=1
  fi
fi

if [ ! -e "$prefix/etc/homelab-events/env" ]; then
  mkdir -p "$prefix/etc/homelab-events"
  printf '%s\n' "# Settings of the homelab event server and of homelab-event@.service (see README.md)" \
    "#HOMELAB_NODE=$(hostname 2>/dev/null || echo node)" "#HOMELAB_EVENTS_TOKEN=" "#QUARKUS_HTTP_HOST=0.0.0.0" \
    >"$prefix/etc/homelab-events/env"
  chmod 600 "$prefix/etc/homelab-events/env"
  echo "created $prefix/etc/homelab-events/env"
  changed=1
fi

mkdir -p "$prefix$store"
if [ -z "$prefix" ]; then
  if ! id homelab-events >/dev/null 2>&1; then
    useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin homelab-events
    changed=1
  fi
  if getent group systemd-journal >/dev/null; then
    usermod -a -G systemd-journal homelab-events
  fi
  chown homelab-events:homelab-events "$store"
  if ((changed)) && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
  fi
fi

if ((changed)); then
  echo "install.sh: done"
else
  echo "install.sh: already up to date"
fi
