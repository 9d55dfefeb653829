#!/usr/bin/env bash
# Make sure a Docker daemon answers. Idempotent: when one already answers (a developer
# laptop, a GitHub runner, DOCKER_HOST pointing somewhere), it does nothing. Otherwise, as
# root on Debian, it installs Debian's docker.io if dockerd is missing and starts dockerd in
# the background, waiting for its socket.
set -euo pipefail
log=${SHIPLIGHT_DOCKERD_LOG:-/tmp/shiplight-dockerd.log}

answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if answers; then
  echo "dockerd: a daemon answers (Engine $(docker version --format '{{.Server.Version}}'), API $(docker version --format '{{.Server.APIVersion}}'))"
  exit 0
fi
if [ -n "${DOCKER_HOST:-}" ]; then
  echo "dockerd: DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local daemon" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "dockerd: no daemon answers and this is not root: start Docker (e.g. 'sudo systemctl start docker') and retry" >&2
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "dockerd: installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi
pidfile=/var/run/docker.pid
alive() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null; }
started=0
for _ in $(seq 1 120); do
  if answers; then
    echo "dockerd: ready (Engine $(docker version --format '{{.Server.Version}}'), API $(docker version --format '{{.Server.APIVersion}}'))"
    exit 0
  fi
  # No live daemon (none yet, or one killed uncleanly whose pid file stayed behind, which
  # dockerd refuses to start over): start one. At most twice, in case the first one died.
  if ! alive && [ "$started" -lt 2 ]; then
    rm -f "$pidfile"
    echo "dockerd: starting (log: $log)"
    # containerd is started by dockerd itself when it is not already running.
    nohup dockerd >"$log" 2>&1 &
    started=$((started + 1))
    sleep 1
  fi
  sleep 0.5
done
echo "dockerd: the daemon did not answer within 60 s; see $log" >&2
tail -n 20 "$log" >&2 || true
exit 1
