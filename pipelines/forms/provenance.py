"""Who sent a form and about what: the supporting and recipient hospitals, the department,
and the reporting period, looked for in this order: label lines on the sheet (填报科室：…),
the other text above the table (the title), the sheet name, the file name, the folders —
except that a department named by the sheet comes before the title (copied onto every
sheet), and a period named by a later source narrows an earlier one that holds it (a
2021年度 title over sheets 1月, 2月 …). Instructions to the submitter (请于…前报…) are no
source of anything.

Names resolve through the registry in force (pipelines/registry). Nothing is guessed: a name
that is not in the registry is reported; the only inference is the registry's own — a
hospital with exactly one registered partner."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipelines.forms.periods import (
    Period,
    PeriodError,
    PeriodNotContiguous,
    find_year,
    looks_unfilled,
    parse_period,
)
from pipelines.forms.text import a1, cell_text, fold, label_key, without_asides
from pipelines.forms.vocabulary import UNUSED_LABEL, Vocabulary
from pipelines.issues import Issue


@dataclass(frozen=True)
class Context:
    """The text around a table that may say who and when."""

    labels: dict[str, str]  # label field -> value as written (填报科室 -> 心内科)
    texts: tuple[str, ...]  # the other lines above the table, top to bottom
    sheet_name: str | None
    file_stem: str
    folders: tuple[str, ...]
    # label field -> the cell its value is written in (the label's own when it has none), so
    # that a problem with the value points the submitter at it.
    label_cells: dict[str, str] = field(default_factory=dict)
    text_cells: tuple[str, ...] = ()  # the first cell of each line of `texts`


_LABEL_SEPARATOR = re.compile(r"^[:：]")


def within(own: Context, shared: Context) -> Context:
    """The context of a table that shares a sheet with others: its own label lines first,
    then what is written once for all of them (the title, a common period line)."""
    shared_lines = [(t, c) for t, c in zip(shared.texts, shared.text_cells, strict=True)
                    if t not in own.texts]
    return Context({**shared.labels, **own.labels},
                   own.texts + tuple(t for t, _ in shared_lines), own.sheet_name,
                   own.file_stem, own.folders, {**shared.label_cells, **own.label_cells},
                   own.text_cells + tuple(c for _, c in shared_lines))


def context_of(rows: list[list[object]], sheet_name: str | None, relative_path: str,
               vocab: Vocabulary) -> Context:
    """Split the rows above a table into label values and free text."""
    labels: dict[str, str] = {}
    label_cells: dict[str, str] = {}
    texts: list[str] = []
    text_cells: list[str] = []
    for r, row in enumerate(rows):
        cells = [cell_text(v).strip() for v in row]
        line: list[tuple[int, str]] = []
        for i, text in enumerate(cells):
            if not text:
                continue
            if not _label_hits(fold(text), vocab):
                line.append((i, text))
                continue
            for label_field, (value, offset) in _labelled_values(
                    text, cells[i + 1:], vocab).items():
                if label_field not in labels:
                    labels[label_field] = value
                    label_cells[label_field] = a1(r, i + offset)
        text_line = " ".join(text for _, text in line)
        if line and not any(m in label_key(text_line) for m in vocab.instruction_markers):
            texts.append(text_line)
            text_cells.append(a1(r, line[0][0]))
    parts = relative_path.split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    return Context(labels, tuple(texts), sheet_name, stem, tuple(parts[:-1]), label_cells,
                   tuple(text_cells))


def _label_hits(folded: str, vocab: Vocabulary) -> list[tuple[int, int, str]]:
    """(start, end, field) of every label in a folded text, the longest at each place:
    填报科室 rather than the 科室 inside it."""
    return [(m.start(), m.end(), vocab.label_fields[m.group(0)])
            for m in vocab.label_pattern.finditer(folded.lower())]


def _labelled_values(text: str, following: list[str],
                     vocab: Vocabulary) -> dict[str, tuple[str, int]]:
    """`填报科室：心内科  受援单位：和政县人民医院` → both values; a cell that is only a label
    takes its value from the next non-empty cells (dates in separate cells included), up to
    the next label. Labels that bangfu does not use (填报日期 …) only end the value before
    them. Each value comes with the offset of its cell from the label's (0: the same cell)."""
    folded = fold(text)
    kept = _label_hits(folded, vocab)
    values = {}
    for n, (_start, end, label_field) in enumerate(kept):
        stop = kept[n + 1][0] if n + 1 < len(kept) else len(folded)
        value = folded[end:stop]
        value = re.sub(r"^\([^)]*\)", "", value)  # 统计周期（起止时间）：…
        value = _LABEL_SEPARATOR.sub("", value).strip()
        offset = 0
        if not value and n + 1 == len(kept):
            taken = _cells_up_to_a_label(following, vocab)
            value = " ".join(text for _, text in taken)
            offset = taken[0][0] + 1 if taken else 0
        if label_field != UNUSED_LABEL:
            values[label_field] = (value, offset)
    return values


