#!/usr/bin/env bash
# System libraries Qt needs on a bare Debian machine (offscreen and xcb), plus tools used by the
# test suite: pdftoppm, and PostgreSQL with PostGIS (the PostGIS tests start a throwaway server
# of their own on 127.0.0.1; the Debian service itself is not used). Skipped when not root or
# when everything is present.
set -u
pkgs="libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-shape0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libasound2 poppler-utils xvfb postgresql postgresql-postgis"
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
exit 0
