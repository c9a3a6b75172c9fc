#!/bin/sh
# Container entrypoint: checks the store, then replaces itself with the JVM (exec), so that
# java is PID 1 and receives SIGTERM directly; the JVM then runs Quarkus's shutdown
# (graceful HTTP drain bounded by QUARKUS_SHUTDOWN_TIMEOUT), and an event write is
# acknowledged only after its commit point, so a stop never leaves a half-written event.
set -eu

store="${HOMELAB_EVENTS_DIR:-/opt/homelab/events}"
if ! mkdir -p "$store" 2>/dev/null || [ ! -w "$store" ]; then
  echo "entrypoint: the event store $store is not writable by uid $(id -u) gid $(id -g)." >&2
  echo "entrypoint: for a bind mount, run on the host: chown -R $(id -u):$(id -g) <host dir>" >&2
  exit 78 # EX_CONFIG
fi

# UTF-8 whatever the container's locale (a container usually has none, and Java 17 then defaults to US-ASCII):
# file contents, standard output and error, and (through LC_ALL) file names and arguments (issue 13).
export LC_ALL=C.UTF-8
# from the jar's directory: the class-data archive names the jar relative to it (docker/Dockerfile)
cd /opt/homelab/app
# JAVA_OPTS is split on spaces on purpose (several options in one variable).
# shellcheck disable=SC2086
exec java -Dfile.encoding=UTF-8 -Dsun.stdout.encoding=UTF-8 -Dsun.stderr.encoding=UTF-8 \
  -XX:SharedArchiveFile=app-cds.jsa ${JAVA_OPTS:-} -jar quarkus-run.jar "$@"
