"""A time split from one annotation file's own dates (config ``evaluation.protocol:
date_split``), without a second release.

GAF 2.x column 14 says when each annotation was made (YYYYMMDD). The annotations dated up to
the split date are the evaluation's training labels; the genes first annotated in an aspect
after it are its targets, as a time split's between two releases (`splits.time_split_targets`:
CAFA's no-knowledge genes, without any annotation up to the date, and limited-knowledge
genes, annotated in other aspects only). The export still learns from every annotation.

Without a date in the config, the split date is chosen from the file: the latest date after
which at least `share` of the annotated genes got their first annotation (any aspect, the
evidence codes of the run, not negated). The default share is a fifth, as one of the five
cross-validation folds holds out: the training labels keep most genes, as the export's do,
and the targets are genes studied late, like the ones a run exports.

`DateSplit.check_file` reads only the file (aspects from GAF column 9), so the workflow can
stop before any job; `DateSplit.labels` counts the targets again on the labels the run builds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import pandas as pd

from gocotrain.errors import InputError
from gocotrain.evaluation.splits import time_split_targets
from gocotrain.export.targets import LIMITED_KNOWLEDGE, MIN_HEADLINE_GENES, NO_KNOWLEDGE
from gocotrain.inputs.annotations import Annotations, Labels, build_labels
from gocotrain.inputs.ontology import Ontology

GAF_DATE = re.compile(r"\d{8}")
# Fewer genes first annotated in an aspect after the date cannot lead the report or set the
# export threshold there (`targets.closest_to_exported`): the run stops instead.
MIN_NEW_GENES = MIN_HEADLINE_GENES
ELSEWHERE = (
    "or choose evaluation.protocol: cross_validation (or time_split with annotations_new, "
    "a newer release)"
)


def parse_date(value) -> pd.Timestamp:
    """A config's split date: 2019-05-01, 20190501 or a YAML date."""
    text = str(value).replace("-", "")
    if not GAF_DATE.fullmatch(text):
        raise InputError(None, f"evaluation.split_date {value!r} is not a date", "write 2019-05-01")
    return pd.to_datetime(text, format="%Y%m%d")


def iso(date: pd.Timestamp) -> str:
    return date.strftime("%Y-%m-%d")


def annotation_dates(annotations: Annotations, path) -> pd.Series:
    """Each annotation's date (GAF column 14); stops on a file without dates or a malformed
    date, naming its line."""
    if "date" not in annotations.table:
        raise InputError(
            path,
            "a gene/term table has no annotation dates; a date split reads them from GAF "
            "column 14 (YYYYMMDD)",
            f"give the annotations as a GAF with their dates, {ELSEWHERE}",
        )
    written = annotations.table["date"]
    dates = pd.to_datetime(written, format="%Y%m%d", errors="coerce")
    bad = dates.isna() | ~written.str.fullmatch(GAF_DATE.pattern)
    if bad.any():
        first = bad.idxmax()
        raise InputError(
            path,
            f"the date {written[first]!r} (column 14) is not a date written YYYYMMDD"
            + (f"; {int(bad.sum())} lines have such dates" if bad.sum() > 1 else ""),
            f"write the date as YYYYMMDD (e.g. 20190501) or remove the line, {ELSEWHERE}",
            line=int(annotations.table["line"][first]),
        )
    return dates


def usable(annotations: Annotations, evidence_codes: list[str], aspects: list[str]):
    """The rows a run learns from (of the evidence codes, not negated; aspects as GAF column 9
    says), as a mask."""
    table = annotations.table
    codes = {code.upper() for code in evidence_codes}
    return (
        table["evidence"].str.upper().isin(codes)
        & ~table["negated"]
        & table["aspect"].isin(aspects)
    )


def first_dates(annotations: Annotations, path, evidence_codes, aspects) -> pd.DataFrame:
    """Each gene's first date in each aspect (gene_id, aspect, date), over the rows a run
    learns from; stops where those all carry one date (a placeholder: nothing to split)."""
    dates = annotation_dates(annotations, path)
    kept = usable(annotations, evidence_codes, aspects)
    table = annotations.table.loc[kept, ["gene_id", "aspect"]].assign(date=dates[kept])
    if table["date"].nunique() < 2:
        only = iso(table["date"].iloc[0]) if len(table) else "none"
        raise InputError(
            path,
            f"all its {len(table)} annotations of the evidence codes {evidence_codes} carry "
            f"one date ({only}): a placeholder, as the shared data sets write one date per "
            "file, so none is later than another and a date split has nothing to score",
            f"give the annotation file as released, with each annotation's date, {ELSEWHERE}",
        )
    return table.groupby(["gene_id", "aspect"], as_index=False)["date"].min()


def choose_split_date(firsts: pd.DataFrame, share: float) -> pd.Timestamp:
    """The latest date after which at least `share` of the genes were first annotated (in
    any aspect); where no date leaves that many, the earliest (it leaves the most)."""
    first = firsts.groupby("gene_id")["date"].min().sort_values()
    need = math.ceil(share * len(first))
    candidates = sorted(first.unique())[:-1] or sorted(first.unique())
    after = len(first) - first.searchsorted(candidates, side="right")
    enough = [date for date, count in zip(candidates, after, strict=True) if count >= need]
    return pd.Timestamp(enough[-1] if enough else candidates[0])


