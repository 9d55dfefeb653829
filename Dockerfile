# The image the GitHub Action runs (action.yml: `image: Dockerfile`), built the way shiplight
# asks every image to be built. Build heavy: the rust stage has the compiler and a C toolchain
# for ring. Ship light: the final stage is distroless static with one static binary; it also
# holds CA certificates, which octocrab needs to verify api.github.com. Nothing else is used:
# builds go through the runner's Docker socket, and the base tree comes from GitHub's tarball
# API, so there is no git and no docker CLI.
FROM rust:1.95-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked && cp target/release/shiplight /shiplight

# Distroless publishes no version tags, only `latest` and digests; the release workflow
# pins nothing it cannot check here, so SL305 is acknowledged rather than faked with a digest.
# shiplight ignore=SL305
FROM gcr.io/distroless/static-debian12:latest
# GitHub runs container actions as root: the Docker socket and the runner's file-command
# mounts are not writable by another user.
# shiplight stage ignore=SL107
COPY --from=build /shiplight /usr/local/bin/shiplight
ENTRYPOINT ["/usr/local/bin/shiplight"]
