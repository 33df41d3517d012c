"""The benchmark corpora: the sample corpus, written again with other random seeds.

A copy of the sample with bytes mutated would break the xlsx/xls containers, and the test
builder in tests/formfiles.py writes plain forms only; the sample generator already varies
layouts, templates, spellings, formats (.xlsx, WPS .xls, CSV) and planted faults, so each
extra seed gives 348 more realistic files with their own contents.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from unittest import mock

from pipelines.authoring import sample

VARIANTS_FULL = 6  # 6 × 348 = 2,088 files
VARIANTS_QUICK = 1


@dataclass(frozen=True)
class Corpus:
    root: Path
    files: int
    bytes: int
    seeds: tuple[int, ...]
    fingerprint: str  # sha256 over every file's path and digest: equal means equal input

    def describe(self) -> dict[str, object]:
        return {**asdict(self), "root": str(self.root)}


def write_sample(dest: Path, seed: int) -> list[Path]:
    """The sample corpus drawn with `seed` instead of the generator's own."""
    # The generator reads its module-level seed at every draw; patch.object fails loudly if
    # the name goes away.
    with mock.patch.object(sample, "RANDOM_SEED", seed):
        return sample.write_sample_corpus(dest)


def write_corpus(root: Path, variants: int) -> Corpus:
    """`variants` sample corpora side by side in root/variant-a, variant-b, …; the first is
    the sample itself. Folder names carry no digits, so they name no period or year."""
    seeds = tuple(sample.RANDOM_SEED + index for index in range(variants))
    written: list[Path] = []
    for index, seed in enumerate(seeds):
        written += write_sample(root / f"variant-{chr(ord('a') + index)}", seed)
    digest = hashlib.sha256()
    for path in sorted(written):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return Corpus(
        root=root,
        files=len(written),
        bytes=sum(path.stat().st_size for path in written),
        seeds=seeds,
        fingerprint=digest.hexdigest(),
    )
