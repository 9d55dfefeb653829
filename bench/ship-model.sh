#!/usr/bin/env bash
# The ship model's cost: lint a generated 5,000-file repository (200 Dockerfiles, 20
# workflows with build-push-action matrices and bake-action steps, a bake file of 200 targets
# with inherits, matrix and a function, a compose file of 50 services, 10 dev containers)
# with this tree's shiplight and with the one before the ship model (commit 41f7d04, built
# once into bench/out/), hadolint beside them as the peer. Prints best-of-5 wall times and
# the ratios; the target is this tree within 1.2x of the one before. Never fails on a time.
#   bench/ship-model.sh
set -euo pipefail
cd "$(dirname "$0")/.."
before_commit=41f7d04
out=bench/out
mkdir -p "$out"
cargo build --release --quiet
if [ ! -x "$out/before-target/release/shiplight" ]; then
  echo "building shiplight at $before_commit (once) …" >&2
  rm -rf "$out/before-src"
  git worktree add --force --detach "$out/before-src" "$before_commit" >/dev/null 2>&1
  (cd "$out/before-src" && CARGO_TARGET_DIR="$PWD/../before-target" cargo build --release --quiet)
  git worktree remove --force "$out/before-src"
fi
scripts/peers.sh >/dev/null
python3 - "$out" <<'PY'
import os, shutil, subprocess, sys, time
out = sys.argv[1]
repo = os.path.join(out, "ship-model-repo")
shutil.rmtree(repo, ignore_errors=True)
os.makedirs(os.path.join(repo, ".git"))
files = 0
def write(path, text):
    global files
    p = os.path.join(repo, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "w").write(text)
    files += 1
dockerfiles = []
for i in range(200):
    d = f"services/svc{i}"
    dockerfiles.append(f"{d}/Dockerfile")
    write(f"{d}/Dockerfile", f"FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app ./...\n\nFROM debian:bookworm-slim AS runtime\nRUN apt-get update && apt-get install -y ca-certificates\nCOPY --from=build /app /app\nUSER 1000\nCMD [\"/app\"]\n\nFROM runtime AS debug\nRUN apt-get install -y gdb\n")
    for j in range(19):
        write(f"{d}/pkg/f{j}.go", f"package pkg\n// {i} {j}\n")
for w in range(20):
    svcs = ", ".join(f"svc{w * 10 + k}" for k in range(10))
    write(f".github/workflows/images-{w}.yml", f"on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        svc: [{svcs}]\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/build-push-action@v6\n        with:\n          context: services/${{{{ matrix.svc }}}}\n          target: runtime\n          push: ${{{{ github.event_name != 'pull_request' }}}}\n          tags: ghcr.io/o/${{{{ matrix.svc }}}}\n      - uses: docker/bake-action@v6\n        with:\n          targets: validate\n")
bake = ['variable "TAG" { default = "latest" }', 'function "tag" {\n  params = [name]\n  result = "ghcr.io/o/${name}:${TAG}"\n}', 'target "_common" { args = { GO = "1.22" } }', 'group "validate" { targets = ["lint"] }', 'target "lint" {\n  name = "lint-${svc}"\n  matrix = { svc = [' + ", ".join(f'"svc{i}"' for i in range(100)) + '] }\n  inherits = ["_common"]\n  context = "services/${svc}"\n  target = "build"\n  output = ["type=cacheonly"]\n}']
for i in range(100, 200):
    bake.append(f'target "svc{i}" {{\n  inherits = ["_common"]\n  context = "services/svc{i}"\n  target = "runtime"\n  tags = [tag("svc{i}")]\n}}')
write("docker-bake.hcl", "\n".join(bake) + "\n")
compose = "services:\n" + "".join(f"  svc{i}:\n    build:\n      context: services/svc{i}\n      target: debug\n    volumes:\n      - ./services/svc{i}:/src\n" for i in range(50))
write("compose.yaml", compose)
for i in range(10):
    write(f"tools/t{i}/.devcontainer/devcontainer.json", "{\n  // dev\n  \"build\": {\"dockerfile\": \"Dockerfile\"},\n}\n")
    write(f"tools/t{i}/.devcontainer/Dockerfile", "FROM golang:1.22\nRUN apt-get update && apt-get install -y gdb\n")
    dockerfiles.append(f"tools/t{i}/.devcontainer/Dockerfile")
while files < 5000:
    write(f"docs/page{files}.md", "# page\n")
print(f"generated {files} files, {len(dockerfiles)} Dockerfiles under {repo}")

def best(cmd, env=None, n=5):
    b = None
    for _ in range(n):
        t = time.perf_counter()
        r = subprocess.run(cmd, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        d = time.perf_counter() - t
        b = d if b is None else min(b, d)
    return b

before = os.path.abspath(os.path.join(out, "before-target/release/shiplight"))
after = os.path.abspath("target/release/shiplight")
static = dict(os.environ, SHIPLIGHT_NO_BAKE_PRINT="1")
tb = best([before, "lint", "--format", "json", *dockerfiles])
ta = best([after, "lint", "--format", "json", *dockerfiles], env=static)
rows = [("shiplight before the ship model (41f7d04)", tb), ("shiplight, ship model, bake read statically", ta)]
has_buildx = subprocess.run(["docker", "buildx", "version"], capture_output=True).returncode == 0
if has_buildx:
    tp = best([after, "lint", "--format", "json", *dockerfiles])
    rows.append(("shiplight, ship model, bake through `docker buildx bake --print`", tp))
tdir_b = best([before, "lint", "--format", "json", "."])
tdir_a = best([after, "lint", "--format", "json", "."], env=static)
th = best(["hadolint", "--no-fail", "-f", "json", *dockerfiles]) if shutil.which("hadolint") else None
print(f"lint {len(dockerfiles)} Dockerfiles of a {files}-file repository, one process, best of 5:")
for name, t in rows:
    print(f"  {name}: {t * 1000:.0f} ms ({t / tb:.2f}x the time before)")
print(f"  the same, given the folder (discovery walk included): before {tdir_b * 1000:.0f} ms, now {tdir_a * 1000:.0f} ms ({tdir_a / tdir_b:.2f}x)")
if th:
    hv = subprocess.run(["hadolint", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"  hadolint ({hv}), the peer: {th * 1000:.0f} ms; shiplight with the model is {th / ta:.1f}x its speed")
r = subprocess.run([after, "ships", "--format", "json", "."], cwd=repo, capture_output=True, text=True, env=static)
import json
listing = json.loads(r.stdout)
roles = {}
for e in listing["dockerfiles"]:
    roles[e["role"]] = roles.get(e["role"], 0) + 1
print(f"  the model: {len(listing['paths'])} build paths; Dockerfiles by role: {roles}; {len(listing['notes'])} notes")
PY
