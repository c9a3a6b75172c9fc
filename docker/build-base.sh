#!/usr/bin/env bash
# Builds the registry-free base image localhost/debian-bookworm:base (or $BASE_IMAGE)
# with debootstrap + podman import. Does nothing when the image already exists,
# unless FORCE=1. Needs root, debootstrap and podman.
#
# The Debian mirror is the one this machine's apt uses (see debian_mirror in common.sh).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

require_podman
if [[ "${FORCE:-0}" != 1 ]] && podman image exists "$BASE_IMAGE"; then
  log "base image $BASE_IMAGE exists; skipping (FORCE=1 rebuilds it)"
  exit 0
fi
[[ $(id -u) == 0 ]] || die "debootstrap needs root"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed (apt-get install -y debootstrap)"

mirror=$(debian_mirror)
[[ -n "$mirror" ]] || die "no bookworm mirror found in the apt configuration; set HOMELAB_DEBIAN_MIRROR"

work=$(mktemp -d "${TMPDIR:-/var/tmp}/homelab-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

log "debootstrap --variant=minbase bookworm from the apt mirror (this takes about a minute)"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -30 "$work/debootstrap.log" >&2
  die "debootstrap failed"
}

# Same suites as the host's apt (main, updates, security), so images built on this
# base get security fixes from apt-get.
{
  apt_targets | while IFS='|' read -r uri suite; do
    printf 'deb %s %s main\n' "${uri%/}" "$suite"
  done
} >"$rootfs/etc/apt/sources.list"
grep -q ' bookworm main$' "$rootfs/etc/apt/sources.list" \
  || printf 'deb %s bookworm main\n' "$mirror" >>"$rootfs/etc/apt/sources.list"

# Keep the image small: no package lists or downloaded .debs.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log

log "podman import -> $BASE_IMAGE"
tar --numeric-owner -C "$rootfs" -c . | podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  - "$BASE_IMAGE" >/dev/null
log "built $BASE_IMAGE ($(podman image inspect --format '{{.Size}}' "$BASE_IMAGE") bytes)"
