#!/usr/bin/env bash
# Lint benchmark: shiplight vs hadolint on the same generated corpus, each in one process.
# Prints files/s, peak RSS and the ratios. Never fails on a time.
#   bench/lint.sh [COUNT]     (default 640 generated; timed on those both tools parse)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-640}
corpus=bench/corpus
rm -rf "$corpus"
python3 bench/gen_corpus.py "$corpus" "$count" >/dev/null
scripts/peers.sh
cargo build --release --quiet
files=("$corpus"/*.Dockerfile)

n=${#files[@]}
python3 - "$n" "$(hadolint --version)" "${files[@]}" <<'PY'
import resource, subprocess, sys, time
n, hv, files = int(sys.argv[1]), sys.argv[2], sys.argv[3:]

def run(cmd):
    """Best wall time of 5 runs, and the peak RSS (KiB) of the child."""
    best = None
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best

def peak(cmd):
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: measure each tool in a fresh python.
    code = "import resource,subprocess,sys;subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    return int(subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True).stdout)

import json
# Time only files both tools parse: hadolint 2.15 rejects some heredoc forms (DL1000), and a
# file it rejects is less work for it, which would flatter shiplight.
found = json.loads(subprocess.run(["hadolint", "--no-fail", "-f", "json", *files], capture_output=True, text=True).stdout)
rejected = sorted({f["file"] for f in found if f["code"] == "DL1000"})
ours = json.loads(subprocess.run(["target/release/shiplight", "lint", "--format", "json", *files], capture_output=True, text=True).stdout)
ours_rejected = sorted({f["file"] for f in ours if f["code"] == "SL001"})
print(f"generated {n}; hadolint cannot parse {len(rejected)} (DL1000), shiplight cannot parse {len(ours_rejected)} (SL001)")
files = [f for f in files if f not in rejected and f not in ours_rejected]
n = len(files)
h_cmd = ["hadolint", "--no-fail", "-f", "json", *files]
s_cmd = ["target/release/shiplight", "lint", "--format", "json", *files]
hs, ss = run(h_cmd), run(s_cmd)
hk, sk = peak(h_cmd), peak(s_cmd)
print(f"timed on the {n} files both parse, one process each, best of 5")
print(f"{'hadolint':<10} {hs:8.3f} s {n/hs:10.0f} files/s {hk/1024:8.1f} MB peak RSS  ({hv})")
print(f"{'shiplight':<10} {ss:8.3f} s {n/ss:10.0f} files/s {sk/1024:8.1f} MB peak RSS")
print(f"throughput ratio: {hs/ss:.0f}x hadolint   peak RSS ratio: {sk/hk:.2f}x hadolint")
print("targets: >= 100x throughput, < 30 MB peak RSS")
PY
