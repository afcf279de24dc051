#!/usr/bin/env bash
# Installs a CJK font for the PDF reports (shaobao/core/fonts.py, docs/adr/0005-pdf-reports.md)
# when none is there. Without root it only says what to run and succeeds, so that `make install`
# works for every developer; `shaobao check` then warns (shaobao.W002) until the font is there.
set -euo pipefail
for font in \
  /usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
  /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc \
  /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
  /usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf \
  /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc \
  /usr/share/fonts/opentype/noto/NotoSerifCJKsc-Regular.otf \
  /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf; do
  if [ -f "$font" ]; then exit 0; fi
done
if [ -n "${SHAOBAO_PDF_FONT:-}" ] && [ -f "$SHAOBAO_PDF_FONT" ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "No CJK font for the PDF reports: run 'sudo apt-get install fonts-wqy-microhei' (Debian)" \
    "or set SHAOBAO_PDF_FONT to a .ttf/.ttc/.otf font with Chinese glyphs." >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq fonts-wqy-microhei >/dev/null
