#!/usr/bin/env bash
# Realistic stand-in base images for end-to-end tests, built once per machine (skipped when
# the tags exist). No registry is reachable here, so `FROM python:3.9` must resolve locally:
#   debian:bookworm   debootstrap --variant=minbase bookworm, imported (also tagged debian:12
#                     and debian:bookworm-slim: the stand-in slim is the same rootfs)
#   python:3.9        Debian + python3, pip, venv, build-essential, python3-dev
#   python:3.9-slim   the same without the toolchain
#   node:18, node:18-slim  Debian + nodejs, npm (+ build-essential, python3 in the full one)
#   golang:1.19       Debian + golang-go (bookworm's Go is 1.19)
#   gcc:12            Debian + build-essential
#   eclipse-temurin:17, eclipse-temurin:17-jre  Debian's OpenJDK 17 JDK / JRE (headless)
#   rust:1.63         Debian + rustc, cargo (bookworm's Rust is 1.63)
#   shiplight-test/runner:bookworm  a job image for act: git, docker CLI, musl-gcc
#   gcr.io/distroless/static-debian12[:nonroot]  CA certificates and /etc/passwd only
#   php:8.2-cli       Debian's PHP 8.2 with phpize and what the official image keeps for it
#                     ($PHPIZE_DEPS), and a stand-in docker-php-ext-install
#                     (scripts/fixtures-php/) that builds /usr/src/php/ext/<name>
# Both python images trust the host's CA bundle (so pip reaches PyPI over HTTPS), have no
# EXTERNALLY-MANAGED marker, and answer to `python`/`pip` like the official ones.
# Every image is labelled dev.shiplight.fixture=true.
#
#   scripts/fixtures.sh                      every stand-in (scripts/test does this)
#   scripts/fixtures.sh python:3.9 node:18   only these (and debian:bookworm, which they
#                                            are built on); scripts/example asks for two
#
# Each image says when it starts and how long it took.
set -euo pipefail
mirror=${SHIPLIGHT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${SHIPLIGHT_FIXTURE_CACHE:-/var/cache/shiplight}
all=(debian:bookworm python:3.9 python:3.9-slim node:18 node:18-slim eclipse-temurin:17 eclipse-temurin:17-jre
  rust:1.63 gcc:12 shiplight-test/runner:bookworm golang:1.19 gcr.io/distroless/static-debian12 php:8.2-cli)
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=("${all[@]}")
for name in "${wanted[@]}"; do
  case " ${all[*]} debian:12 debian:bookworm-slim gcr.io/distroless/static-debian12:nonroot " in
    *" $name "*) ;;
    *) echo "fixtures: no stand-in named $name; there are: ${all[*]}" >&2; exit 2 ;;
  esac
done
want() { # is $1 asked for (an alias counts for its image)
  local n
  for n in "${wanted[@]}"; do
    case "$n" in debian:12 | debian:bookworm-slim) n=debian:bookworm ;; *:nonroot) n=${n%:nonroot} ;; esac
    [ "$n" = "$1" ] && return 0
  done
  return 1
}
has() { docker image inspect "$1" >/dev/null 2>&1; }
took() { # elapsed since $1 (seconds), as 1m 05s
  local s=$((SECONDS - $1))
  printf '%dm %02ds' $((s / 60)) $((s % 60))
}
# root for debootstrap and apt: as is, or through passwordless sudo (GitHub's runners)
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
mkdir -p "$cache" 2>/dev/null || { $SUDO mkdir -p "$cache" && $SUDO chown "$(id -u)" "$cache"; }

