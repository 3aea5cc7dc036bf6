#!/usr/bin/env bash
# Set up everything the project needs on a fresh Debian machine; safe to run again.
#   scripts/setup.sh          runtime only (the dashboard)
#   scripts/setup.sh --dev    also test tools, Debian's chromium and CJK fonts (browser tests, exports)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"
STAMP="$VENV/.installed"          # records which requirement files were installed, to skip repeat installs
DEBIAN_PACKAGES=(chromium fonts-noto-cjk)

need_dev=0
[[ "${1:-}" == "--dev" ]] && need_dev=1

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "==> creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi

req="requirements.txt"
[[ $need_dev == 1 ]] && req="requirements-dev.txt"
wanted="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)-$req"
if [[ ! -f "$STAMP" ]] || ! grep -qx "$wanted" "$STAMP"; then
  echo "==> installing Python packages from $req"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  echo "$wanted" >> "$STAMP"
fi

if [[ $need_dev == 1 ]]; then
  missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "==> installing Debian packages: ${missing[*]}"
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
