"""GeoReport v2 documents in XML (required) and JSON: the same tree, the XML root dropped in
JSON so lists are top-level arrays; UTF-8 with charset; ids and codes as strings."""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape

from django.http import HttpResponse

XML_CT = "text/xml; charset=utf-8"
JSON_CT = "application/json; charset=utf-8"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
FORMATS = ("xml", "json")

# A list inside an element: the tag of each item.
ITEM_TAG = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
    "errors": "error",
}
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return escape(_NOT_XML.sub("", str(value)))


def _element(tag: str, value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return f"<{tag}></{tag}>"
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(_element(k, v) for k, v in value.items()) + f"</{tag}>"
    if isinstance(value, list | tuple):
        item = ITEM_TAG.get(tag, "item")
        return f"<{tag}>" + "".join(_element(item, v) for v in value) + f"</{tag}>"
    return f"<{tag}>{_text(value)}</{tag}>"


def to_xml(root: str, body, item: str | None = None) -> str:
    """`body` is a dict (one element under the root) or a list whose items are `item` tags."""
    if isinstance(body, list):
        inner = "".join(_element(item or "item", v) for v in body)
    else:
        inner = "".join(_element(k, v) for k, v in body.items())
    return f"{DECLARATION}<{root}>{inner}</{root}>"


def _clean_json(value):
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {k: _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def to_json(body) -> str:
    return json.dumps(_clean_json(body), ensure_ascii=False, separators=(",", ":"))


def respond(fmt: str, root: str, body, item: str | None = None, status: int = 200):
    if fmt == "json":
        return HttpResponse(to_json(body), content_type=JSON_CT, status=status)
    return HttpResponse(
        to_xml(root, body, item).encode("utf-8"), content_type=XML_CT, status=status
    )


class Open311Error(Exception):
    """An error answered as a GeoReport error list: 400, 403 (POST key) or 404."""

    def __init__(self, status: int, description, code: str | None = None):
        self.status = status
        self.code = code or str(status)
        self.description = str(description)
        super().__init__(self.description)


def error_response(fmt: str, errors: list[Open311Error]):
    status = errors[0].status
    body = [{"code": e.code, "description": e.description} for e in errors]
    return respond(fmt if fmt in FORMATS else "xml", "errors", body, item="error", status=status)
