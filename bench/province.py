"""The province corpus: many pairs in a generated registry workbook, many forms and persons, a
share of them warned or faulty, weekly, monthly and quarterly, .xlsx, .xls and .csv.

A shape says how large (PROVINCE: 100 pairs, 100,000 forms, ~30,000 persons, ~5% warned, ~1%
with errors). Its pairs are generated hospitals — a supporting hospital in a prefecture city
helps four county hospitals, in five provinces — written into a registry workbook with the
contract's sheets and headers (BANGFU_REGISTRY, ../shared/contract.md "Registry"); a shape of
`pairs=0` uses the two pairs of the source documents instead and needs no registry (the shape
of issue 22's 10,000 forms by 23,000 persons, most warned: TWO_PAIRS).

Each pair's departments report weekly, monthly or quarterly, so that the pair sends about
forms ÷ pairs forms; each department has persons ÷ (pairs × departments) people over the five
years. The forms are the sample's (pipelines.authoring.sample: its layouts, spellings, .xls
years and CSV saves); a drawn share of them gets a fault planted: a value ten times too large
(a warning: outside the department's usual range) or a count written in words (an error: the
row is rejected). Every draw is seeded, so a shape is the same corpus on every machine; it is
written once into bench/corpora/<shape>-<version>/ and reused (bench.corpus.Corpus).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from bench.corpus import BENCH_DIR, CACHE, Corpus, description_of
from pipelines.authoring import sample
from pipelines.catalogue import metrics_of
from pipelines.registry.load import in_force
from pipelines.settings import programme_window

GENERATOR_VERSION = 1  # one higher whenever this file writes other files than before
REGISTRY_NAME = "登记表.xlsx"  # beside the corpus folder, not in it (a scan would find it)

PROVINCES = ("甘肃省", "贵州省", "四川省", "云南省", "青海省")
CITIES = ("兰州", "天水", "白银", "武威", "张掖", "平凉", "酒泉", "庆阳", "定西", "陇南", "遵义",
          "六盘水", "安顺", "毕节", "铜仁", "绵阳", "德阳", "南充", "宜宾", "泸州", "曲靖", "玉溪",
          "昭通", "西宁", "海东")
COUNTIES = "东西南北中上下前后左右新安平宁和康乐永兴"
RECIPIENTS_PER_SUPPORTER = 4
WEEKS, MONTHS, QUARTERS = 261, 60, 20  # forms one department sends over the five years
MISSPELLED = "若干"  # what a count written in words looks like


@dataclass(frozen=True)
class Shape:
    name: str
    pairs: int  # generated pairs; 0: the two pairs of the source documents
    departments: int  # per pair
    forms: int  # activity forms, about
    persons: int  # distinct persons, about
    warned: float  # the share of forms given a warning
    faulty: float  # the share of forms given an error
    csv_share: float = 0.02
    xls_until: int = 2019  # forms up to this year are .xls, as WPS saves them


PROVINCE = Shape("province", pairs=100, departments=10, forms=100_000, persons=30_000,
                 warned=0.05, faulty=0.01)
TWO_PAIRS = Shape("two-pairs", pairs=0, departments=20, forms=10_000, persons=23_000,
                  warned=0.8, faulty=0.01)


@dataclass(frozen=True)
class Hospital:
    name: str
    alias: str
    level: str
    province: str


def _generated_pairs(shape: Shape) -> list[tuple[Hospital, Hospital]]:
    pairs = []
    for number in range(shape.pairs):
        city = CITIES[number // RECIPIENTS_PER_SUPPORTER % len(CITIES)]
        round_ = number // (RECIPIENTS_PER_SUPPORTER * len(CITIES))
        suffix = "" if round_ == 0 else str(round_ + 1)
        province = PROVINCES[number // RECIPIENTS_PER_SUPPORTER % len(PROVINCES)]
        supporting = Hospital(f"{city}市第{round_ + 1}人民医院", f"{city}市{suffix}院", "三级",
                              province)
        county = f"{city}{COUNTIES[number % len(COUNTIES)]}{COUNTIES[number // 7 % len(COUNTIES)]}"
        recipient = Hospital(f"{county}县人民医院", f"{county}县医院", "二级", province)
        pairs.append((supporting, recipient))
    return pairs


def _cadences(shape: Shape, forms_per_pair: int) -> tuple[int, int]:
    """How many of a pair's departments report weekly and monthly (the others quarterly), so
    that it sends about `forms_per_pair` forms."""
    departments = shape.departments
    weekly = min(departments, max(0, (forms_per_pair - QUARTERS * departments)
                                  // (WEEKS - QUARTERS)))
    left = forms_per_pair - WEEKS * weekly - QUARTERS * (departments - weekly)
    monthly = min(departments - weekly, max(0, left // (MONTHS - QUARTERS)))
    return weekly, monthly


def plans(shape: Shape) -> list[sample.PairPlan]:
    """A plan per pair: its departments (the registry's, in turn), their cadences and
    people."""
    departments = list(in_force().departments)
    if shape.pairs:
        named = [(s.name, r.name) for s, r in _generated_pairs(shape)]
    else:
        named = [(plan.supporting, plan.recipient) for plan in sample.PAIRS]
    forms_per_pair = shape.forms // len(named)
    weekly, monthly = _cadences(shape, forms_per_pair)
    pool = max(6, round(shape.persons / (len(named) * shape.departments)) + 2)
    plans = []
    for number, (supporting, recipient) in enumerate(named):
        own = [departments[(number * 3 + n) % len(departments)] for n in range(shape.departments)]
        cadence_forms = [WEEKS] * weekly + [MONTHS] * monthly
        cadence_forms += [QUARTERS] * (shape.departments - weekly - monthly)
        # Enough people per form that the department's forms name all of its people.
        most = max((max(3, -(-4 * pool // forms)) for forms in cadence_forms), default=3)
        plans.append(sample.PairPlan(
            supporting=supporting, recipient=recipient, title_verb="对口帮扶",
            departments=tuple(own), weekly_departments=tuple(own[:weekly]),
            monthly_departments=tuple(own[weekly:weekly + monthly]),
            monthly_from=programme_window()[0].year, xls_until=shape.xls_until,
            people=pool, most_per_form=most, csv_share=shape.csv_share))
    return plans


def seeds(shape: Shape) -> sample.Seeds:
    """The sample's seeds (the registry in force), with the shape's generated hospitals and
    aliases."""
    base = sample.load_seeds()
    if not shape.pairs:
        return base
    hospitals = {h for pair in _generated_pairs(shape) for h in pair}
    of_alias = {**base.hospital_of_alias,
                **{name: h.name for h in hospitals for name in (h.name, h.alias)}}
    aliases = {**base.aliases_of_hospital, **{h.name: (h.name, h.alias) for h in hospitals}}
    return dataclasses.replace(base, hospital_of_alias=of_alias, aliases_of_hospital=aliases)


def write_registry(path: Path, shape: Shape) -> Path:
    """The registry workbook of the shape's pairs, sheets and headers as the contract names
    them: every department of the registry in force, each pair's departments expected at
    their cadence."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    pairs = _generated_pairs(shape)
    hospitals = list(dict.fromkeys(h for pair in pairs for h in pair))
    first, last = programme_window()
    cadence_word = {"week": "周", "month": "月", "quarter": "季"}
    expected = []
    for plan in plans(shape):
        for department in plan.departments:
            cadence = ("week" if department in plan.weekly_departments else
                       "month" if department in plan.monthly_departments else "quarter")
            expected.append([plan.supporting, plan.recipient, department, first.year, last.year,
                             cadence_word[cadence], ""])
    sheets = {
        "医院": (["医院名称", "级别", "省份"], [[h.name, h.level, h.province] for h in hospitals]),
        "医院别名": (["别名", "医院名称"], [[h.alias, h.name] for h in hospitals]),
        "帮扶关系": (["支援医院", "受援医院", "开始日期", "结束日期", "项目名称"],
                     [[s.name, r.name, first, last, f"{s.name}对口帮扶{r.name}"]
                      for s, r in pairs]),
        "科室": (["科室", "类别"], [[name, category]
                                  for name, category in in_force().departments.items()]),
        "科室别名": (["别名", "科室"], [[alias, name]
                                      for alias, name in in_force().department_aliases.items()]),
        "应报科室": (
            ["支援医院", "受援医院", "科室", "起始年份", "截止年份", "报送周期", "报送月份"],
            expected),
    }
    for title, (header, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _fault(form: sample.Form, shape: Shape) -> sample.PlantedCell | None:
    draw = random.Random(f"fault/{shape.name}/{'/'.join(form.key)}").random()
    if draw < shape.faulty:
        return sample.PlantedCell(0, "consultations", lambda _: MISSPELLED)
    if draw < shape.faulty + shape.warned:
        # Ten times the person's true count: far outside the department's usual range.
        return sample.PlantedCell(0, "surgeries", lambda true_value: true_value * 10 + 500)
    return None


def forms(shape: Shape) -> Iterator[sample.Form]:
    taken: set[str] = set()
    shape_seeds = seeds(shape)
    for plan in plans(shape):
        yield from sample.pair_forms(plan, taken, shape_seeds)


def _trajectories(recipient: str) -> dict[str, tuple[float, float]]:
    """A generated recipient's capacity: the sample's first recipient's, scaled by a draw."""
    base = next(iter(sample.CAPACITY_FIRST_LAST.values()))
    scale = random.Random(f"capacity/{recipient}").uniform(0.5, 1.5)
    percent = {m.code for m in metrics_of("capacity") if m.value_type in ("percent", "index")}
    return {code: (first, last) if code in percent else
            (round(first * scale), round(last * scale)) for code, (first, last) in base.items()}


def write_province(root: Path, shape: Shape) -> Corpus:
    """The shape's corpus in `root` (replaced) and, for generated pairs, its registry beside
    it (registry_of(root))."""
    started = time.perf_counter()
    description_of(root).unlink(missing_ok=True)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    shape_seeds = seeds(shape)
    if shape.pairs:
        write_registry(registry_of(root), shape)
    written, kinds = [], []
    for plan in plans(shape):
        written.append(sample.write_capacity(
            root, plan, shape_seeds, None if not shape.pairs else _trajectories(plan.recipient)))
        kinds.append("capacity")
    form_count = 0
    for form in forms(shape):
        paths = sample.write_form(root, form, shape_seeds, _fault(form, shape))
        written += paths
        kinds += [form.period.cadence] * len(paths)
        form_count += 1
    mix = Counter(kinds) + Counter(path.suffix for path in written)
    digest = hashlib.sha256()
    for path in sorted(written):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    corpus = Corpus(root=root, files=len(written), forms=form_count,
                    bytes=sum(path.stat().st_size for path in written),
                    mix=dict(sorted(mix.items())), fingerprint=digest.hexdigest(),
                    generated_seconds=round(time.perf_counter() - started, 1))
    description_of(root).write_text(json.dumps(corpus.describe(), ensure_ascii=False, indent=1),
                                    encoding="utf-8")
    return corpus


def registry_of(root: Path) -> Path:
    return root.with_name(f"{root.name}.{REGISTRY_NAME}")


def generator_version() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(Path(sample.__file__).read_bytes())
    return f"p{GENERATOR_VERSION}-{digest.hexdigest()[:10]}"


def cached_province(shape: Shape, log=print) -> Corpus:
    """The shape's corpus from bench/corpora/, written first if it is not there."""
    root = CACHE / f"{shape.name}-{generator_version()}" / "corpus"
    if description_of(root).exists():
        return Corpus.load(root)
    for stale in CACHE.glob(f"{shape.name}-p*"):
        if stale != root.parent:
            shutil.rmtree(stale)
    log(f"bench: writing the {shape.name} corpus into {root.relative_to(BENCH_DIR.parent)}")
    corpus = write_province(root, shape)
    log(f"bench: {corpus.files:,} files written in {corpus.generated_seconds:.0f} s")
    return corpus