def _cells_up_to_a_label(cells: list[str], vocab: Vocabulary) -> list[tuple[int, str]]:
    """(index, text) of the non-empty cells before the next label."""
    taken = []
    for index, text in enumerate(cells):
        if text and _label_hits(fold(text), vocab):
            break
        if text:
            taken.append((index, text))
    return taken


def find_hospitals(text: str, vocab: Vocabulary) -> list[str]:
    """Registered hospitals named in a text, in order of appearance (longest alias wins)."""
    key = label_key(text)
    found: list[tuple[int, str]] = []
    taken = [False] * len(key)
    for alias in vocab.aliases_longest_first:
        if alias not in key:  # a plain search first: a text names few hospitals, if any
            continue
        for m in re.finditer(re.escape(alias), key):
            if not any(taken[m.start():m.end()]):
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
                found.append((m.start(), vocab.hospital_aliases[alias]))
    return [name for _, name in sorted(found)]


def _without_hospitals(text: str, vocab: Vocabulary) -> str:
    key = label_key(text)
    for alias in vocab.aliases_longest_first:
        key = key.replace(alias, " ")
    return key


_HOSPITAL_LIKE = re.compile(
    r"([\u4e00-\u9fff]{2,15}?(?:医院|卫生院|卫生服务中心|保健院))")


def _unregistered_hospital(texts: list[str], vocab: Vocabulary) -> str | None:
    """The first name of a hospital (…医院, …卫生院) in the texts that the registry does not
    know; words for a kind of institution (县级医院, 医联体, 乡镇卫生院) are no name."""
    for text in texts:
        key = _without_hospitals(text, vocab)
        for word in (*vocab.generic_institution_words, *vocab.words_around_names):
            key = key.replace(word, " ")
        if m := _HOSPITAL_LIKE.search(key):
            return m.group(1)
    return None


def find_department(text: str, vocab: Vocabulary) -> str | None:
    """A registered department named in a text, hospital names removed first (中医院 is not
    中医科). An office that compiles other departments' forms (医务科, in 填报单位 or a
    title) is not the department a form is about."""
    key = _without_hospitals(text, vocab)
    for name in vocab.departments_longest_first:
        if not _names_in(name, key):
            continue
        department = vocab.departments[name]
        if department not in vocab.administrative_departments:
            return department
        key = key.replace(name, " ")
    return None


def _names_in(name: str, text: str) -> bool:
    """Whether `text` holds the department `name`; a Latin one (icu, ct) as a word of its own,
    so NICU is not ICU."""
    if not name.isascii():
        return name in text
    return re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", text) is not None


def department_written(text: str, vocab: Vocabulary) -> str | None:
    """The registered department a label's value is: the whole value once hospital names and
    asides in brackets are left out (临夏州人民医院心内科, 心内科（心血管）). Unlike a title,
    a label names nothing else, so 妇产科 is not the 产科 inside it."""
    key = without_asides(_without_hospitals(text, vocab)).strip(" ,、/")
    return vocab.departments.get(key)


