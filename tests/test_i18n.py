"""The English catalogue is complete, compiled, and actually used by the pages.

The UI is written in Simplified Chinese (the msgids); English comes from
shaobao/locale/en/LC_MESSAGES/django.po, compiled to django.mo. To refresh after adding strings:

    .venv/bin/shaobao makemessages -l en --no-obsolete --ignore=.venv --ignore=bench \
        --ignore=tests --ignore='*/tests/*'
    # fill every empty msgstr, drop any "#, fuzzy" flag
    .venv/bin/shaobao compilemessages --ignore=.venv
"""

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(settings.BASE_DIR)
LC = ROOT / "shaobao" / "locale" / "en" / "LC_MESSAGES"
PO = LC / "django.po"
MO = LC / "django.mo"

PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sd]|\{\{\s*[\w.]+\s*\}\}|\{[A-Za-z_]\w*\}")


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: one dict per entry with msgid, msgid_plural, msgstr[n], flags."""
    entries, cur, field = [], None, None

    def finish():
        if cur is not None and "msgid" in cur:
            entries.append(cur)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            cur, field = None, None
            continue
        if cur is None:
            cur = {"flags": set(), "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            cur["obsolete"] = True
            continue
        if line.startswith("#,"):
            cur["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if m:
            key, idx, value = m.group(1), m.group(2), ast.literal_eval(m.group(3))
            if key.startswith("msgstr"):
                field = ("msgstr", int(idx) if idx is not None else 0)
                cur["msgstr"][field[1]] = value
            else:
                field = (key, None)
                cur[key] = value
            continue
        assert line.startswith('"'), f"unexpected line in {path}: {raw!r}"
        value = ast.literal_eval(line)
        if field[0] == "msgstr":
            cur["msgstr"][field[1]] += value
        else:
            cur[field[0]] += value
    finish()
    return [e for e in entries if not e["obsolete"]]


@pytest.fixture(scope="module")
def po_entries():
    assert PO.exists(), f"missing {PO}; run makemessages -l en (see module docstring)"
    return parse_po(PO)


def messages(entries):
    return [e for e in entries if e["msgid"] != ""]


# (a) complete and clean -------------------------------------------------------------------------


def test_po_has_entries_and_header(po_entries):
    header = [e for e in po_entries if e["msgid"] == ""]
    assert header, "no header entry"
    assert "Content-Type: text/plain; charset=UTF-8" in header[0]["msgstr"][0]
    assert "Plural-Forms:" in header[0]["msgstr"][0]
    assert len(messages(po_entries)) > 100


def test_po_no_empty_msgstr(po_entries):
    empty = [
        e["msgid"]
        for e in messages(po_entries)
        if not e["msgstr"] or any(not s.strip() for s in e["msgstr"].values())
    ]
    assert not empty, f"{len(empty)} untranslated entries, e.g. {empty[:10]}"


def test_po_no_fuzzy(po_entries):
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries (header included): {fuzzy[:10]}"


def test_po_plural_forms_complete(po_entries):
    for e in messages(po_entries):
        if "msgid_plural" in e:
            assert sorted(e["msgstr"]) == [0, 1], e["msgid"]


def test_po_placeholders_kept(po_entries):
    bad = []
    for e in messages(po_entries):
        wanted = sorted(PLACEHOLDER.findall(e["msgid"] + e.get("msgid_plural", "")))
        for s in e["msgstr"].values():
            if sorted(set(PLACEHOLDER.findall(s))) != sorted(set(wanted)):
                bad.append((e["msgid"], s))
    assert not bad, f"placeholders differ: {bad[:10]}"


def test_po_english_msgids_copied(po_entries):
    """A msgid that is already English (pure ASCII) keeps its text."""
    for e in messages(po_entries):
        if e["msgid"].isascii() and "msgid_plural" not in e:
            assert e["msgstr"][0] == e["msgid"], e["msgid"]


def test_po_translations_are_english(po_entries):
    cjk = re.compile(r"[\u4e00-\u9fff]")
    leftover = [e["msgid"] for e in messages(po_entries) if cjk.search(e["msgstr"].get(0, ""))]
    assert not leftover, f"msgstr still contains Chinese: {leftover[:10]}"


# (b) the committed .mo matches the .po ------------------------------------------------------------


def load_mo(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as f:
        return gettext.GNUTranslations(f)


def test_mo_translates_every_po_entry(po_entries):
    assert MO.exists(), f"missing {MO}; run compilemessages (see module docstring)"
    mo = load_mo(MO)
    stale = []
    for e in messages(po_entries):
        ctx = e.get("msgctxt")
        if "msgid_plural" in e:
            for n, idx in ((1, 0), (2, 1)):
                got = (
                    mo.npgettext(ctx, e["msgid"], e["msgid_plural"], n)
                    if ctx is not None
                    else mo.ngettext(e["msgid"], e["msgid_plural"], n)
                )
                if got != e["msgstr"][idx]:
                    stale.append(e["msgid"])
        else:
            got = mo.pgettext(ctx, e["msgid"]) if ctx is not None else mo.gettext(e["msgid"])
            if got != e["msgstr"][0]:
                stale.append(e["msgid"])
    assert not stale, (
        f"django.mo is stale for {len(stale)} entries, e.g. {stale[:10]}; run compilemessages"
    )


def test_mo_has_no_extra_entries(po_entries):
    """Nothing in the .mo that the .po no longer has (a .mo compiled from an older .po)."""
    mo = load_mo(MO)
    keys = set()
    for e in messages(po_entries):
        mid = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        keys.add(mid)
    in_mo = {k[0] if isinstance(k, tuple) else k for k in mo._catalog} - {""}
    assert in_mo <= keys, f"entries only in django.mo: {sorted(in_mo - keys)[:10]}"


def test_msgfmt_compiles_po_to_same_catalogue(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if not msgfmt:
        pytest.skip(
            "GNU gettext's msgfmt is not installed; the .mo is still checked against the .po above"
        )
    out = tmp_path / "django.mo"
    # --check-format is what compilemessages uses; --check also validates the header.
    subprocess.run([msgfmt, "--check-format", "-o", str(out), str(PO)], check=True)
    assert load_mo(out)._catalog == load_mo(MO)._catalog, (
        "django.mo differs from the .po; run compilemessages"
    )


# every literal msgid in the source is in the catalogue ---------------------------------------------

SOURCE_DIRS = [ROOT / "shaobao", ROOT / "config"]
TEMPLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1(?:\s+[^%]*)?%\}""")
PY_CALL = re.compile(
    r"""\b(?:_|gettext|gettext_lazy|gettext_noop)\(\s*(["'])((?:(?!\1).)+)\1\s*[,)]"""
)


