"""Everything the reader recognises, loaded once from data: the seeds shared with dbt
(metrics, header synonyms; through pipelines.catalogue), the registry in force (hospitals,
aliases, pairs, departments; through pipelines.registry, the same rows dbt reads as raw
tables) and the reader's own vocabulary.yml."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import yaml

from pipelines.catalogue import Metric, seed
from pipelines.catalogue import metrics as metric_catalogue
from pipelines.forms.text import fold, label_key, remembering_short_texts
from pipelines.registry.load import Registry, in_force

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yml")
# A unit in brackets at the end of a header, after label_key (which folds （） to ()).
_UNIT_ASIDE = re.compile(r"\((?P<unit>[^()]+)\)$")

PERSON_NAME = "person_name"
DEPARTMENT = "department"  # a 科室 column: each row's department
IGNORED = "ignore"
NOT_METRICS = (PERSON_NAME, DEPARTMENT, IGNORED)  # header fields that hold no metric
UNUSED_LABEL = "unused"  # a label whose value bangfu does not need (填报日期 …)
ADMINISTRATIVE = "管理"  # the category of offices in the registry's 科室 sheet
UNIT_HEADERS = frozenset({"单位", "计量单位"})


@dataclass(frozen=True)
class Vocabulary:
    metrics: dict[str, Metric]
    header_fields: dict[str, str]  # label_key(header) -> field (metric code, person_name, ignore)
    # label_key(header without its unit) -> (field, factor of the unit the synonym names):
    # 帮扶经费 -> (funding_10k_yuan, 1.0) from 帮扶经费（万元）
    header_units: dict[str, tuple[str, float]]
    hospital_aliases: dict[str, str]  # label_key(alias) -> canonical name
    pairs: tuple[tuple[str, str], ...]  # (supporting, recipient)
    departments: dict[str, str]  # label_key(name or synonym) -> canonical department
    # Offices that compile and send other departments' forms (医务科); never a form's own.
    administrative_departments: frozenset[str]
    header_search_rows: int
    labels: dict[str, tuple[str, ...]]  # field -> label keys
    # Any label key where it is a label (followed by a colon, a bracket or nothing), the
    # longest first; label_fields says whose it is.
    label_pattern: re.Pattern[str]
    label_fields: dict[str, str]
    support_verbs: tuple[str, ...]
    instruction_markers: tuple[str, ...]
    totals_markers: frozenset[str]
    subtotal_markers: tuple[str, ...]
    not_a_sum_markers: tuple[str, ...]
    current_sub_labels: frozenset[str]
    running_sub_labels: frozenset[str]
    notes_markers: tuple[str, ...]  # folded prefixes
    footer_markers: tuple[str, ...]  # folded prefixes
    zero_tokens: frozenset[str]
    unit_suffixes: tuple[tuple[str, float], ...]  # longest first
    unit_factors: dict[str, float]  # the same, by unit
    summary_sheet_words: tuple[str, ...]
    generic_institution_words: tuple[str, ...]  # longest first
    optional_suffixes: tuple[tuple[str, frozenset[str]], ...]  # suffix, value types

    # Texts are searched for names longest first, so that 务川县中医院 wins over 中医院 and
    # 妇产科 over 产科; these orders are taken once, not on every search.
    @cached_property
    def aliases_longest_first(self) -> tuple[str, ...]:
        return tuple(sorted(self.hospital_aliases, key=len, reverse=True))

    @cached_property
    def departments_longest_first(self) -> tuple[str, ...]:
        return tuple(sorted(self.departments, key=len, reverse=True))

    @cached_property
    def words_around_names(self) -> tuple[str, ...]:
        """对口支援 and the labels (受援医院, 支援单位 …): words beside hospital names that are
        no part of them."""
        words = {*self.support_verbs, *(w for ws in self.labels.values() for w in ws)}
        return tuple(sorted(words, key=len, reverse=True))

    def field_of(self, header: str) -> str | None:
        return self.column_of(header)[0]

    def column_of(self, header: str) -> tuple[str | None, float]:
        """The field a header names, and the factor that turns a bare number in its column
        into the metric's unit: 诊疗人次（人次） is 诊疗人次; 支援经费（元） is funding in
        yuan, 0.0001 of the 万元 the metric counts in."""
        return self._remembered_column_of(header)

    @cached_property
    def _remembered_column_of(self) -> Callable[[str], tuple[str | None, float]]:
        # Every text in the rows where a header may be is asked about, on every sheet: most of
        # them are the same few headers and labels.
        return remembering_short_texts(self._column_of)

    def _column_of(self, header: str) -> tuple[str | None, float]:
        key = label_key(header).strip("*※")  # *姓名: a required column's mark
        if field := self._field_of_key(key):
            return field, 1.0
        if (m := _UNIT_ASIDE.search(key)) and (factor := self.unit_factor(m["unit"])):
            base = key[: m.start()]
            if field := self._field_of_key(base):
                return field, factor
            if base in self.header_units:
                field, written_unit = self.header_units[base]
                return field, factor / written_unit
        return None, 1.0

    def _field_of_key(self, key: str) -> str | None:
        """The field of a header key as a synonym, or with an optional suffix added or left
        out (门诊人次数 is 门诊人次, 开放床位 is 开放床位数) when the metric is of a value type
        that suffix fits (率 only for a percentage)."""
        if field := self.header_fields.get(key):
            return field
        for suffix, value_types in self.optional_suffixes:
            variant = key.removesuffix(suffix) if key.endswith(suffix) else key + suffix
            field = self.header_fields.get(variant)
            if field in self.metrics and self.metrics[field].value_type in value_types:
                return field
        return None

    def unit_factor(self, unit: str) -> float | None:
        return self.unit_factors.get(label_key(unit))

    def is_unit(self, text: str) -> bool:
        """`人次`, `（例）`, `万人次`, `%`: a unit word, in brackets or not, in ten thousands or
        not — as written in a units line or a unit column."""
        return self.unit_factor(label_key(text).strip("()").removeprefix("万")) is not None

    @staticmethod
    def is_unit_header(text: str) -> bool:
        """单位, 计量单位: the header of a unit column."""
        return label_key(text) in UNIT_HEADERS

    def metric_kind(self, field: str) -> str | None:
        metric = self.metrics.get(field)
        return metric.kind if metric else None

    def is_summary_sheet(self, name: str | None) -> bool:
        return bool(name) and any(word in label_key(name) for word in self.summary_sheet_words)

    def recipients_of(self, supporting: str) -> list[str]:
        return [r for s, r in self.pairs if s == supporting]

    def supporters_of(self, recipient: str) -> list[str]:
        return [s for s, r in self.pairs if r == recipient]


# The vocabulary of each registry this process has read with, by its reader digest.
_of_registry: dict[str, Vocabulary] = {}


def vocabulary() -> Vocabulary:
    """The reader's vocabulary with the registry in force (made once per registry)."""
    registry = in_force()
    vocab = _of_registry.get(registry.reader_digest)
    if vocab is None:
        vocab = _of_registry[registry.reader_digest] = _vocabulary(registry)
    return vocab


