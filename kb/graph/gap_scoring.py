"""Gap scoring: where collaboration could add value but little happens. Pure: incidence in, scores out.

For a category c and a goal area g in a round with n answering departments (Hidalgo et al. 2007 for
proximity, Hidalgo et al. 2018 "The principle of relatedness" for density):

- D_c, D_g: departments that collaborate with c / report g; k_c = |D_c|, k_g = |D_g|.
- x = |D_c ∩ D_g|: departments that do both. The survey asks for goal areas per department, not per
  category, so x is an inference ("förvaltningar som samverkar med c och bidrar till g"); if a round
  links them directly (``category_goal`` in the incidence), x counts direct links and ``basis`` says so.
- E = k_c k_g / n (expected overlap if independent); lift = x / E.
- shortfall = 1 - x / min(k_c, k_g), in [0, 1]; 1 when k_c or k_g is 0.
- brokers: departments in D_c ∪ D_g but not doing both (they touch one side), and forums covering c or g;
  broker share b = |departments among them| / n.
- relatedness density ω_cg = Σ_{h≠g} M_ch φ_gh / Σ_{h≠g} φ_gh with proximity φ_gh = |D_g ∩ D_h| / max(k_g, k_h)
  and M_ch = 1 when c already reaches h at least as often as expected (x_ch > 0 and lift_ch >= 1).
- forum cover f = 1 when a forum covers c or g (only when a forum registry exists).
- actionability a = mean(b, ω[, f]); score = relevance × shortfall × a^0.5.

With n = 9 no significance test can show a gap (the best attainable one-sided Fisher p is about 0.008,
and none survives Benjamini-Hochberg over 255 pairs), so the numbers are descriptive development
hypotheses. Only when n >= ``Z_MIN_N`` are hypergeometric z-scores and Benjamini-Hochberg q-values added.

Rank stability: the scores are recomputed leaving one department out (or one of 20 seeded groups of
departments when n > 50); Kendall's tau-b between the full and each reduced scoring, and each gap's
rank range, are reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from kb.graph.gap_model import Forums, Incidence, Relevance


def _pair_scores(
    rows: dict[str, set[str]],
    cols: dict[str, set[str]],
    overlap: Callable[[str, str], set[str]],
    relevance: Callable[[str, str], int],
    n: int,
    cover: Callable[[str, str], list[str]] | None,
) -> dict[tuple[str, str], dict]:
    """Parts of the score of every (row, column) pair with relevance > 0."""
    col_ids = list(cols)
    phi = {}
    for i, g in enumerate(col_ids):
        for h in col_ids[i + 1 :]:
            shared = len(cols[g] & cols[h])  # > 0 only when neither side is empty
            phi[g, h] = phi[h, g] = shared / max(len(cols[g]), len(cols[h])) if shared else 0.0
    reaches = {
        (c, h): bool(x) and x * n >= len(rows[c]) * len(cols[h])
        for c in rows
        for h in col_ids
        for x in (len(overlap(c, h)),)
    }
    result = {}
    for c, d_c in rows.items():
        for g, d_g in cols.items():
            rel = relevance(c, g)
            if rel <= 0:
                continue
            both = overlap(c, g)
            k_c, k_g, x = len(d_c), len(d_g), len(both)
            expected = k_c * k_g / n if n else 0.0
            smaller = min(k_c, k_g)
            shortfall = 1 - x / smaller if smaller else 1.0
            brokers = (d_c | d_g) - both
            denom = sum(phi[g, h] for h in col_ids if h != g)
            density = sum(phi[g, h] for h in col_ids if h != g and reaches[c, h]) / denom if denom else 0.0
            b = len(brokers) / n if n else 0.0
            parts = [b, density]
            forums = cover(c, g) if cover else []
            if cover:
                parts.append(1.0 if forums else 0.0)
            actionability = sum(parts) / len(parts)
            result[c, g] = {
                "relevance": rel,
                "shortfall": shortfall,
                "actionability": actionability,
                "broker_share": b,
                "relatedness_density": density,
                "forum_cover": (1.0 if forums else 0.0) if cover else None,
                "k_c": k_c,
                "k_other": k_g,
                "x": x,
                "expected": expected,
                "lift": x / expected if expected else None,
                "n": n,
                "score": rel * shortfall * math.sqrt(actionability),
                "broker_set": brokers,
                "forums": forums,
                "in_row": d_c,
            }
    return result


def _cover(forums: Forums | None, other: str) -> Callable[[str, str], list[str]] | None:
    """Forums covering the category or the other side of a pair (None without a registry)."""
    if forums is None:
        return None
    return lambda c, o: sorted(set(forums.covering("category", c)) | set(forums.covering(other, o)))


def score_category_goal(inc: Incidence, rel: Relevance, forums: Forums | None = None) -> dict[tuple[str, str], dict]:
    """Type kategori-delmal: every relevant (category, goal area) pair."""
    if inc.category_goal is not None:
        direct = inc.category_goal

        def overlap(c: str, g: str) -> set[str]:
            return direct.get((c, g), set())
    else:

        def overlap(c: str, g: str) -> set[str]:
            return inc.categories[c] & inc.goals[g]

    cover = _cover(forums, "goal_area")
    return _pair_scores(inc.categories, inc.goals, overlap, lambda c, g: rel.cell.get((c, g), 0), inc.n, cover)


def score_category_form(inc: Incidence, rel: Relevance, forums: Forums | None = None) -> dict[tuple[str, str], dict]:
    """Type kategori-form: every relevant (category, form) pair; the overlap is reported directly."""
    cover = _cover(forums, "form")
    return _pair_scores(
        inc.categories,
        inc.forms,
        lambda c, f: inc.category_form.get((c, f), set()),
        lambda c, f: rel.form.get((c, f), 0),
        inc.n,
        cover,
    )


def score_goals(inc: Incidence, rel: Relevance, forums: Forums | None = None) -> dict[str, dict]:
    """Type delmal: every relevant goal area, shortfall = 1 - k_g / n.

    Foothold of department d in g: 1 if d reports g, else max_{c of d} relevance(c, g) / 3 (how relevant its
    most relevant partner category is to g). Actionability = mean foothold over departments[, averaged with
    forum cover]. Brokers: departments not reporting g with a foothold, strongest first.
    """
    n, result = inc.n, {}
    partner_categories: dict[str, set[str]] = {d: set() for d in inc.departments}
    for c, members in inc.categories.items():
        for d in members:
            partner_categories[d].add(c)
    for g, d_g in inc.goals.items():
        relevance = rel.goal.get(g, 0)
        if relevance <= 0:
            continue
        cells = {c: rel.cell.get((c, g), 0) for c in inc.categories}
        key_categories = [c for c, v in cells.items() if v > 0 and v == max(cells.values())]  # most relevant
        key_set = set(key_categories)
        foothold = {
            d: 1.0 if d in d_g else max((cells[c] for c in partner_categories[d]), default=0) / 3
            for d in inc.departments
        }
        position = {d: i for i, d in enumerate(inc.departments)}
        brokers = sorted((d for d in inc.departments if d not in d_g and foothold[d] > 0),
                         key=lambda d: (-foothold[d], position[d]))
        parts = [sum(foothold.values()) / n if n else 0.0]
        covering = forums.covering("goal_area", g) if forums else []
        if forums:
            parts.append(1.0 if covering else 0.0)
        actionability = sum(parts) / len(parts)
        shortfall = 1 - len(d_g) / n if n else 1.0
        result[g] = {
            "relevance": relevance,
            "shortfall": shortfall,
            "actionability": actionability,
            "broker_share": len(brokers) / n if n else 0.0,
            "forum_cover": (1.0 if covering else 0.0) if forums else None,
            "k_g": len(d_g),
            "n": n,
            "score": relevance * shortfall * math.sqrt(actionability),
            "broker_list": brokers,
            "forums": covering,
            "key_categories": key_categories,
            "key_reach": sum(1 for d in inc.departments if d not in d_g and partner_categories[d] & key_set),
        }
    return result


# ---------------------------------------------------------------- statistics