def _source_files():
    for base in SOURCE_DIRS:
        for path in base.rglob("*"):
            parts = set(path.relative_to(ROOT).parts)
            if "tests" in parts or "migrations" in parts or "locale" in parts:
                continue
            if path.suffix in {".html", ".txt", ".py"} and path.is_file():
                yield path


def test_every_literal_msgid_is_in_catalogue(po_entries):
    """Catches strings added after the last makemessages (the fix is the procedure above)."""
    # makemessages writes a literal "%" of a {% translate %} tag without variables as "%%".
    known = {e["msgid"] for e in po_entries} | {e["msgid"].replace("%%", "%") for e in po_entries}
    missing = set()
    for path in _source_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        pattern = TEMPLATE_TAG if path.suffix != ".py" else PY_CALL
        for m in pattern.finditer(text):
            msgid = m.group(2)
            if "\\" in msgid:
                continue  # escaped literals: leave them to makemessages
            if re.search(r"[\u4e00-\u9fff]", msgid) and msgid not in known:
                missing.add(f"{path.relative_to(ROOT)}: {msgid}")
    assert not missing, "not in the English catalogue (rerun makemessages): " + "; ".join(
        sorted(missing)[:15]
    )


# (c) and (d) the pages ------------------------------------------------------------------------------

NAV = re.compile(r'<nav aria-label="[^"]*">(.*?)</nav>', re.S)


def nav_of(response) -> str:
    assert response.status_code == 200
    m = NAV.search(response.content.decode())
    assert m, "no <nav> in the page"
    return m.group(1)


def english_client(user) -> Client:
    c = Client()
    c.force_login(user)
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/whistles/"})
    assert r.status_code == 302 and r["Location"] == "/whistles/"
    assert c.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return c


@pytest.mark.parametrize(
    ("username", "url", "english", "chinese"),
    [
        ("commander", "/whistles/", ["Whistle board", "Problem list"], ["吹哨看板", "问题清单"]),
        ("commander", "/problems/", ["Whistle board", "Problem list"], ["吹哨看板", "问题清单"]),
        (
            "cg_head",
            "/inbox/",
            ["Whistle board", "Problem list", "Check-in tasks"],
            ["吹哨看板", "问题清单", "报到任务"],
        ),
    ],
)
def test_english_pages_have_english_nav(world, username, url, english, chinese):
    c = english_client(world.users[username])
    r = c.get(url)
    html = r.content.decode()
    assert '<html lang="en">' in html
    nav = nav_of(r)
    for label in english:
        assert label in nav, (url, label)
    for label in chinese:
        assert label not in nav, (url, label)
    assert re.search(r"[\u4e00-\u9fff]", nav) is None, f"Chinese left in the English nav: {nav}"
    assert "Log out" in html and "退出" not in html


def test_english_page_headings(world):
    c = english_client(world.users["commander"])
    assert "<h1>Whistle board</h1>" in c.get("/whistles/").content.decode()
    assert "<h1>Problem list</h1>" in c.get("/problems/").content.decode()
    c = english_client(world.users["cg_head"])
    assert "<h1>Check-in tasks</h1>" in c.get("/inbox/").content.decode()


def test_switching_back_to_chinese(world):
    c = english_client(world.users["commander"])
    assert "Whistle board" in nav_of(c.get("/whistles/"))
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/whistles/"})
    assert "吹哨看板" in nav_of(c.get("/whistles/"))


@pytest.mark.parametrize(
    ("username", "url"),
    [("commander", "/whistles/"), ("commander", "/problems/"), ("cg_head", "/inbox/")],
)
def test_default_language_is_chinese(world, username, url):
    c = Client()
    c.force_login(world.users[username])
    r = c.get(url)
    html = r.content.decode()
    assert '<html lang="zh-hans">' in html
    nav = nav_of(r)
    assert "吹哨看板" in nav and "问题清单" in nav
    assert "Whistle board" not in html
