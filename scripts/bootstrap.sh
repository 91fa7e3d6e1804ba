#!/usr/bin/env bash
# Install what the project needs into .venv and node_modules. Safe to run repeatedly:
# each step is skipped when its lock file has not changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  case "$version" in
    3.12|3.13|3.14) ;;
    *) echo "Python 3.12 or newer is needed (found $version). Install it, or use pyenv with the .python-version file." >&2; exit 1 ;;
  esac
  "$PYTHON" -m venv .venv
fi

stamp=.venv/.requirements.lock.sha
want=$(sha256sum requirements.lock | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
  echo "$want" > "$stamp"
fi

npm_stamp=node_modules/.package-lock.sha
npm_want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_want" ]; then
  if ! command -v npm >/dev/null; then
    echo "npm is needed for the NHS.UK front end: install Node.js and npm." >&2; exit 1
  fi
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_want" > "$npm_stamp"
fi
