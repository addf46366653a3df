"""Gaps: the five gap types scored, explained, ranked and checked for stability (the entry point).

How a gap is scored is in kb.graph.gap_scoring's docstring; the data it works on in kb.graph.gap_model,
rank stability and significance in kb.graph.gap_stability, the Swedish explanations in kb.graph.gap_text.
The names below are re-exported so callers import gaps from one place.
"""

from __future__ import annotations

from collections.abc import Callable

from kb.graph.gap_model import (
    CATEGORY_FORM,
    CATEGORY_GOAL,
    FORUM,
    GAP_TYPES,
    GOAL,
    JACKKNIFE_GROUPS,
    MAX_BROKERS,
    THEME,
    Z_MIN_N,
    Forums,
    Incidence,
    Relevance,
)
from kb.graph.gap_scoring import score_category_form, score_category_goal, score_goals
from kb.graph.gap_stability import (
    add_z_scores,
    benjamini_hochberg,
    hypergeometric_z,
    jackknife_groups,
    kendall_tau_b,
    stability,
)
from kb.graph.gap_text import category_form_rows, category_goal_rows, forum_rows, goal_rows, theme_rows

__all__ = [
    "CATEGORY_FORM", "CATEGORY_GOAL", "FORUM", "GAP_TYPES", "GOAL", "JACKKNIFE_GROUPS", "MAX_BROKERS", "THEME",
    "Z_MIN_N", "Forums", "Incidence", "Relevance", "add_z_scores", "benjamini_hochberg", "category_form_rows",
    "category_goal_rows", "compute_gaps", "forum_rows", "goal_rows", "hypergeometric_z", "jackknife_groups",
    "kendall_tau_b", "rank_rows", "score_category_form", "score_category_goal", "score_goals", "stability",
    "theme_rows",
]


def rank_rows(rows: list[dict], ranges: dict | None = None, key: Callable[[dict], object] | None = None) -> list[dict]:
    """Keep rows with score > 0, rank them 1.. by score (ties: input order), attach rank ranges.

    rank_min/rank_max are the best and worst competition rank under leave-one-out, among the runs in which
    the row is still a gap; rank_dropouts counts the runs in which it is none.
    """
    kept = [r for r in rows if r["score"] > 0]
    kept.sort(key=lambda r: -r["score"])
    for rank, row in enumerate(kept, start=1):
        row["rank"] = rank
        if ranges is not None and key is not None:
            low, high, dropouts = ranges.get(key(row), (None, None, None))
            row["rank_min"], row["rank_max"], row["rank_dropouts"] = low, high, dropouts
    return kept


def _never_used(scores: dict) -> dict:
    """Only the category-form pairs no department reports: what type kategori-form ranks."""
    return {k: v for k, v in scores.items() if v["x"] == 0}


def compute_gaps(
    inc: Incidence,
    rel: Relevance,
    labels: dict[str, dict[str, str]],
    forums: Forums | None = None,
    themes: list[dict] | None = None,
    *,
    with_stability: bool = True,
) -> tuple[list[dict], list[dict]]:
    """All five gap types, ranked within each type, and a stability summary per type.

    Types forum and tema appear only when a forum registry / coded difficulty themes exist.
    """
    plans = [
        (CATEGORY_GOAL, category_goal_rows, lambda i: score_category_goal(i, rel, forums),
         lambda r: (r["category_id"], r["goal_area_id"])),
        (GOAL, goal_rows, lambda i: score_goals(i, rel, forums), lambda r: r["goal_area_id"]),
        (CATEGORY_FORM, category_form_rows, lambda i: _never_used(score_category_form(i, rel, forums)),
         lambda r: (r["category_id"], r["form_id"])),
    ]
    result, summaries = [], []
    for gap_type, make_rows, scorer, key in plans:
        rows = make_rows(inc, rel, labels, forums)
        ranges = None
        if with_stability and inc.n > 1:
            ranges, summary = stability(inc, scorer)
            summaries.append({"type": gap_type, **summary})
        ranked = rank_rows(rows, ranges, key)
        if gap_type != GOAL:
            add_z_scores(ranked)
        result += ranked
    if forums is not None:
        result += rank_rows(forum_rows(inc, rel, labels, forums))
    if themes:
        result += rank_rows(theme_rows(themes, labels))
    return result, summaries