_LIST_SEPARATOR = re.compile(r"[、,，;；/和及]+")


def _departments_listed(text: str, vocab: Vocabulary) -> tuple[str, ...]:
    """The departments of a label that lists several (呼吸科、心内科; 呼吸科和心内科), each
    registered; () when any part is not one."""
    parts = [p for p in _LIST_SEPARATOR.split(without_asides(label_key(text))) if p]
    named = [department_written(p, vocab) for p in parts]
    if len(parts) < 2 or None in named:
        return ()
    return tuple(dict.fromkeys(d for d in named if d))


def _reporting_department(text: str, vocab: Vocabulary) -> str | None:
    department = department_written(text, vocab)
    return None if department in vocab.administrative_departments else department


@dataclass
class Provenance:
    supporting_hospital: str | None = None
    recipient_hospital: str | None = None
    department: str | None = None
    # A department label that names several (呼吸科、心内科): those, and no department.
    departments_named: tuple[str, ...] = ()
    period: Period | None = None
    issues: list[Issue] = field(default_factory=list)


def _free_texts(context: Context) -> list[str]:
    return [*context.texts, context.sheet_name or "", context.file_stem, *reversed(context.folders)]


def resolve_hospitals(context: Context, vocab: Vocabulary, sheet: str | None,
                      provenance: Provenance) -> None:
    roles: dict[str, str | None] = {"supporting_hospital": None, "recipient_hospital": None}
    for role in roles:
        written = context.labels.get(role)
        if written:
            named = find_hospitals(written, vocab)
            if not named:
                what = "支援医院" if role == "supporting_hospital" else "受援医院"
                provenance.issues.append(Issue(
                    "unknown_hospital", sheet=sheet, value_found=written,
                    cell=context.label_cells.get(role),
                    detail=f"{what}：“{written}”不在医院名册中",
                ))
                return
            roles[role] = named[0]
    for text in [context.labels.get("reporting_unit", ""), *_free_texts(context)]:
        if all(roles.values()):
            break
        for name in find_hospitals(text, vocab):
            if vocab.recipients_of(name) and not roles["supporting_hospital"]:
                roles["supporting_hospital"] = name
            elif vocab.supporters_of(name) and not roles["recipient_hospital"]:
                roles["recipient_hospital"] = name
    supporting, recipient = roles["supporting_hospital"], roles["recipient_hospital"]
    if bool(supporting) != bool(recipient) and (stranger := _unregistered_hospital(
            [context.labels.get("reporting_unit", ""), *_free_texts(context)], vocab)):
        # The form names its other side, just not one in the registry (a new recipient, a
        # township health centre of a 医联体): never fill in the registered partner instead.
        provenance.issues.append(Issue(
            "unknown_hospital", sheet=sheet, value_found=stranger,
            cell=_cell_naming(context, stranger),
            detail=f"“{stranger}”不在医院名册中",
        ))
        return
    if supporting and not recipient and len(vocab.recipients_of(supporting)) == 1:
        recipient = vocab.recipients_of(supporting)[0]
    if recipient and not supporting and len(vocab.supporters_of(recipient)) == 1:
        supporting = vocab.supporters_of(recipient)[0]
    if supporting and recipient and (supporting, recipient) not in vocab.pairs:
        provenance.issues.append(Issue(
            "unknown_hospital", sheet=sheet,
            cell=context.label_cells.get("recipient_hospital") or _cell_naming(context, recipient),
            detail=f"帮扶关系：{supporting}→{recipient} 未在名册中登记",
        ))
        return
    if not (supporting and recipient):
        missing = [w for w, v in (("支援医院", supporting), ("受援医院", recipient)) if not v]
        provenance.issues.append(Issue(
            "unknown_hospital", sheet=sheet,
            cell=next((context.label_cells[role] for role, found in
                       (("supporting_hospital", supporting), ("recipient_hospital", recipient))
                       if not found and role in context.label_cells), None),
            detail="和".join(missing) + "（表中、文件名和文件夹中均未找到）",
        ))
        return
    provenance.supporting_hospital, provenance.recipient_hospital = supporting, recipient


