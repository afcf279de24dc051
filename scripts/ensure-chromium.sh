#!/usr/bin/env bash
# Installs Debian's Chromium when it is missing; the browser tests drive /usr/bin/chromium.
set -euo pipefail
# A CJK font too, so that screenshots of the Chinese UI show characters, not boxes.
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi -e wqy -e "Noto Sans CJK"; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "Chromium is missing: run 'sudo apt-get install chromium' (Debian) first." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
