#!/usr/bin/env bash
# Time from job start to shiplight's first log line: a tagged release (the published image,
# pulled from a registry) against the compile path (`image: Dockerfile` on main).
#
# The published path is measured under act by the release rehearsal (tests/release.rs): the
# release workflow pushes the image to a local registry, the local copy is removed, and a
# consumer's run pulls it and starts shiplight.
# The compile path builds the top-level Dockerfile before shiplight can start. Its rust stage
# needs rust:1.95-alpine; when the daemon has it, the build is timed as is. When it does not
# (no registry is reachable on the project's machine), the script times what that stage does,
# `cargo build --release --locked` from an empty target folder, which is a lower bound of the
# compile path (the image pull and the Docker build come on top). Never fails on a time.
#   bench/action-start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
published=$(cargo test -q --test release -- --nocapture 2>&1 | sed -n "s/^release: job start to shiplight's first log line: \([0-9.]*\) s.*/\1/p")
[ -n "$published" ] || { echo "action-start: the release rehearsal did not run (see cargo test --test release)" >&2; exit 1; }
if docker image inspect rust:1.95-alpine >/dev/null 2>&1; then
  start=$(date +%s.%N)
  DOCKER_BUILDKIT=0 docker build -q --no-cache -t shiplight-compile-path . >/dev/null
  compile=$(python3 -c "print($(date +%s.%N) - $start)")
  how="docker build of the top-level Dockerfile (rust:1.95-alpine, no cache)"
else
  tmp=$(mktemp -d)
  start=$(date +%s.%N)
  CARGO_TARGET_DIR=$tmp cargo build -q --release --locked --bin shiplight
  compile=$(python3 -c "print($(date +%s.%N) - $start)")
  rm -rf "$tmp"
  how="lower bound: cargo build --release --locked from an empty target folder (rust:1.95-alpine is not on this daemon)"
fi
printf 'published image: %.1f s from job start to the first line\n' "$published"
printf 'compile path:    %.1f s (%s)\n' "$compile" "$how"
printf 'ratio:           %.0fx\n' "$(python3 -c "print($compile / $published)")"
