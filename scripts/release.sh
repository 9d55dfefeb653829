#!/usr/bin/env bash
# Publish a release of the Action: push the image, then make the release commit and tags.
#
#   scripts/release.sh VERSION [--registry REPO] [--platforms LIST] [--no-attest]
#
# VERSION is X.Y.Z. REPO is where the image goes (default ghcr.io/shiplight; the workflow
# passes ghcr.io/<owner>). dist/shiplight-linux-<arch> must hold the static binary of each
# platform in LIST (default linux/amd64,linux/arm64): the release workflow builds them on
# native runners. With `docker buildx` the image is multi-platform and carries provenance
# (mode=max) and SBOM attestations; without it (the classic builder, e.g. the local
# rehearsal) only the host's platform is built and pushed, and it says so.
#
# Then a release commit on top of HEAD (main is not touched) rewrites action.yml to
# `image: docker://REPO/shiplight:VERSION`, so a tagged Action starts from the published
# image without compiling; tag vVERSION points at it and vMAJOR moves to it. Pushing the
# tags is left to the caller (the workflow: `git push origin vX.Y.Z && git push -f origin vX`).
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/release.sh X.Y.Z [--registry REPO] [--platforms LIST] [--no-attest]}
shift
registry=ghcr.io/shiplight
platforms=linux/amd64,linux/arm64
attest=1
while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry=$2; shift 2 ;;
    --platforms) platforms=$2; shift 2 ;;
    --no-attest) attest=0; shift ;;
    *) echo "release: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "release: VERSION must be X.Y.Z, not $version" >&2; exit 2; }
image="$registry/shiplight:$version"
IFS=, read -ra plats <<<"$platforms"
for p in "${plats[@]}"; do
  [ -x "dist/shiplight-linux-${p#linux/}" ] || { echo "release: dist/shiplight-linux-${p#linux/} is missing (the static binary for $p)" >&2; exit 2; }
done

if docker buildx version >/dev/null 2>&1; then
  args=(--platform "$platforms" --push -t "$image" -f release/Dockerfile)
  [ "$attest" = 1 ] && args+=(--provenance=mode=max --sbom=true)
  docker buildx build "${args[@]}" .
else
  host=$(docker version --format '{{.Server.Arch}}')
  case ",$platforms," in *",linux/$host,"*) ;; *) echo "release: no buildx, and linux/$host is not in $platforms" >&2; exit 2 ;; esac
  echo "release: no docker buildx: building linux/$host only, without attestations (the classic builder)"
  docker build --build-arg "TARGETARCH=$host" -t "$image" -f release/Dockerfile .
  docker push "$image"
fi
echo "release: pushed $image"

# the release commit: HEAD's tree with action.yml pointing at the image
tmp_index=$(mktemp)
trap 'rm -f "$tmp_index"' EXIT
GIT_INDEX_FILE=$tmp_index git read-tree HEAD
# only runs.image: an input may be called `image` too
awk -v img="docker://$image" '
  /^[^ #]/ { in_runs = ($0 ~ /^runs:/) }
  in_runs && /^  image:/ { print "  image: " img; next }
  { print }' action.yml > "$tmp_index.action.yml"
grep -q "^  image: docker://$image\$" "$tmp_index.action.yml" || { echo "release: action.yml has no runs.image line to rewrite" >&2; exit 1; }
blob=$(git hash-object -w "$tmp_index.action.yml")
rm -f "$tmp_index.action.yml"
GIT_INDEX_FILE=$tmp_index git update-index --cacheinfo "100644,$blob,action.yml"
tree=$(GIT_INDEX_FILE=$tmp_index git write-tree)
commit=$(git commit-tree "$tree" -p HEAD -m "Release $version: the Action runs docker://$image")
git tag -f "v$version" "$commit" >/dev/null
git tag -f "v${version%%.*}" "$commit" >/dev/null
echo "release: v$version and v${version%%.*} -> $commit (action.yml: image: docker://$image)"
