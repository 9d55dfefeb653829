#!/usr/bin/env bash
# `shiplight plan` on a generated monorepo: 1,000 services, each a folder with a Dockerfile,
# a .dockerignore and 199 other files (200,000 files), and a pull request that changes 200
# files in 20 services. Prints plan's time (best of 3) beside `git diff --name-only` on the
# same repository, both as typed (the working tree against the index) and between the two
# commits (the tree diff plan itself runs: its floor). Never fails on a time.
#   bench/plan.sh [SERVICES] [FILES_PER_SERVICE]
set -euo pipefail
cd "$(dirname "$0")/.."
services=${1:-1000}
per=${2:-200}
cargo build --release --quiet
repo=$(mktemp -d)/mono
mkdir -p "$repo"
python3 - "$repo" "$services" "$per" <<'PY'
import os, sys
repo, services, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for s in range(services):
    d = os.path.join(repo, "services", f"svc{s:04}")
    os.makedirs(os.path.join(d, "src"), exist_ok=True)
    open(os.path.join(d, "Dockerfile"), "w").write(f"FROM alpine:3.20\nCOPY src /app/src\nCMD [\"/app/src/f0.txt\"]\n")
    open(os.path.join(d, ".dockerignore"), "w").write("*.md\ntests\n")
    for f in range(per - 2):
        open(os.path.join(d, "src", f"f{f}.txt"), "w").write(f"{s} {f}\n")
PY
cd "$repo"
git init -q -b main
git add -A
git -c user.name=b -c user.email=b@b commit -qm base
git checkout -q -b pr
for s in $(seq 0 50 $((services - 1))); do
  for f in $(seq 0 9); do
    printf 'changed\n' >> "services/svc$(printf %04d "$s")/src/f$f.txt"
  done
done
git -c user.name=b -c user.email=b@b commit -qam pr
files=$(git ls-files | wc -l)
changed=$(git diff --name-only main...HEAD | wc -l)
shiplight=$OLDPWD/target/release/shiplight
python3 - "$shiplight" "$files" "$changed" <<'PY'
import subprocess, sys, time, json
shiplight, files, changed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def best(cmd):
    b = None
    for _ in range(3):
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True)
        d = time.perf_counter() - t
        b = d if b is None else min(b, d)
    return b, out.stdout
p, out = best([shiplight, "plan", "--base-ref", "main", "--format", "json"])
g, _ = best(["git", "diff", "--name-only", "main...HEAD"])
w, _ = best(["git", "diff", "--name-only"])
n = len(json.loads(out)["include"])
print(f"monorepo: {files} files, {changed} changed, {n} images affected")
print(f"shiplight plan: {p * 1000:.0f} ms")
print(f"git diff --name-only (working tree against the index, every file stat()ed): {w * 1000:.0f} ms: plan takes {p / w:.1f}x")
print(f"git diff --name-only main...HEAD (two trees): {g * 1000:.0f} ms: plan takes {p / g:.1f}x")
PY
rm -rf "$(dirname "$repo")"
