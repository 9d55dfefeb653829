#!/usr/bin/env bash
# Reading images in a registry against what a team would run without shiplight, same machine,
# same run, best of 3 each. Two pushed images of >= 700 MB that share their base layers:
# the python:3.9 stand-in as :main, and :pr = it plus one 20 MB RUN layer, in Debian's
# docker-registry (distribution 2.8) on 127.0.0.1.
#   sizes  `shiplight compare --sizes-only` (manifests only)  vs  `skopeo inspect --raw` of
#          both images. Target: within 2x of skopeo.
#   full   `shiplight compare registry://… registry://…` with an empty scan cache  vs
#          `docker pull` of both into a daemon that has neither (Engine 26, scripts/dockerd-next.sh)
#          plus `shiplight measure` of each as before this change (one fresh scan cache per
#          image: no layer shared). Target: at least 2x faster, shared layers read once.
# Never fails on a time.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/dockerd.sh >/dev/null
scripts/fixtures.sh >/dev/null
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
$SUDO scripts/dockerd-next.sh >/dev/null
next=unix:///run/shiplight-docker-next.sock
cargo build --release --quiet
bin=$PWD/target/release/shiplight

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s/data\nhttp:\n  addr: 127.0.0.1:%s\n' "$work" "$port" > "$work/config.yml"
docker-registry serve "$work/config.yml" >/dev/null 2>&1 &
registry=$!
trap 'kill $registry 2>/dev/null; rm -rf "$work"; DOCKER_HOST=$next docker rmi -f "$r/app:pr" "$r/app:main" >/dev/null 2>&1 || true' EXIT
r=127.0.0.1:$port
for _ in $(seq 50); do curl -fs "http://$r/v2/" >/dev/null && break; sleep 0.1; done

docker tag python:3.9 "$r/app:main"
printf 'FROM python:3.9\nRUN head -c 20000000 /dev/urandom > /pr.bin\n' | DOCKER_BUILDKIT=0 docker build -q -t "$r/app:pr" - >/dev/null
docker push -q "$r/app:main" >/dev/null
docker push -q "$r/app:pr" >/dev/null

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
best() { # best of 3 of a command given as one string
  local b=999999 t
  for _ in 1 2 3; do
    t=$(secs sh -c "$1")
    b=$(echo "if ($t < $b) $t else $b" | bc)
  done
  echo "$b"
}
head="registry://$r/app:pr"; base="registry://$r/app:main"
skopeo=$(best "skopeo inspect --raw --tls-verify=false docker://$r/app:pr && skopeo inspect --raw --tls-verify=false docker://$r/app:main")
sizes=$(best "$bin compare --head-image $head --base-image $base --sizes-only --format json --cache-dir \$(mktemp -d -p $work)")
full=$(best "$bin compare --head-image $head --base-image $base --format json --cache-dir \$(mktemp -d -p $work)")
pull=$(best "DOCKER_HOST=$next docker rmi -f $r/app:pr $r/app:main; DOCKER_HOST=$next docker image prune -f; \
  DOCKER_HOST=$next docker pull -q $r/app:main && DOCKER_HOST=$next docker pull -q $r/app:pr && \
  DOCKER_HOST=$next $bin measure $r/app:pr --cache-dir \$(mktemp -d -p $work) && \
  DOCKER_HOST=$next $bin measure $r/app:main --cache-dir \$(mktemp -d -p $work)")
# the same check, for the record: what each side reported
"$bin" compare --head-image "$head" --base-image "$base" --format json --cache-dir "$work/check" > "$work/report.json"
mb() { python3 -c "import json,sys; r=json.load(open('$work/report.json'))['images'][0]; print(round(r$1/1e6,2))"; }
echo "images: :main $(mb "['base']['size_bytes']") MB ($(mb "['base']['compressed_bytes']") MB compressed), :pr $(mb "['head']['size_bytes']") MB; delta $(mb "['delta_bytes']") MB"
echo "skopeo: $(skopeo --version)   daemon for pulls: Engine $(DOCKER_HOST=$next docker version --format '{{.Server.Version}}')"
awk -v k="$skopeo" -v s="$sizes" -v f="$full" -v p="$pull" 'BEGIN {
  printf "sizes  skopeo inspect --raw, both          %7.3f s\n", k
  printf "       shiplight --sizes-only              %7.3f s  = %.2fx skopeo   target <= 2x\n", s, s / k
  printf "full   docker pull both + measure each     %7.2f s\n", p
  printf "       shiplight compare registry://       %7.2f s  = %.2fx faster   target >= 2x\n", f, p / f
}'