# every stand-in but distroless is built on debian:bookworm, so any of them needs it
needs_debian=false
for name in "${wanted[@]}"; do case "$name" in gcr.io/distroless/*) ;; *) needs_debian=true ;; esac; done
if $needs_debian && ! has debian:bookworm; then
  start=$SECONDS
  command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null || { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }; }
  root="$cache/rootfs-bookworm"
  $SUDO rm -rf "$root"; mkdir -p "$root"
  echo "fixtures: debian:bookworm: debootstrap bookworm (minbase) from $mirror"
  $SUDO debootstrap --variant=minbase bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  $SUDO sh -c "rm -rf '$root'/var/cache/apt/archives/*.deb '$root'/var/lib/apt/lists/*"
  $SUDO tar -C "$root" -c . | docker import -c 'LABEL dev.shiplight.fixture=true' -c 'CMD ["bash"]' - debian:bookworm >/dev/null
  $SUDO rm -rf "$root"
  echo "fixtures: debian:bookworm ready ($(took $start))"
fi
if $needs_debian; then
  docker image inspect debian:12 >/dev/null 2>&1 || docker tag debian:bookworm debian:12
  # the stand-in slim is the same minbase rootfs (the official slim is smaller still)
  docker image inspect debian:bookworm-slim >/dev/null 2>&1 || docker tag debian:bookworm debian:bookworm-slim
fi

build_on_debian() { # tag, packages, extra Dockerfile lines, a folder whose files the lines may COPY
  local tag=$1 packages=$2 extra=${3:-} files=${4:-}
  want "$tag" || return 0
  # rebuilt when its package list changed (the label records it)
  has "$tag" && [ "$(docker image inspect -f '{{index .Config.Labels "dev.shiplight.packages"}}' "$tag")" = "$packages" ] && return 0
  local dir start=$SECONDS; dir=$(mktemp -d)
  cp /etc/ssl/certs/ca-certificates.crt "$dir/host-ca.crt"
  [ -z "$files" ] || cp -R "$files"/. "$dir/"
  cat >"$dir/Dockerfile" <<DOCKERFILE
FROM debian:bookworm
COPY host-ca.crt /usr/local/share/shiplight/host-ca.crt
ENV SSL_CERT_FILE=/usr/local/share/shiplight/host-ca.crt \\
    PIP_CERT=/usr/local/share/shiplight/host-ca.crt \\
    REQUESTS_CA_BUNDLE=/usr/local/share/shiplight/host-ca.crt \\
    NODE_EXTRA_CA_CERTS=/usr/local/share/shiplight/host-ca.crt \\
    CARGO_HTTP_CAINFO=/usr/local/share/shiplight/host-ca.crt
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates $packages \\
 && rm -rf /var/lib/apt/lists/*
$extra
LABEL dev.shiplight.fixture=true dev.shiplight.packages="$packages"
DOCKERFILE
  echo "fixtures: $tag: building (apt-get install $packages)"
  DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$dir" >/dev/null
  rm -rf "$dir"
  echo "fixtures: $tag ready ($(took $start))"
}
python_extra='RUN rm -f /usr/lib/python3*/EXTERNALLY-MANAGED && ln -s /usr/bin/python3 /usr/local/bin/python && ln -s /usr/bin/pip3 /usr/local/bin/pip
CMD ["python3"]'
build_on_debian python:3.9 "python3 python3-pip python3-venv build-essential python3-dev" "$python_extra"
build_on_debian python:3.9-slim "python3 python3-pip python3-venv" "$python_extra"
# Debian bookworm's Node is 18: node:18 has the build tools (as the official full image),
# node:18-slim has not.
build_on_debian node:18 "nodejs npm build-essential python3" 'CMD ["node"]'
build_on_debian node:18-slim "nodejs npm" 'CMD ["node"]'
# eclipse-temurin:17 / 17-jre: Debian bookworm's OpenJDK 17, JDK and JRE
build_on_debian eclipse-temurin:17 "openjdk-17-jdk-headless"
build_on_debian eclipse-temurin:17-jre "openjdk-17-jre-headless"
# Debian bookworm's Rust is 1.63: the stand-in carries that version's tag
build_on_debian rust:1.63 "rustc cargo build-essential"
# gcc:12 is bookworm with its toolchain, as the official Debian-based image
build_on_debian gcc:12 "build-essential"
# the job image for the release rehearsal under act (tests/release.rs), standing in for
# GitHub's ubuntu runners: git, the docker CLI (the daemon is the host's, through its
# socket), musl-gcc and a C toolchain for the static build, node for JavaScript actions
# (the artifact actions under act); Rust comes from the host
build_on_debian shiplight-test/runner:bookworm "git docker.io musl-tools build-essential curl nodejs"
# Debian bookworm's Go is 1.19: the stand-in carries that version's tag.
build_on_debian golang:1.19 "golang-go git" 'ENV GOPATH=/go PATH=/go/bin:/usr/lib/go-1.19/bin:$PATH
WORKDIR /go'

# php:8.2-cli: the official Debian image keeps $PHPIZE_DEPS for docker-php-ext-install
build_on_debian php:8.2-cli "php8.2-cli php8.2-dev autoconf dpkg-dev file g++ gcc libc-dev make pkg-config re2c" 'COPY docker-php-ext-install /usr/local/bin/docker-php-ext-install
CMD ["php", "-a"]' "$(dirname "$0")/fixtures-php"

# distroless static: CA certificates, /etc/passwd (root, nonroot 65532), nothing else
if want gcr.io/distroless/static-debian12 && { ! has gcr.io/distroless/static-debian12 || ! has gcr.io/distroless/static-debian12:nonroot; }; then
  start=$SECONDS
  root=$(mktemp -d)
  mkdir -p "$root/etc/ssl/certs" "$root/tmp" "$root/home/nonroot"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
  chmod 1777 "$root/tmp"; $SUDO chown 65532:65532 "$root/home/nonroot"
  common=(-c 'LABEL dev.shiplight.fixture=true' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt')
  echo "fixtures: gcr.io/distroless/static-debian12: importing"
  $SUDO tar -C "$root" -c . | docker import "${common[@]}" - gcr.io/distroless/static-debian12 >/dev/null
  $SUDO tar -C "$root" -c . | docker import "${common[@]}" -c 'USER 65532' -c 'WORKDIR /home/nonroot' - gcr.io/distroless/static-debian12:nonroot >/dev/null
  $SUDO rm -rf "$root"
  echo "fixtures: gcr.io/distroless/static-debian12 ready ($(took $start))"
fi
docker images --filter label=dev.shiplight.fixture=true --format '  {{.Repository}}:{{.Tag}}  {{.Size}}'
