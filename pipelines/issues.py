"""Problems found in submitted files, and the Chinese instruction each one gives its submitter.

The catalogue of codes is the seed `issue_codes.csv`, shared with dbt (which tests every
issue in the warehouse against it). Its message templates are filled with
{sheet} {row} {cell} {column} {value} {detail}. Codes are part of the warehouse contract:
they may be added, never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pipelines.catalogue import seed

CATALOGUE_SEED = "issue_codes"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in seed(CATALOGUE_SEED)}


@dataclass(frozen=True)
class Issue:
    code: str
    sheet: str | None = None
    row_number: int | None = None
    column_name: str | None = None
    cell: str | None = None
    value_found: str | None = None
    detail: str = ""
    source: str = "reader"

    def __post_init__(self) -> None:
        if self.code not in catalogue():
            raise KeyError(f"unknown issue code {self.code!r}; add it to {CATALOGUE_SEED}.csv")

    @property
    def severity(self) -> str:
        return catalogue()[self.code]["severity"]

    @property
    def is_file_level(self) -> bool:
        """An error that rejects the whole file: its code's level in the seed says so (dbt reads
        the same column, in int_rejecting_issues)."""
        return self.severity == "error" and catalogue()[self.code]["level"] == "file"

    @property
    def message(self) -> str:
        return catalogue()[self.code]["message_zh"].format(
            sheet=self.sheet or "",
            row=self.row_number or "",
            cell=self.cell or "",
            column=self.column_name or "",
            value=self.value_found if self.value_found is not None else "",
            detail=self.detail,
        )

    def as_record(self) -> dict[str, Any]:
        """The row this issue becomes in `raw.issues` (sha256 is added by the caller)."""
        return {
            "sheet": self.sheet,
            "row_number": self.row_number,
            "column_name": self.column_name,
            "cell": self.cell,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "value_found": self.value_found,
            "source": self.source,
        }
