#!/usr/bin/env bash
# shiplight compare vs plain docker builds, same daemon, same run, on the flask fixture
# (base commit: examples/flask/multistage.Dockerfile; head: examples/flask/Dockerfile):
#   (a) two plain `docker build`s, base then head, uncached
#   (b) `shiplight compare` doing the same work (both builds + measuring both), uncached
#   (c) `shiplight compare` with the base image cached (reused by its label) and the scan
#       cache warm from (b): the base and the FROM image's layers are known by digest, only
#       the head's new layers are read
#   (d) one plain head build, uncached
#   (e) one `docker save` of the head (the export floor: any measurement must read it)
# Targets: (c) <= 1.5x (d); shiplight's own time in (c), (c) - (d), <= 1.2x (e).
# Builds fetch packages from Debian and PyPI, so network time is part of every figure.
# Never fails on a time.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/dockerd.sh >/dev/null
scripts/fixtures.sh >/dev/null
# the static (musl) binary, as the Action image ships it: it reads layers in place through
# its helper container (a dynamically linked build falls back to docker save)
CC_x86_64_unknown_linux_musl=musl-gcc cargo build --release --locked --quiet --target x86_64-unknown-linux-musl --bin shiplight
bin=$PWD/target/x86_64-unknown-linux-musl/release/shiplight
# start with an empty scan cache: (b) must measure both images; (c) may reuse the base's scan
export SHIPLIGHT_CACHE_DIR; SHIPLIGHT_CACHE_DIR=$(mktemp -d)
repo=$(mktemp -d); base=$(mktemp -d)
trap 'rm -rf "$repo" "$base" "$SHIPLIGHT_CACHE_DIR"' EXIT
git -C "$repo" init -q -b main
cp examples/flask/app.py "$repo/"
cp examples/flask/multistage.Dockerfile "$repo/Dockerfile"
git -C "$repo" add -A; git -C "$repo" -c user.email=b@b -c user.name=bench commit -qm base
cp examples/flask/Dockerfile "$repo/Dockerfile"
git -C "$repo" -c user.email=b@b -c user.name=bench commit -qam head
git -C "$repo" archive HEAD~1 | tar -x -C "$base"

forget() { # drop the images (and so the classic builder's cache) of earlier runs
  local ids
  ids=$(docker images -q --filter label=dev.shiplight.side="$1" 2>/dev/null || true)
  docker rmi -f bench-"$1" $ids >/dev/null 2>&1 || true
  docker image prune -f >/dev/null
}
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

forget base; forget head
a1=$(secs env DOCKER_BUILDKIT=0 docker build -t bench-base "$base")
a2=$(secs env DOCKER_BUILDKIT=0 docker build -t bench-head "$repo")
forget base; forget head
b=$(secs sh -c "cd '$repo' && '$bin' compare --base-ref HEAD~1")
forget head
c=$(secs sh -c "cd '$repo' && '$bin' compare --base-ref HEAD~1 --format json > '$base/c.json'")
read_how=$(python3 -c 'import json,sys; i=json.load(sys.stdin)["images"][0]; print("head:", i["head"].get("layers_read","?"), "/ base:", (i.get("base") or {}).get("layers_read","?"))' < "$base/c.json" || echo "?")
forget head
d=$(secs env DOCKER_BUILDKIT=0 docker build -t bench-head "$repo")
e=$(secs sh -c "docker save bench-head > /dev/null")
forget base; forget head
engine=$(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')
awk -v a1="$a1" -v a2="$a2" -v b="$b" -v c="$c" -v d="$d" -v e="$e" -v en="$engine" 'BEGIN {
  printf "flask fixture on Docker Engine %s\n", en
  printf "(a) docker build base + head, uncached   %7.1f s  (%.1f + %.1f)\n", a1 + a2, a1, a2
  printf "(b) shiplight compare, uncached          %7.1f s  = %.2fx (a)\n", b, b / (a1 + a2)
  printf "(d) docker build head, uncached          %7.1f s\n", d
  printf "(e) docker save head                     %7.1f s\n", e
  printf "(c) shiplight compare, base cached, warm %7.1f s  = %.2fx (d)   target <= 1.5x\n", c, c / d
  printf "    its own time, (c) - (d)              %7.1f s  = %.2fx (e)   target <= 1.2x\n", c - d, (c - d) / e
}'
echo "layers read in (c): $read_how"