@cache
def _own_words() -> dict:
    with VOCABULARY_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _vocabulary(registry: Registry) -> Vocabulary:
    own = _own_words()

    metrics = metric_catalogue()
    header_fields: dict[str, str] = {}
    for row in seed("header_synonyms"):
        header_fields.setdefault(label_key(row["header"]), row["field"])
    for metric in metrics.values():
        header_fields.setdefault(label_key(metric.name_zh), metric.code)
    unit_suffixes = tuple(
        sorted(
            ((label_key(u), float(f)) for u, f in own["unit_suffixes"].items()),
            key=lambda item: -len(item[0]),
        )
    )
    unit_factors = dict(unit_suffixes)
    header_units = {}
    for key, field in header_fields.items():
        if (m := _UNIT_ASIDE.search(key)) and (factor := unit_factors.get(m["unit"])):
            header_units.setdefault(key[: m.start()], (field, factor))

    aliases = {label_key(alias): name for alias, name in registry.hospital_aliases.items()}
    departments = {label_key(name): name for name in registry.departments}
    administrative = frozenset(
        name for name, category in registry.departments.items() if category == ADMINISTRATIVE)
    departments.update(
        {label_key(alias): name for alias, name in registry.department_aliases.items()})

    labels: dict[str, list[str]] = defaultdict(list)
    for field, words in own["labels"].items():
        labels[field] = [label_key(w) for w in words]

    return Vocabulary(
        metrics=metrics,
        header_fields=header_fields,
        header_units=header_units,
        hospital_aliases=aliases,
        pairs=registry.pairs,
        departments=departments,
        administrative_departments=administrative,
        header_search_rows=int(own["header_search_rows"]),
        labels={field: tuple(words) for field, words in labels.items()},
        label_pattern=re.compile(
            "(?:" + "|".join(re.escape(w) for w in sorted(
                {w for ws in labels.values() for w in ws}, key=len, reverse=True))
            + r")(?=$|[:(])"),
        label_fields={w: field for field, ws in labels.items() for w in ws},
        support_verbs=tuple(label_key(v) for v in own["support_verbs"]),
        instruction_markers=tuple(label_key(m) for m in own["instruction_markers"]),
        totals_markers=frozenset(label_key(m) for m in own["totals_markers"]),
        subtotal_markers=tuple(label_key(m) for m in own["subtotal_markers"]),
        not_a_sum_markers=tuple(label_key(m) for m in own["not_a_sum_markers"]),
        current_sub_labels=frozenset(label_key(m) for m in own["sub_labels"]["current"]),
        running_sub_labels=frozenset(label_key(m) for m in own["sub_labels"]["running"]),
        notes_markers=tuple(fold(m).lower() for m in own["notes_markers"]),
        footer_markers=tuple(fold(m).lower() for m in own["footer_markers"]),
        zero_tokens=frozenset(label_key(t) for t in own["zero_tokens"]),
        summary_sheet_words=tuple(label_key(w) for w in own["summary_sheet_words"]),
        generic_institution_words=tuple(sorted(
            (label_key(w) for w in own["generic_institution_words"]), key=len, reverse=True)),
        optional_suffixes=tuple((label_key(suffix), frozenset(types))
                                for suffix, types in own["optional_suffixes"].items()),
        unit_suffixes=unit_suffixes,
        unit_factors=unit_factors,
    )
