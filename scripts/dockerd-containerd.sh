#!/usr/bin/env bash
# A third Docker Engine beside the machine's own and scripts/dockerd-next.sh's: the same
# Debian 13 docker.io 26.1.5 (API 1.45; the machine's dockerd when 25+), with the containerd image store on
# (`"features": {"containerd-snapshotter": true}`), so images live in containerd's content
# store and overlayfs snapshotter instead of overlay2's layer folders. For the tests of
# reading layers from that store (tests/in_place_containerd.rs). Its own socket, data root,
# exec root, pidfile, bridge and config file, and its own containerd, which dockerd starts
# and supervises under its exec root (the machine's containerd binary, Debian 12's).
# Idempotent; root only.
#
# Prints nothing but progress; the socket is unix:///run/shiplight-docker-cd.sock.
set -euo pipefail
cd "$(dirname "$0")/.."
sock=/run/shiplight-docker-cd.sock
host=unix://$sock
dir=/opt/shiplight/docker-next
root=/var/lib/shiplight-docker-cd
exec_root=/run/shiplight-docker-cd
log=${SHIPLIGHT_DOCKERD_CD_LOG:-/tmp/shiplight-dockerd-cd.log}
answers() { DOCKER_HOST=$host docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
store() { DOCKER_HOST=$host docker info --format '{{.Driver}} {{json .DriverStatus}}' 2>/dev/null; }
ready() { echo "dockerd-containerd: ready at $host (Engine $(DOCKER_HOST=$host docker version --format '{{.Server.Version}}'), storage: $(store))"; }

if answers; then ready; exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "dockerd-containerd: needs root (it starts a daemon)" >&2
  exit 1
fi
# The machine's dockerd when it is 25 or newer (GitHub's runners have 28), else the 26.1.5
# package, unpacked under /opt by scripts/dockerd-next.sh (which also starts the overlay2
# 26.1.5; the tests want both)
major=$(dockerd --version 2>/dev/null | sed -nE 's/^Docker version ([0-9]+)\..*/\1/p')
if [ "${major:-0}" -ge 25 ] 2>/dev/null; then
  bin=$(dirname "$(command -v dockerd)")
else
  [ -x "$dir/usr/sbin/dockerd" ] || scripts/dockerd-next.sh >/dev/null
  bin=$dir/usr/sbin:$dir/usr/bin
fi
# its own bridge, so its containers and the other daemons' do not share addresses
if ! ip link show shiplight-cd >/dev/null 2>&1; then
  ip link add shiplight-cd type bridge
  ip addr add 172.31.251.1/24 dev shiplight-cd
  ip link set shiplight-cd up
fi
mkdir -p "$root" "$exec_root"
config=$root/daemon.json
printf '{\n  "features": {"containerd-snapshotter": true}\n}\n' >"$config"
pidfile=/run/shiplight-docker-cd.pid
if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
echo "dockerd-containerd: starting (log: $log)"
# --containerd-namespace: a containerd shared by mistake would still keep its images apart
PATH="$bin:$PATH" nohup dockerd --config-file "$config" --host "$host" --data-root "$root" \
  --exec-root "$exec_root" --pidfile "$pidfile" --bridge shiplight-cd \
  --containerd-namespace shiplight-cd --containerd-plugins-namespace shiplight-cd-plugins >"$log" 2>&1 &
for _ in $(seq 1 120); do
  if answers; then
    if ! store | grep -q 'io.containerd.snapshotter'; then
      echo "dockerd-containerd: the daemon answers but does not use the containerd image store: $(store)" >&2
      exit 1
    fi
    ready
    exit 0
  fi
  sleep 0.5
done
echo "dockerd-containerd: no answer within 60 s; see $log" >&2
tail -n 20 "$log" >&2 || true
exit 1
