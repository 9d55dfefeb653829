#!/usr/bin/env python3
"""Write a varied corpus of Dockerfiles for the lint benchmark (seeded, so every run lints
the same files). Usage: gen_corpus.py OUT_DIR [COUNT]"""
import os
import random
import sys

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 320
rng = random.Random(20261128)
os.makedirs(out, exist_ok=True)

BASES = ["python:3.{v}", "python:3.{v}-slim", "node:{n}", "node:{n}-slim", "golang:1.2{v}", "rust:1.8{v}",
         "debian:bookworm", "debian:12-slim", "ubuntu:22.04", "alpine:3.{v}", "fedora:4{v}",
         "eclipse-temurin:21", "eclipse-temurin:21-jre", "ubuntu", "node:latest"]
APT = ["curl", "ca-certificates", "git", "build-essential", "libpq-dev", "libpq5", "gcc", "make", "jq", "unzip"]


def base():
    return rng.choice(BASES).format(v=rng.randint(0, 9), n=rng.choice([18, 20, 22]))


def run_lines(multi_line):
    lines = []
    kind = rng.randint(0, 7)
    pkgs = " ".join(rng.sample(APT, rng.randint(1, 4)))
    if kind == 0:
        flags = rng.choice(["-y", "-y --no-install-recommends", ""])
        clean = rng.choice(["", " \\\n    && rm -rf /var/lib/apt/lists/*"])
        lines.append(f"RUN apt-get update \\\n    && apt-get install {flags} {pkgs}{clean}")
    elif kind == 1:
        lines.append(f"RUN apt update && apt install -y {pkgs}")
    elif kind == 2:
        lines.append(rng.choice(["RUN pip install flask gunicorn", "RUN pip install --no-cache-dir -r requirements.txt",
                                 "RUN pip install -r requirements-dev.txt"]))
    elif kind == 3:
        lines.append(rng.choice(["RUN npm ci", "RUN npm ci --omit=dev", "RUN yarn install --frozen-lockfile", "RUN npm run build"]))
    elif kind == 4:
        lines.append(rng.choice(["RUN apk add --no-cache curl", "RUN apk add git openssh", "RUN dnf install -y httpd && dnf clean all"]))
    elif kind == 5:
        lines.append(rng.choice(["RUN go build -o /out/app ./cmd/app", "RUN cargo build --release", "RUN make && make install",
                                 "RUN cd /src && ./configure && make"]))
    elif kind == 6 and multi_line:
        lines.append("RUN <<EOF\nset -eux\necho building\nmkdir -p /out\nEOF")
    else:
        lines.append(rng.choice(["RUN curl -fsSL https://example.com/x.sh | sh", "RUN --mount=type=cache,target=/root/.cache/pip pip install flask",
                                 "RUN chown -R app:app /app", "RUN rm -rf /tmp/*", "RUN useradd -r app"]))
    return lines


def stage(i, name, final):
    lines = [f"FROM {base()}" + (f" AS {name}" if name else "")]
    if rng.random() < 0.5:
        lines.append(rng.choice(["WORKDIR /app", "WORKDIR app", "WORKDIR /src"]))
    if rng.random() < 0.3:
        lines.append(rng.choice(["ENV NODE_ENV=production", "ENV PIP_NO_CACHE_DIR=1", "ARG VERSION=1.0", "ENV API_TOKEN=changeme", "LABEL maintainer=me"]))
    lines.append(rng.choice(["COPY . .", "COPY . /app", "ADD . /app", "COPY requirements.txt .", "COPY package*.json ./"]))
    for _ in range(rng.randint(1, 5)):
        lines.extend(run_lines(True))
    if final:
        if rng.random() < 0.5:
            lines.append(rng.choice(["USER app", "USER 10001", "USER root"]))
        lines.append(rng.choice(["EXPOSE 8080", "EXPOSE 5000"]))
        lines.append(rng.choice(['CMD ["python", "app.py"]', "CMD node server.js", 'ENTRYPOINT ["/app"]', "CMD ./run.sh"]))
    return lines


for n in range(count):
    stages = rng.choice([1, 1, 2, 2, 3, 4])
    parts = []
    if rng.random() < 0.2:
        parts.append("# syntax=docker/dockerfile:1")
    if rng.random() < 0.2:
        parts.append("ARG BASE_TAG=3.12")
    names = ["deps", "build", "test", "runtime"]
    for s in range(stages):
        final = s == stages - 1
        name = names[s] if stages > 1 else None
        lines = stage(s, name, final)
        if final and stages > 1:
            src = rng.choice(names[: s] or ["0"])
            lines.insert(1, rng.choice([f"COPY --from={src} /out /out", f"COPY --from={src} / /", f"COPY --from=biuld /out /out"]))
        parts.extend(lines)
        parts.append("")
    with open(os.path.join(out, f"{n:04d}.Dockerfile"), "w") as f:
        f.write("\n".join(parts))
print(f"wrote {count} Dockerfiles to {out}")
