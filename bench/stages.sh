#!/usr/bin/env bash
# Stage-graph scaling: lint generated chains (`FROM s{i-1} AS s{i}`) and fans (n stages
# FROM an image, one final stage copying from each) of 1,000 to 20,000 stages. Prints the
# time of each (best of 3), the growth exponent fitted on log(time)/log(stages), and
# hadolint on the same files up to 5,000 stages (bounded: 60 s a file). Never fails on a time.
#   bench/stages.sh [--no-hadolint]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
python3 - "${1:-}" <<'PY'
import math, os, shutil, subprocess, sys, tempfile, time

SIZES = [1000, 2000, 5000, 10000, 20000]
HADOLINT_MAX = 5000
tmp = tempfile.mkdtemp(prefix="shiplight-stages-")

def chain(n):
    out = ["FROM alpine:3.20 AS s0\n"]
    out += [f"FROM s{i - 1} AS s{i}\nRUN echo {i}\n" for i in range(1, n)]
    return "".join(out)

def fan(n):
    out = [f"FROM alpine:3.20 AS s{i}\nRUN echo {i} > /f{i}\n" for i in range(n - 1)]
    out.append("FROM alpine:3.20\n")
    out += [f"COPY --from=s{i} /f{i} /f{i}\n" for i in range(n - 1)]
    return "".join(out)

def best(cmd, limit=600):
    b = None
    for _ in range(3):
        t = time.perf_counter()
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=limit)
        except subprocess.TimeoutExpired:
            return None
        d = time.perf_counter() - t
        b = d if b is None else min(b, d)
    return b

def exponent(points):
    xs = [math.log(n) for n, t in points]
    ys = [math.log(t) for n, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)

hadolint = shutil.which("hadolint") and "--no-hadolint" not in sys.argv[1:]
hv = subprocess.run(["hadolint", "--version"], capture_output=True, text=True).stdout.strip() if hadolint else ""
for shape, gen in (("chain", chain), ("fan", fan)):
    points = []
    for n in SIZES:
        path = os.path.join(tmp, f"{shape}{n}.Dockerfile")
        with open(path, "w") as f:
            f.write(gen(n))
        s = best(["target/release/shiplight", "lint", path])
        line = f"{shape:5} {n:6} stages: shiplight {s * 1000:8.1f} ms"
        points.append((n, s))
        if hadolint and n <= HADOLINT_MAX:
            h = best(["hadolint", "--no-fail", path], limit=60)
            line += f", hadolint {h * 1000:9.1f} ms ({h / s:.1f}x)" if h else ", hadolint over 60 s"
        print(line, flush=True)
    print(f"{shape:5} growth exponent (time ~ stages^k, fitted on {SIZES[0]}-{SIZES[-1]}): k = {exponent(points):.2f}")
if hv:
    print(f"hadolint: {hv}")
shutil.rmtree(tmp)
PY
