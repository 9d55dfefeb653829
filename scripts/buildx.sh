#!/usr/bin/env bash
# docker buildx, for the ship model's exact reading of bake files (`docker buildx bake
# --print`), as GitHub's runners have it. Debian 12 has no docker-buildx package: this takes
# Debian 13's (0.13.1) through a trixie entry pinned low, unpacked under /opt (nothing else
# comes from trixie), and links it where the docker CLI looks for plugins. Idempotent; root
# only. Prints nothing but progress.
set -euo pipefail
if docker buildx version >/dev/null 2>&1; then
  echo "buildx: $(docker buildx version)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "buildx: needs root (it unpacks a package into /opt)" >&2
  exit 1
fi
dir=/opt/shiplight/buildx
if [ ! -x "$dir/usr/libexec/docker/cli-plugins/docker-buildx" ]; then
  if [ ! -f /etc/apt/sources.list.d/shiplight-trixie.sources ]; then
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "${SHIPLIGHT_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/etc/apt/sources.list.d/shiplight-trixie.sources
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >/etc/apt/preferences.d/shiplight-trixie
    apt-get update -qq
  fi
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -q -t trixie docker-buildx >/dev/null 2>&1) \
    || { apt-get update -qq && (cd "$tmp" && apt-get download -q -t trixie docker-buildx >/dev/null); }
  mkdir -p "$dir"
  dpkg -x "$tmp"/docker-buildx_*.deb "$dir"
  rm -rf "$tmp"
fi
mkdir -p /usr/local/lib/docker/cli-plugins
ln -sf "$dir/usr/libexec/docker/cli-plugins/docker-buildx" /usr/local/lib/docker/cli-plugins/docker-buildx
echo "buildx: $(docker buildx version)"
