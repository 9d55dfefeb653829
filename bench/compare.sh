#!/usr/bin/env bash
# shiplight compare vs plain docker builds, same daemon, same run, on the flask fixture
# (base commit: examples/flask/multistage.Dockerfile; head: examples/flask/Dockerfile):
#   (a) two plain `docker build`s, base then head, uncached
#   (b) `shiplight compare` doing the same work (both builds + measuring both), uncached
#   (c) `shiplight compare` with the base image cached (reused by its label)
#   (d) one plain head build, uncached
# Targets: (b) <= 1.10x (a); (c) <= 1.05x (d). Builds fetch packages from Debian and PyPI,
# so network time is part of every figure. Never fails on a time.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/dockerd.sh >/dev/null
scripts/fixtures.sh >/dev/null
cargo build --release --quiet
bin=$PWD/target/release/shiplight
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
c=$(secs sh -c "cd '$repo' && '$bin' compare --base-ref HEAD~1")
forget head
d=$(secs env DOCKER_BUILDKIT=0 docker build -t bench-head "$repo")
forget base; forget head
engine=$(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')
awk -v a1="$a1" -v a2="$a2" -v b="$b" -v c="$c" -v d="$d" -v e="$engine" 'BEGIN {
  printf "flask fixture on Docker Engine %s\n", e
  printf "(a) docker build base + head, uncached   %7.1f s  (%.1f + %.1f)\n", a1 + a2, a1, a2
  printf "(b) shiplight compare, uncached          %7.1f s  = %.2fx (a)   target <= 1.10x\n", b, b / (a1 + a2)
  printf "(d) docker build head, uncached          %7.1f s\n", d
  printf "(c) shiplight compare, base cached       %7.1f s  = %.2fx (d)   target <= 1.05x\n", c, c / d
}'
