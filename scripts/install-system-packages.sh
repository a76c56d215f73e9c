#!/usr/bin/env bash
# Installs the system packages the tests use (Debian/Ubuntu): Chromium for the browser
# tests, ffmpeg/ffprobe as publisher, server and reference client, nginx with the RTMP
# module as a real server, websockify for the side-by-side benchmarks.
# Uses sudo only when not already root.
set -euo pipefail

packages=(chromium ffmpeg libnginx-mod-rtmp nginx-light websockify)

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-system-packages: need root or sudo to install: ${packages[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y "${packages[@]}"
