"""Statistics on gap scores: rank stability under leave-one-out, hypergeometric z and Benjamini-Hochberg q."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from kb.graph.gap_model import JACKKNIFE_GROUPS, Z_MIN_N, Incidence


def kendall_tau_b(x: list[float], y: list[float]) -> float | None:
    """Kendall's tau-b of two paired score lists (ties corrected; Kendall 1945)."""
    concordant = discordant = ties_x = ties_y = 0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif (dx > 0) == (dy > 0):
                concordant += 1
            else:
                discordant += 1
    denom = math.sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y))
    return (concordant - discordant) / denom if denom else None


def _ranks(scores: dict) -> dict:
    """Rank 1.. by descending score of the candidates scoring above 0 (ties keep the candidates' order,
    as rank_rows does). A candidate scoring 0 is no gap in that run and gets no rank."""
    order = sorted((k for k in scores if scores[k] > 0), key=lambda k: -scores[k])
    return {k: i for i, k in enumerate(order, start=1)}


def jackknife_groups(departments: list[str], seed: int = 42) -> list[set[str]]:
    """Leave-one-out groups: one department each, or 20 seeded groups when there are more than 50."""
    if len(departments) <= 50:
        return [{d} for d in departments]
    shuffled = sorted(departments)
    random.Random(seed).shuffle(shuffled)
    return [set(shuffled[i::JACKKNIFE_GROUPS]) for i in range(JACKKNIFE_GROUPS)]


def stability(
    inc: Incidence, scorer: Callable[[Incidence], dict]
) -> tuple[dict, dict[str, float | int | None]]:
    """Rank range of every gap and Kendall tau-b summary under leave-one-(group-)out.

    `ranges[k]` is [best rank, worst rank, runs in which k is no gap at all (score 0)].
    """
    full = {k: v["score"] for k, v in scorer(inc).items()}
    keys = list(full)
    ranks = _ranks(full)
    ranges = {k: [r, r, 0] for k, r in ranks.items()}
    taus = []
    for group in jackknife_groups(inc.departments):
        reduced = {k: v["score"] for k, v in scorer(inc.without(group)).items()}
        tau = kendall_tau_b([full[k] for k in keys], [reduced.get(k, 0.0) for k in keys])
        if tau is not None:
            taus.append(tau)
        reduced_ranks = _ranks({k: reduced.get(k, 0.0) for k in keys})
        for k, span in ranges.items():
            if k in reduced_ranks:
                span[0], span[1] = min(span[0], reduced_ranks[k]), max(span[1], reduced_ranks[k])
            else:
                span[2] += 1
    summary = {
        "method": "lämna-en-ute" if inc.n <= 50 else f"lämna-en-grupp-ute ({JACKKNIFE_GROUPS} grupper)",
        "runs": len(jackknife_groups(inc.departments)),
        "tau_mean": sum(taus) / len(taus) if taus else None,
        "tau_min": min(taus) if taus else None,
    }
    return ranges, summary


def hypergeometric_z(x: int, k_c: int, k_g: int, n: int) -> float | None:
    """z of the overlap against the hypergeometric null: (x - E) / sd, sd² = k_c k_g (n-k_c)(n-k_g) / (n²(n-1))."""
    if n < 2:
        return None
    variance = k_c * k_g * (n - k_c) * (n - k_g) / (n * n * (n - 1))
    return (x - k_c * k_g / n) / math.sqrt(variance) if variance > 0 else None


def benjamini_hochberg(p_values: dict) -> dict:
    """Benjamini-Hochberg adjusted q-values (1995), keyed like the input."""
    items = sorted(p_values.items(), key=lambda kv: kv[1])
    m, q, running = len(items), {}, 1.0
    for i in range(m, 0, -1):
        key, p = items[i - 1]
        running = min(running, p * m / i)
        q[key] = running
    return q


def add_z_scores(rows: list[dict]) -> None:
    """Hypergeometric z and Benjamini-Hochberg q (one-sided: fewer than expected) when n >= Z_MIN_N."""
    p_values = {}
    for i, row in enumerate(rows):
        if row.get("n", 0) >= Z_MIN_N and row.get("x") is not None:
            z = hypergeometric_z(row["x"], row["k_c"], row.get("k_g") or row.get("k_f") or 0, row["n"])
            row["z"] = z
            if z is not None:
                p_values[i] = 0.5 * math.erfc(-z / math.sqrt(2))
    for i, q in benjamini_hochberg(p_values).items():
        rows[i]["q"] = q
