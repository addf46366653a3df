"""Agreement between coders, per statement and theme (present/absent) — never per character.

Percent agreement and Cohen's kappa per theme for two coders; Krippendorff's alpha (nominal,
from the ``krippendorff`` package) when there are more than two. The machine is the coder
``regel`` (any ``regel:<version>``); a human is judged on the statements they reviewed.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

import sqlite_utils

MACHINE = "regel"


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float | None:
    """Cohen's kappa of two binary ratings of the same units; None when there are no units."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    both = sum(1 for x, y in zip(a, b, strict=True) if x and y)
    neither = sum(1 for x, y in zip(a, b, strict=True) if not x and not y)
    observed = (both + neither) / n
    pa, pb = sum(map(bool, a)) / n, sum(map(bool, b)) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    if expected == 1:
        return 1.0 if observed == 1 else 0.0
    return (observed - expected) / (1 - expected)


def percent_agreement(ratings: Sequence[Sequence[bool]]) -> float | None:
    """Share of units on which all coders agree."""
    if not ratings or not ratings[0]:
        return None
    units = list(zip(*ratings, strict=True))
    return sum(1 for u in units if len(set(u)) == 1) / len(units)


def krippendorff_alpha(ratings: Sequence[Sequence[bool]]) -> float | None:
    """Krippendorff's alpha (nominal) of coders x units binary ratings."""
    import krippendorff
    import numpy as np

    data = np.array([[1.0 if r else 0.0 for r in row] for row in ratings])
    if data.size == 0 or len(np.unique(data)) < 2:
        return 1.0 if data.size else None
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def coders_in(db: sqlite_utils.Database) -> list[str]:
    """Coders present in the db: ``regel`` if the machine coded, then human names."""
    names: set[str] = set()
    for (coder,) in db.execute("SELECT DISTINCT coder FROM codings"):
        names.add(MACHINE if coder.startswith("regel:") else coder)
    for (coder,) in db.execute("SELECT DISTINCT decided_by FROM codings WHERE decided_by IS NOT NULL"):
        names.add(coder)
    return sorted(names, key=lambda c: (c != MACHINE, c))


def judgements(db: sqlite_utils.Database, coder: str) -> tuple[set[str], set[tuple[str, str]]]:
    """(statements the coder judged, the (statement, theme) pairs they say are present)."""
    if coder == MACHINE:
        statements = {r[0] for r in db.execute("SELECT id FROM statements")}
        present = {
            (r[0], r[1])
            for r in db.execute("SELECT statement_id, theme_id FROM codings WHERE coder LIKE 'regel:%' AND negated = 0")
        }
        return statements, present
    statements = {
        r[0] for r in db.execute("SELECT statement_id FROM codings WHERE decided_by = ? OR coder = ?", [coder, coder])
    }
    present = {
        (r[0], r[1])
        for r in db.execute(
            "SELECT statement_id, theme_id FROM codings WHERE status = 'accepterad' AND negated = 0 "
            "AND (decided_by = ? OR (coder = ? AND decided_by IS NULL))",
            [coder, coder],
        )
    }
    return statements, present


def agreement(db: sqlite_utils.Database, coders: Sequence[str] | None = None) -> dict[str, Any]:
    """Agreement per theme (and overall) on the statements every coder judged."""
    known = coders_in(db)
    coders = [MACHINE if c.startswith(f"{MACHINE}:") else c for c in (coders or known)]
    unknown = [c for c in coders if c not in known]
    if unknown:
        raise ValueError(f"okänd kodare {', '.join(unknown)} (kodare i databasen: {', '.join(known) or 'inga'})")
    if len(coders) < 2:
        raise ValueError("minst två kodare behövs för att mäta överensstämmelse")
    judged = {c: judgements(db, c) for c in coders}
    units = set.intersection(*(s for s, _ in judged.values()))
    kind_of = {r[0]: r[1] for r in db.execute("SELECT id, kind FROM statements")}
    themes = [
        (r[0], r[1]) for r in db.execute("SELECT id, kind FROM themes WHERE is_group = 0 ORDER BY kind, position")
    ]
    per_theme = []
    overall: list[list[bool]] = [[] for _ in coders]
    for theme_id, kind in themes:
        stmts = sorted(s for s in units if kind_of.get(s) in (None, kind))
        ratings = [[(s, theme_id) in judged[c][1] for s in stmts] for c in coders]
        for i, row in enumerate(ratings):
            overall[i].extend(row)
        row: dict[str, Any] = {
            "theme": theme_id,
            "units": len(stmts),
            "present": {c: sum(r) for c, r in zip(coders, ratings, strict=True)},
            "percent_agreement": percent_agreement(ratings),
        }
        if len(coders) == 2:
            row["kappa"] = cohen_kappa(ratings[0], ratings[1])
        else:
            row["kappa_mean_pairwise"] = _mean([cohen_kappa(a, b) for a, b in combinations(ratings, 2)])
            row["alpha"] = krippendorff_alpha(ratings) if stmts else None
        per_theme.append(row)
    summary: dict[str, Any] = {
        "coders": coders,
        "statements": len(units),
        "percent_agreement": percent_agreement(overall),
    }
    if len(coders) == 2:
        summary["kappa"] = cohen_kappa(overall[0], overall[1])
    else:
        summary["alpha"] = krippendorff_alpha(overall) if overall[0] else None
    return {"summary": summary, "themes": per_theme}


def _mean(values: Sequence[float | None]) -> float | None:
    real = [v for v in values if v is not None]
    return sum(real) / len(real) if real else None