def new_genes(firsts: pd.DataFrame, split_date: pd.Timestamp, aspects) -> dict[str, int]:
    """Per aspect, the genes first annotated there after `split_date`."""
    late = firsts[firsts["date"] > split_date]
    counts = late.groupby("aspect")["gene_id"].nunique()
    return {aspect: int(counts.get(aspect, 0)) for aspect in aspects}


def suggested_date(firsts: pd.DataFrame, aspects) -> pd.Timestamp | None:
    """The latest date that leaves MIN_NEW_GENES genes first annotated after it in every
    aspect with annotations up to it to learn from; None where there is none."""
    latest = []
    for aspect in aspects:
        dates = firsts.loc[firsts["aspect"] == aspect, "date"].sort_values(ascending=False)
        if len(dates) < MIN_NEW_GENES:
            return None
        latest.append(dates.iloc[MIN_NEW_GENES - 1] - pd.Timedelta(days=1))
    date = min(latest)
    return date if date >= firsts["date"].min() else None


def check_enough(counts: dict[str, int], split_date, firsts, path, chosen: bool) -> None:
    """Stop where an aspect has fewer than MIN_NEW_GENES genes first annotated after the
    date, saying how many and which date would leave enough."""
    few = {aspect: count for aspect, count in counts.items() if count < MIN_NEW_GENES}
    if not few:
        return
    suggestion = suggested_date(firsts, list(counts))
    fix = (
        f"set evaluation.split_date to {iso(suggestion)} or earlier (that leaves at least "
        f"{MIN_NEW_GENES} in every aspect), "
        if suggestion is not None
        else "leave the aspects with few late genes out (config aspects), "
    )
    raise InputError(
        path,
        "too few genes are first annotated after the split date "
        f"{iso(split_date)}{' (chosen by evaluation.date_split_share)' if chosen else ''}: "
        + ", ".join(f"{count} in aspect {aspect}" for aspect, count in few.items())
        + f"; an aspect's figures and export threshold need at least {MIN_NEW_GENES}",
        fix + ELSEWHERE,
    )


@dataclass(frozen=True)
class Cut:
    """Where a date split cuts an annotation file: the date, whether it was chosen from the
    file, and each gene's first date per aspect (`first_dates`)."""

    split_date: pd.Timestamp
    chosen: bool
    firsts: pd.DataFrame


@dataclass(frozen=True)
class DateSplit:
    """Where a date split cuts the annotation file (config `evaluation`): at `split_date`
    (2019-05-01, 20190501), or where None at the date chosen from the file by
    `date_split_share` (`choose_split_date`)."""

    split_date: str | int | None
    date_split_share: float

    def cut(self, annotations: Annotations, path, evidence_codes, aspects) -> Cut:
        """The split date, given or chosen, checked against the file's dates."""
        firsts = first_dates(annotations, path, evidence_codes, aspects)
        if self.split_date is None:
            return Cut(choose_split_date(firsts, self.date_split_share), True, firsts)
        date = parse_date(self.split_date)
        if date < firsts["date"].min():
            raise InputError(
                path,
                "no annotation of the evidence codes is dated on or before the split date "
                f"{iso(date)} (the earliest is {iso(firsts['date'].min())}): nothing to train on",
                "set evaluation.split_date later, or leave it out to choose it from the file",
            )
        return Cut(date, False, firsts)

    def check_file(self, annotations: Annotations, path, evidence_codes, aspects) -> Cut:
        """Everything the file alone tells of the split, before any job: its dates, the split
        date, and enough genes first annotated after it (counted on the file's IDs and column
        9's aspects; `labels` counts them again on the run's labels)."""
        cut = self.cut(annotations, path, evidence_codes, aspects)
        counts = new_genes(cut.firsts, cut.split_date, aspects)
        check_enough(counts, cut.split_date, cut.firsts, path, cut.chosen)
        return cut

    def labels(
        self,
        annotations: Annotations,
        ontology: Ontology,
        genes: list[str],
        evidence_codes: list[str],
        aspects: list[str],
        path,
    ) -> Labels:
        """The labels of the annotations dated up to the split date, the evaluation's training
        labels; stops (`check_enough`) where the run's labels leave too few time-split targets
        after it. The report says the date and the targets per aspect."""
        cut = self.cut(annotations, path, evidence_codes, aspects)
        earlier = replace(
            annotations,
            table=annotations.table[annotation_dates(annotations, path) <= cut.split_date],
        )
        before = build_labels(earlier, ontology, genes, evidence_codes, aspects, path, None)
        every = build_labels(annotations, ontology, genes, evidence_codes, aspects, path)
        targets = {
            aspect: time_split_targets(before.table, every.table, aspect, ontology=ontology)
            for aspect in aspects
        }
        counts = {
            aspect: len(found[NO_KNOWLEDGE]) + len(found[LIMITED_KNOWLEDGE])
            for aspect, found in targets.items()
        }
        check_enough(counts, cut.split_date, cut.firsts, path, cut.chosen)
        before.report |= {
            "split_date": iso(cut.split_date),
            "split_date_chosen_from_file": cut.chosen,
            "annotations_up_to_split_date": len(earlier.table),
            "annotations_after_split_date": len(annotations.table) - len(earlier.table),
        }
        for aspect, found in targets.items():
            before.report[f"no_knowledge_genes_{aspect}"] = len(found[NO_KNOWLEDGE])
            before.report[f"limited_knowledge_genes_{aspect}"] = len(found[LIMITED_KNOWLEDGE])
        return before
