"""The registry as the portal needs it: hospitals with their provinces, their aliases, and the
pairs. Read from the warehouse's seeds schema (what the last run loaded), or, before the first
run, from the same seeds on disk. This is the one place the portal reads them: when the
registry workbook is loaded as raw tables, only `_tables` changes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from dashboards.marts import Pair
from pipelines.catalogue import seed
from pipelines.forms.text import label_key
from portal.warehouse import published_version, rows

# The columns read of each seed.
COLUMNS = {"hospitals": ("hospital_name", "province"),
           "hospital_aliases": ("alias", "hospital_name"),
           "hospital_pairs": ("supporting_hospital", "recipient_hospital")}
TABLES = tuple(COLUMNS)


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


def _tables(published: str | None) -> dict[str, list[dict[str, str]]]:
    """The three tables' rows as text: the warehouse's when there is one, else the seeds'."""
    if published is None:
        return {name: [dict(row) for row in seed(name)] for name in TABLES}
    return {name: [{k: str(v) for k, v in row.items()}
                   for row in rows(f"select {', '.join(COLUMNS[name])} from seeds.{name}",
                                   columns=COLUMNS[name])] for name in TABLES}


@lru_cache(maxsize=4)
def _registry(published: str | None) -> Registry:
    tables = _tables(published)
    provinces = {r["hospital_name"]: r["province"] for r in tables["hospitals"]}
    aliases = {label_key(name): name for name in provinces}
    aliases.update({label_key(r["alias"]): r["hospital_name"] for r in tables["hospital_aliases"]})
    pairs = tuple(sorted(Pair(r["supporting_hospital"], r["recipient_hospital"])
                         for r in tables["hospital_pairs"]))
    return Registry(provinces, aliases, pairs)


def registry() -> Registry:
    """The registry in force, read again when a run has published a new warehouse."""
    return _registry(published_version())
