"""What an account may see: the pairs of its scope (contract "Portal"). Every view asks
`scope_of(request.user)` on every request; nothing is decided by which links a page shows."""

from __future__ import annotations

from dataclasses import dataclass

from portal.registry import Pair, registry

ADMIN, VIEWER, SUBMITTER, REVIEWER = "admin", "viewer", "submitter", "reviewer"
ROLES = {ADMIN: "管理员", VIEWER: "查看", SUBMITTER: "报送", REVIEWER: "审核"}


@dataclass(frozen=True)
class Scope:
    role: str | None
    everything: bool
    pairs: frozenset[Pair]
    hospital: str = ""

    def allows(self, supporting: str | None, recipient: str | None) -> bool:
        return self.everything or Pair(supporting or "", recipient or "") in self.pairs

    def reviews(self, supporting: str | None, recipient: str | None) -> bool:
        """Reports are approved by the supporting hospital's reviewers (医务科), or an admin."""
        if self.role == ADMIN:
            return True
        return (self.role == REVIEWER and bool(self.hospital) and supporting == self.hospital
                and self.allows(supporting, recipient))

    @property
    def uploads(self) -> bool:
        return self.role in (ADMIN, SUBMITTER)

    def visible(self, pairs) -> list[Pair]:
        return [pair for pair in pairs if self.allows(pair.supporting, pair.recipient)]


NOTHING = Scope(None, False, frozenset())


def role_of(user) -> str | None:
    """An account's role is the one of the four groups it is in (the admin's Groups page)."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMIN
    names = set(user.groups.values_list("name", flat=True)) & ROLES.keys()
    return min(names, key=list(ROLES).index) if names else None


def scope_of(user) -> Scope:
    role = role_of(user)
    if role is None:
        return NOTHING
    if role == ADMIN:
        return Scope(role, True, frozenset())
    account = getattr(user, "account", None)
    if account is None:
        return Scope(role, False, frozenset())
    current = registry()
    if account.province and role == VIEWER:
        pairs = {p for p in current.pairs if current.provinces.get(p.recipient) == account.province}
    elif account.hospital:
        pairs = {p for p in current.pairs if account.hospital in (p.supporting, p.recipient)}
    else:
        pairs = set()
    return Scope(role, False, frozenset(pairs), account.hospital)
