# shellcheck shell=bash
# Shared by build-base.sh and smoke.sh; sourced, not run.

DOCKER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this file
REPO_ROOT=$(cd "$DOCKER_DIR/.." && pwd)

# The project's Podman settings (runc, cgroupfs, explicit ulimits); /etc is never changed.
# A caller that sets CONTAINERS_CONF keeps its own.
export CONTAINERS_CONF="${CONTAINERS_CONF:-$DOCKER_DIR/containers.conf}"

BASE_IMAGE="${BASE_IMAGE:-localhost/debian-bookworm:base}"

log() { printf '%s %s\n' "[$(date -u +%H:%M:%S)]" "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Fails loudly (never skips) when podman is missing or cannot run a container engine.
require_podman() {
  command -v podman >/dev/null 2>&1 \
    || die "podman is not installed (as root: apt-get install -y podman buildah runc debootstrap slirp4netns uidmap fuse-overlayfs podman-compose)"
  podman info >/dev/null 2>&1 \
    || die "podman is installed but 'podman info' fails (CONTAINERS_CONF=$CONTAINERS_CONF): $(podman info 2>&1 | tail -3)"
}

# The Debian mirror that this machine's apt uses for bookworm, read from the apt
# configuration at run time so that no host name is written into the repository.
# HOMELAB_DEBIAN_MIRROR overrides it.
debian_mirror() {
  if [[ -n "${HOMELAB_DEBIAN_MIRROR:-}" ]]; then
    printf '%s\n' "${HOMELAB_DEBIAN_MIRROR%/}"
    return
  fi
  apt_targets | awk -F'|' '$2 == "bookworm" { sub(/\/$/, "", $1); print $1; exit }'
}

# Lines "URI|SUITE" for every bookworm* deb suite apt knows about (main, updates, security).
apt_targets() {
  command -v apt-get >/dev/null 2>&1 || return 0
  # shellcheck disable=SC2016 # $(...) here is apt's own field syntax
  apt-get indextargets --format '$(REPO_URI)|$(RELEASE)|$(TARGET_OF)' 2>/dev/null \
    | awk -F'|' '$3 == "deb" && $2 ~ /^bookworm(-updates|-security)?$/ { print $1 "|" $2 }' \
    | sort -u
}
