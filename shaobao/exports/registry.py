"""The export kinds. Each app registers its own in its `exports` module (found at start-up by
ExportsConfig.ready()):

    register("problems", _("问题清单"), build_problems, ROLES, count_problems,
             filename="problem-list.xlsx", clean=clean_problem_params)

- builder(actor, params, progress) returns an openpyxl write-only Workbook with the rows in it
  (not yet saved) and calls progress(done, total) about every 1,000 rows; `write_sheet()` does
  both for a single sheet from a row generator.
- count(actor, params) returns the number of rows fast (one COUNT query): it decides whether a
  page answers the file at once or queues a job.
- roles: who may ask for it (checked when asked, when run and when downloaded).
- clean(params) returns the canonical params or raises InvalidInput; params are what the job
  stores, so they must be JSON and must not carry scope: the builder works out what `actor` may
  see each time it runs (a job uses the requester's memberships at run time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from shaobao.core.errors import InvalidInput

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportKind:
    kind: str
    label: str
    builder: Callable
    roles: frozenset[str]
    count: Callable
    filename: str
    clean: Callable[[dict], dict] = field(default=None)

    def clean_params(self, params) -> dict:
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise InvalidInput()
        if self.clean is None:
            if params:
                raise InvalidInput()
            return {}
        return self.clean(params)


_KINDS: dict[str, ExportKind] = {}


def register(
    kind: str,
    label,
    builder: Callable,
    roles: Iterable[str],
    count: Callable,
    *,
    filename: str | None = None,
    clean: Callable[[dict], dict] | None = None,
) -> ExportKind:
    """Add (or replace, on a reload) an export kind."""
    if not kind or len(kind) > 40:
        raise ValueError(f"bad export kind {kind!r}")
    spec = ExportKind(
        kind=kind,
        label=label,
        builder=builder,
        roles=frozenset(roles),
        count=count,
        filename=filename or f"{kind}.xlsx",
        clean=clean,
    )
    _KINDS[kind] = spec
    return spec


def get(kind: str) -> ExportKind | None:
    return _KINDS.get(kind)


def kinds() -> dict[str, ExportKind]:
    return dict(_KINDS)


def unregister(kind: str) -> None:
    """For tests that register a kind of their own."""
    _KINDS.pop(kind, None)
