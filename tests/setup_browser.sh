#!/usr/bin/env bash
# Install Debian's chromium, CJK fonts and poppler-utils (pdftoppm, to look at the PDF briefing) for the
# browser and briefing tests when they are missing.
# Needs root (CI and the dev machines run as root); otherwise the browser tests skip.
set -u
if [ -x /usr/bin/chromium ] && command -v pdftoppm >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "setup_browser: not root; chromium/fonts-noto-cjk not installed, browser tests will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || echo "setup_browser: apt-get update failed" >&2
apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null 2>&1 \
  || echo "setup_browser: could not install chromium/fonts-noto-cjk/poppler-utils; those tests will skip" >&2
exit 0
