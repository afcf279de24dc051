"""Where to find a CJK font for the PDFs the system writes (docs/adr/0005-pdf-reports.md).

A PDF that shows Chinese must carry the glyphs itself: the reader's fonts are not to be relied on.
`cjk_font_path()` names the font file to embed (as a subset) into every report.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Debian's packages, in order of preference: fonts-wqy-microhei (scripts/ensure-fonts.sh installs
# it), fonts-wqy-zenhei, fonts-noto-cjk (.ttc; the .otf names are the upstream release's),
# fonts-droid-fallback.
KNOWN_CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
DEBIAN_PACKAGE = "fonts-wqy-microhei"


class CJKFontNotFound(ImproperlyConfigured):
    """No usable CJK font: PDFs with Chinese text cannot be written."""


def cjk_font_path() -> Path:
    """The CJK font file to embed: SHAOBAO["PDF_FONT"] when set, else the first Debian font found.

    Raises CJKFontNotFound (an ImproperlyConfigured) naming the setting and the Debian package.
    """
    configured = settings.SHAOBAO.get("PDF_FONT")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise CJKFontNotFound(
                f'SHAOBAO["PDF_FONT"] (SHAOBAO_PDF_FONT) is {configured!r}, which is not a '
                f"readable file. Point it to a .ttf, .ttc or .otf font with Chinese glyphs, or "
                f"unset it and install the Debian package: apt-get install {DEBIAN_PACKAGE}"
            )
        return path
    for candidate in KNOWN_CJK_FONTS:
        path = Path(candidate)
        if path.is_file():
            return path
    raise CJKFontNotFound(
        f"No CJK font found for PDF reports. Install the Debian package "
        f'(apt-get install {DEBIAN_PACKAGE}) or set SHAOBAO["PDF_FONT"] (environment variable '
        f"SHAOBAO_PDF_FONT) to a .ttf, .ttc or .otf font with Chinese glyphs. "
        f"Looked in: {', '.join(KNOWN_CJK_FONTS)}"
    )


def collection_face(path: Path) -> int:
    """Which face of a font collection (.ttc) to use: the Simplified Chinese one when there are
    several scripts (Noto Sans CJK: JP, KR, SC, TC, HK), else the first (WenQuanYi: the
    proportional face before the monospaced one)."""
    if Path(path).suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    with TTCollection(str(path), lazy=True) as collection:
        for index, face in enumerate(collection.fonts):
            family = face["name"].getDebugName(1) or ""
            if family.endswith((" SC", " CJK SC")) and "Mono" not in family:
                return index
    return 0
