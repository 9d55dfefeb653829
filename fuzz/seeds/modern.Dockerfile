# syntax=docker/dockerfile:1
# escape=`
# check=skip=JSONArgsRecommended
ARG BASE=debian:12-slim
FROM ${BASE} AS build
RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt/lists <<EOF
set -e
apt-get update
apt-get install -y --no-install-recommends gcc
EOF
COPY --link ["src dir/main.c", "/src/"]
RUN gcc -O2 -o /out/app /src/main.c `
    # a comment inside a continuation

    && strip /out/app

FROM --platform=$TARGETPLATFORM debian:12-slim
COPY --from=build --chmod=755 /out/app /usr/local/bin/app
COPY <<EOT /etc/app.conf
key=value
EOT
USER 10001
ENTRYPOINT ["/usr/local/bin/app"]
