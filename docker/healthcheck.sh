#!/bin/bash
# Container healthcheck without curl: GET /q/health/ready over bash's /dev/tcp.
# Healthy (exit 0) only on HTTP 200, i.e. the store is writable and the index loaded.
set -u
port="${QUARKUS_HTTP_PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /q/health/ready HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 5 status <&3 || exit 1
exec 3<&-
case "$status" in
  HTTP/1.?" 200 "*) exit 0 ;;
  *) echo "not ready: ${status%$'\r'}"; exit 1 ;;
esac
