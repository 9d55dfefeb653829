#!/usr/bin/env bash
# The real-world benchmark: shiplight on public Dockerfiles.
# Reads bench/corpus-sources.txt, lays the build-relevant files of every repository there (at
# the pinned commit) into bench/corpus-real/: its Dockerfiles with the names of their folders'
# files (for suggest's context checks), and whole its compose files, GitHub workflows and
# actions, bake files, dev containers and shiplight/hadolint configuration (what says which
# stage ships), then prints, for the repositories of one split (--split tuning|held-out|all,
# default tuning; the sources file's header says how the two parts are used):
#   - SL101 and SL106 findings, and their precision on the hand-labelled sample
#     (bench/corpus-labels.tsv: the ship-state model's verdict checked by a person)
#   - patch coverage: the share of files flagged as shipping a toolchain that get a patch,
#     and whether each patch lints clean of the SL101/SL102 it answers
#   - refusal reasons by count
#   - lint throughput beside hadolint, on the same files, in the same run
# Every repository is laid whatever the split, so corpus.py's other modes can read any split
# afterwards. Never fails on a figure.
#   bench/corpus.sh [--split tuning|held-out|all] [--no-hadolint] [--list]
# SHIPLIGHT=path measures that binary instead of building target/release/shiplight.
set -euo pipefail
cd "$(dirname "$0")/.."
# a wrong split is said before the corpus is laid, not after
prev=
for a in "$@"; do
  s=
  [ "$prev" = --split ] && s=$a
  case "$a" in --split=*) s=${a#--split=} ;; esac
  case "$s" in ''|tuning|held-out|all) ;; *) echo "corpus: --split is tuning, held-out or all, not $s" >&2; exit 2 ;; esac
  prev=$a
done
mirrors=${SHIPLIGHT_MIRRORS:-/work/.mirror}
out=bench/corpus-real
rm -rf "$out"; mkdir -p "$out"
[ -n "${SHIPLIGHT:-}" ] || cargo build --release --quiet
missing=0
while read -r repo commit _licence _split; do
  case "$repo" in ''|'#'*) continue ;; esac
  git_dir="$mirrors/${repo/\//+}/repo"
  if [ ! -d "$git_dir" ]; then
    tmp="$mirrors/${repo/\//+}/repo"
    if ! git clone --quiet --bare --filter=blob:none "https://github.com/$repo" "$tmp" 2>/dev/null; then
      echo "corpus: $repo is neither mirrored in $mirrors nor reachable; skipped" >&2
      missing=$((missing + 1)); continue
    fi
  fi
  if ! git --git-dir "$git_dir" cat-file -e "$commit^{commit}" 2>/dev/null; then
    echo "corpus: $repo has no commit $commit in $git_dir; skipped" >&2
    missing=$((missing + 1)); continue
  fi
  python3 bench/corpus.py lay "$git_dir" "$commit" "$out/${repo/\//+}"
done < bench/corpus-sources.txt
[ "$missing" = 0 ] || echo "corpus: $missing source(s) missing: the figures cover the rest" >&2
python3 bench/corpus.py measure "$out" "$@"
