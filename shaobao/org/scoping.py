"""Who a user is in the organisation: roles and the scopes they hold them over.

Every read and every action asks an `Actor`; pages, API and tasks build one the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from shaobao.org import roles


@dataclass(frozen=True)
class Grant:
    role: str
    jurisdiction_code: str | None
    department_id: int | None


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has_any(self, wanted) -> bool:
        return bool(self.roles & set(wanted))

    def codes(self, wanted) -> list[str]:
        """Jurisdiction codes held under any of the wanted roles."""
        return sorted(
            {g.jurisdiction_code for g in self.grants if g.role in wanted and g.jurisdiction_code}
        )

    def departments(self, wanted) -> set[int]:
        return {g.department_id for g in self.grants if g.role in wanted and g.department_id}

    def covers(self, wanted, code: str | None) -> bool:
        """Holds one of `wanted` over a jurisdiction containing `code`."""
        return bool(code) and any(code.startswith(c) for c in self.codes(wanted))

    def in_department(self, wanted, department_id: int | None) -> bool:
        return department_id is not None and department_id in self.departments(wanted)


SYSTEM = Actor(user_id=None, label="system")


def actor_for(user) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(user_id=None, label="anonymous")
    cached = getattr(user, "_shaobao_actor", None)
    if cached is not None:
        return cached
    grants = tuple(
        Grant(m.role, m.jurisdiction.code if m.jurisdiction_id else None, m.department_id)
        for m in user.memberships.filter(active=True).select_related("jurisdiction")
        if m.role in roles.ALL
    )
    actor = Actor(user_id=user.pk, label=str(user), grants=grants)
    user._shaobao_actor = actor
    return actor


def prefix_q(field_name: str, codes) -> Q:
    """Rows whose jurisdiction code lies under any of `codes` (codes nest by prefix)."""
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(**{f"{field_name}__startswith": code})
    return q