def _cell_naming(context: Context, name: str) -> str | None:
    """The cell of the first label or line above the table that holds `name` (as folded)."""
    key = label_key(name)
    written = [*((context.label_cells.get(f), v) for f, v in context.labels.items()),
               *zip(context.text_cells, context.texts, strict=True)]
    return next((cell for cell, text in written if cell and key in label_key(text)), None)


def resolve_department(context: Context, vocab: Vocabulary, provenance: Provenance) -> None:
    """The registered department, or the label's text as written when it is not registered
    (the suites judge both that and a department found nowhere)."""
    written = context.labels.get("department")
    if written:
        provenance.department = department_written(written, vocab)
        if provenance.department is None:
            named = _departments_listed(written, vocab)
            if len(named) > 1:
                provenance.departments_named = named
            else:
                provenance.department = fold(written)
        return
    if unit := _reporting_department(context.labels.get("reporting_unit", ""), vocab):
        provenance.department = unit
        return
    # A sheet named after a department says which one it is even when every sheet carries
    # the same copied title.
    texts = [context.sheet_name or "", *context.texts, context.file_stem,
             *reversed(context.folders)]
    provenance.department = next((d for t in texts if (d := find_department(t, vocab))), None)


def _narrowed(period: Period, later: list[str], default_year: int | None) -> Period:
    """A title copied onto every sheet says the year or the quarter (2021年度…统计表); the
    sheet name or the file name then says which month of it (1月, 2月 …). The narrowest
    period inside the first one found wins; one that is not inside it is ignored."""
    for text in later:
        try:
            inner = parse_period(text, default_year)
        except PeriodError:
            continue
        if inner and period.start <= inner.start and inner.end <= period.end:
            period = inner
    return period


def resolve_period(context: Context, sheet: str | None, window: tuple[dt.date, dt.date],
                   provenance: Provenance) -> None:
    default_year = next(
        (y for t in (*context.texts, context.file_stem, *reversed(context.folders))
         if (y := find_year(t))),
        None,
    )
    written = context.labels.get("period")
    if written is not None:
        candidates = [written]
    else:
        candidates = [*context.texts, context.sheet_name or "", context.file_stem]
    # The cell each candidate is written in; the sheet and file names have none.
    cells = [context.label_cells.get("period")] if written is not None else list(
        context.text_cells)
    cell = None
    for n, text in enumerate(candidates):
        cell = cells[n] if n < len(cells) else None
        try:
            period = parse_period(text, default_year, labelled=written is not None)
        except PeriodNotContiguous as exc:
            provenance.issues.append(Issue(
                "period_not_contiguous", sheet=sheet, cell=cell, value_found=text,
                detail=str(exc)))
            return
        except PeriodError as exc:
            provenance.issues.append(Issue(
                "period_invalid", sheet=sheet, cell=cell, value_found=text, detail=str(exc)))
            return
        if period:
            period = _narrowed(period, candidates[n + 1:], default_year)
            break
    else:
        if written is not None:
            has_digits = any(ch.isdigit() for ch in written)
            if not has_digits:  # blank, or only the template's own words such as 至
                detail = "统计周期一栏为空"
            elif looks_unfilled(written):
                detail = f"统计周期一栏写作“{written}”"
            else:
                detail = f"统计周期“{written}”无法识别为日期"
        else:
            detail = "表中、工作表名和文件名中均未找到统计周期"
        provenance.issues.append(Issue(
            "period_missing", sheet=sheet, value_found=written,
            cell=context.label_cells.get("period") if written is not None else None,
            detail=detail))
        return
    first, last = window
    if period.end < first or period.start > last:
        provenance.issues.append(Issue(
            "period_out_of_window", sheet=sheet, cell=cell, value_found=str(period),
            detail=f"{period}不在本轮帮扶周期（{first.isoformat()}至{last.isoformat()}）内",
        ))
        return
    provenance.period = period
