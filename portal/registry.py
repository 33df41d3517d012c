"""The registry as the portal needs it: hospitals with their provinces, their aliases, and the
pairs — the registry in force (`BANGFU_REGISTRY`, or the built-in one), as the next run
applies it (pipelines.registry.load.in_force, read again when the workbook changes). This is
the one place the portal reads it."""

from __future__ import annotations

from dataclasses import dataclass

from dashboards.marts import Pair
from pipelines.forms.text import label_key
from pipelines.registry.load import Registry as InForce
from pipelines.registry.load import in_force


@dataclass(frozen=True)
class Registry:
    provinces: dict[str, str]  # hospital name -> 省份
    aliases: dict[str, str]  # label_key(name or alias) -> hospital name
    pairs: tuple[Pair, ...]

    def hospital(self, text: str) -> str | None:
        """The registered hospital a name or alias stands for."""
        return self.aliases.get(label_key(text))

    def pair(self, supporting: str | None, recipient: str | None) -> Pair | None:
        wanted = Pair(supporting or "", recipient or "")
        return wanted if wanted in self.pairs else None


_made: dict[str, Registry] = {}  # by the registry's digest: made once per version


def _registry(current: InForce) -> Registry:
    provinces = {name: row.get("province") or "" for name, row in current.hospitals.items()}
    aliases = {label_key(alias): name for alias, name in current.hospital_aliases.items()}
    return Registry(provinces, aliases, tuple(sorted(Pair(*pair) for pair in current.pairs)))


def registry() -> Registry:
    """The registry in force now."""
    current = in_force()
    if current.digest not in _made:
        _made[current.digest] = _registry(current)
    return _made[current.digest]
