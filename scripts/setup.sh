#!/usr/bin/env bash
# Set up everything the project needs on a fresh Debian machine; safe to run again.
#   scripts/setup.sh          runtime: the dashboard, plus Debian's chromium and CJK fonts for the exports
#                             (PPT/PNG) when they are missing and root or sudo is at hand; else a note
#   scripts/setup.sh --dev    also test tools; chromium and the fonts are then required (browser tests), and so is
#                             Debian's postgresql (the store's tests run on PostgreSQL too: tests/postgres_server.py
#                             starts a throwaway cluster of it; the package's own cluster service is not needed)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"
STAMP="$VENV/.installed"          # records which requirement files were installed, to skip repeat installs
DEBIAN_PACKAGES=(chromium fonts-noto-cjk)

need_dev=0
[[ "${1:-}" == "--dev" ]] && need_dev=1
[[ $need_dev == 1 ]] && DEBIAN_PACKAGES+=(postgresql)  # the test server; the dashboard itself runs on DuckDB without it

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

# Exports draw charts in Debian's chromium (kaleido) and need a Chinese font, or 汉字 render as boxes.
install_debian_packages() {  # $1 = 1: required (tests), 0: best effort (the dashboard runs without them)
  local required=$1 missing=() sudo=""
  if ! command -v dpkg >/dev/null 2>&1; then
    echo "==> note: not Debian; install Chromium and a Noto CJK font for PPT/PNG exports" >&2
    [[ $required == 1 ]] && return 1 || return 0
  fi
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    if [[ $required == 1 ]] || sudo -n true 2>/dev/null; then
      sudo=sudo
    else
      echo "==> note: PPT/PNG exports need Debian packages ${missing[*]}; install them with:" >&2
      echo "    sudo apt-get install --no-install-recommends ${missing[*]}" >&2
      return 0
    fi
  fi
  echo "==> installing Debian packages: ${missing[*]}"
  if ! { $sudo apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "==> could not install ${missing[*]}; PPT/PNG exports will say what is missing" >&2
    [[ $required == 1 ]] && return 1
  fi
  return 0
}

install_debian_packages "$need_dev"
