#!/usr/bin/env bash
# What reading package inventories costs `shiplight measure`: the same image measured by this
# tree and by the commit before inventories existed (built here, in a worktree), each with a
# fresh scan cache, best of 3, with and without the gzip pass. Also dive's time on the same
# image when dive is installed (the peer). Never fails on a time.
#   bench/packages.sh [IMAGE]     (default python:3.9, the 719 MB stand-in of scripts/fixtures.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:-python:3.9}
before=e82c484   # the last commit without package inventories
out=bench/out/packages
mkdir -p "$out"
cargo build --release --quiet
if [ ! -x "$out/shiplight-$before" ]; then
  tree=$(mktemp -d)
  git worktree add -q --detach "$tree" "$before"
  (cd "$tree" && CARGO_TARGET_DIR="$PWD/../target-bench-$before" cargo build --release --quiet)
  cp "$tree/../target-bench-$before/release/shiplight" "$out/shiplight-$before"
  git worktree remove --force "$tree"
  rm -rf "$tree/../target-bench-$before"
fi
python3 - "$image" "$out/shiplight-$before" target/release/shiplight <<'PY'
import subprocess, sys, tempfile, time, json, shutil
image, old, new = sys.argv[1:4]

def best(cmd):
    times = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as cache:
            t = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env={"SHIPLIGHT_CACHE_DIR": cache, "PATH": "/usr/bin:/bin"})
            times.append(time.perf_counter() - t)
    return min(times)

size = subprocess.run(["docker", "image", "inspect", "-f", "{{.Size}}", image], capture_output=True, text=True).stdout.strip()
with tempfile.TemporaryDirectory() as cache:
    inv = json.loads(subprocess.run([new, "measure", "--packages", "--no-compressed", "--format", "json", image],
                     capture_output=True, text=True, env={"SHIPLIGHT_CACHE_DIR": cache, "PATH": "/usr/bin:/bin"}).stdout)
count = len(inv["packages"]["packages"])
print(f"image: {image}, {int(size)/1e6:.0f} MB, {count} packages")
for label, extra in [("waste pass (--no-compressed)", ["--no-compressed"]), ("full pass (with gzip)", [])]:
    a = best([old, "measure", *extra, image])
    b = best([new, "measure", "--packages", *extra, image])
    print(f"{label}: without inventories {a:.2f} s, with {b:.2f} s: {100 * (b - a) / a:+.1f} %")
dive = shutil.which("dive")
if dive:
    d = best([dive, "--ci", "--source", "docker", image])
    b = best([new, "measure", "--packages", "--no-compressed", image])
    print(f"dive --ci: {d:.2f} s; shiplight measure --packages --no-compressed takes {b / d:.2f}x dive's time")
PY
