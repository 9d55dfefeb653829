#!/usr/bin/env bash
# A second, newer Docker Engine beside the machine's own, for the tests of what Engine 20.10
# cannot build (heredocs): Debian 13's docker.io 26.1.5 (API 1.45), fetched through a trixie
# entry pinned low so nothing else comes from trixie, unpacked under /opt (not installed, so
# the machine's docker.io stays), and run with its own socket, data root and bridge. It
# uses the machine's containerd and runc (Debian 12's). Idempotent; root only.
#
# Prints nothing but progress; the socket is unix:///run/shiplight-docker-next.sock.
set -euo pipefail
sock=/run/shiplight-docker-next.sock
host=unix://$sock
dir=/opt/shiplight/docker-next
log=${SHIPLIGHT_DOCKERD_NEXT_LOG:-/tmp/shiplight-dockerd-next.log}
answers() { DOCKER_HOST=$host docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
ready() { echo "dockerd-next: ready at $host (Engine $(DOCKER_HOST=$host docker version --format '{{.Server.Version}}'), API $(DOCKER_HOST=$host docker version --format '{{.Server.APIVersion}}'))"; }

if answers; then ready; exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "dockerd-next: needs root (it unpacks a package and starts a daemon)" >&2
  exit 1
fi
if [ ! -x "$dir/usr/sbin/dockerd" ]; then
  if [ ! -f /etc/apt/sources.list.d/shiplight-trixie.sources ]; then
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "${SHIPLIGHT_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/etc/apt/sources.list.d/shiplight-trixie.sources
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >/etc/apt/preferences.d/shiplight-trixie
  fi
  apt-get update -qq
  # the machine's containerd, runc and tini (Debian 12's), which the newer dockerd runs on
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq containerd runc tini >/dev/null
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -q -t trixie docker.io >/dev/null 2>&1)
  mkdir -p "$dir"
  dpkg -x "$tmp"/docker.io_*.deb "$dir"
  rm -rf "$tmp"
fi
# its own bridge, so its containers and the machine daemon's do not share addresses
if ! ip link show shiplight-next >/dev/null 2>&1; then
  ip link add shiplight-next type bridge
  ip addr add 172.31.250.1/24 dev shiplight-next
  ip link set shiplight-next up
fi
mkdir -p /var/lib/shiplight-docker-next /run/shiplight-docker-next
pidfile=/run/shiplight-docker-next.pid
if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
echo "dockerd-next: starting (log: $log)"
PATH="$dir/usr/sbin:$dir/usr/bin:$PATH" nohup dockerd --host "$host" --data-root /var/lib/shiplight-docker-next \
  --exec-root /run/shiplight-docker-next --pidfile "$pidfile" --bridge shiplight-next >"$log" 2>&1 &
for _ in $(seq 1 120); do
  if answers; then ready; exit 0; fi
  sleep 0.5
done
echo "dockerd-next: no answer within 60 s; see $log" >&2
tail -n 20 "$log" >&2 || true
exit 1
