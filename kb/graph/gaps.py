"""Gap scoring: where collaboration could add value but little happens. Pure: incidence in, ranked rows out.

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
import random
from collections.abc import Callable
from dataclasses import dataclass, field

CATEGORY_GOAL, GOAL, CATEGORY_FORM, FORUM, THEME = "kategori-delmal", "delmal", "kategori-form", "forum", "tema"
GAP_TYPES = (CATEGORY_GOAL, GOAL, CATEGORY_FORM, FORUM, THEME)
Z_MIN_N = 100
JACKKNIFE_GROUPS = 20
MAX_BROKERS = 10


@dataclass
class Incidence:
    """Who does what in a round, as sets of department ids."""

    departments: list[str]
    categories: dict[str, set[str]]  # category -> departments collaborating with it
    goals: dict[str, set[str]]  # goal area -> departments reporting it
    forms: dict[str, set[str]]  # form -> departments using it with any category
    category_form: dict[tuple[str, str], set[str]]  # (category, form) -> departments using that form with it
    category_goal: dict[tuple[str, str], set[str]] | None = None  # direct links, when a round asked for them

    @classmethod
    def from_rows(
        cls,
        departments: list[str],
        categories: list[str],
        goals: list[str],
        forms: list[str],
        collaborations: list[tuple[str, str, str]],
        department_goals: list[tuple[str, str]],
        category_goal_links: list[tuple[str, str, str]] | None = None,
    ) -> Incidence:
        inc = cls(
            departments=list(departments),
            categories={c: set() for c in categories},
            goals={g: set() for g in goals},
            forms={f: set() for f in forms},
            category_form={},
        )
        answering = set(departments)
        for d, c, f in collaborations:
            if d in answering and c in inc.categories and f in inc.forms:
                inc.categories[c].add(d)
                inc.forms[f].add(d)
                inc.category_form.setdefault((c, f), set()).add(d)
        for d, g in department_goals:
            if d in answering and g in inc.goals:
                inc.goals[g].add(d)
        if category_goal_links:
            inc.category_goal = {}
            for d, c, g in category_goal_links:
                if d in answering:
                    inc.category_goal.setdefault((c, g), set()).add(d)
        return inc

    @property
    def n(self) -> int:
        return len(self.departments)

    def without(self, drop: set[str]) -> Incidence:
        """The same incidence with some departments left out."""

        def cut(mapping: dict) -> dict:
            return {k: v - drop for k, v in mapping.items()}

        return Incidence(
            departments=[d for d in self.departments if d not in drop],
            categories=cut(self.categories),
            goals=cut(self.goals),
            forms=cut(self.forms),
            category_form=cut(self.category_form),
            category_goal=cut(self.category_goal) if self.category_goal is not None else None,
        )


@dataclass
class Relevance:
    """The curated relevance matrices (0-3) from ingest/relevance.yml, every cell filled."""

    cell: dict[tuple[str, str], int]  # (category, goal area)
    goal: dict[str, int]
    form: dict[tuple[str, str], int]  # (category, form)

    @classmethod
    def from_records(cls, records: list[dict]) -> Relevance:
        rel = cls({}, {}, {})
        for r in records:
            if r["kind"] == CATEGORY_GOAL:
                rel.cell[r["category_id"], r["goal_area_id"]] = r["relevance"]
            elif r["kind"] == GOAL:
                rel.goal[r["goal_area_id"]] = r["relevance"]
            elif r["kind"] == CATEGORY_FORM:
                rel.form[r["category_id"], r["form_id"]] = r["relevance"]
        return rel


@dataclass
class Forums:
    """The forum registry: forum -> the departments, categories, goal areas and forms it covers."""

    labels: dict[str, str]
    departments: dict[str, set[str]] = field(default_factory=dict)
    categories: dict[str, set[str]] = field(default_factory=dict)
    goals: dict[str, set[str]] = field(default_factory=dict)
    forms: dict[str, set[str]] = field(default_factory=dict)

    def covering(self, kind: str, entity_id: str) -> list[str]:
        mapping = {"category": self.categories, "goal_area": self.goals, "form": self.forms}[kind]
        return sorted(f for f, covered in mapping.items() if entity_id in covered)

    def member_departments(self) -> set[str]:
        return set().union(*self.departments.values()) if self.departments else set()


# ---------------------------------------------------------------- scoring


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
            top = max(len(cols[g]), len(cols[h]))
            phi[g, h] = phi[h, g] = len(cols[g] & cols[h]) / top if top else 0.0
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
        best = max(cells.values(), default=0)
        key_categories = [c for c, v in cells.items() if v == best and v > 0]
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
            "key_reach": sum(1 for d in inc.departments if d not in d_g and foothold[d] * 3 >= best > 0),
        }
    return result


# ---------------------------------------------------------------- statistics


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


# ---------------------------------------------------------------- ranked rows with explanations


def _num(value: float | None, decimals: int = 2) -> str:
    """A number the Swedish way: 0,67."""
    return "–" if value is None else f"{value:.{decimals}f}".replace(".", ",")


def _names(ids: list[str], labels: dict[str, str], limit: int = 3) -> str:
    shown = [labels.get(i, i) for i in ids[:limit]]
    more = len(ids) - limit
    return ", ".join(shown) + (f" m.fl. ({more} till)" if more > 0 else "")


def _ordered_brokers(broker_set: set[str], first: set[str], inc: Incidence) -> list[str]:
    """Brokers on the first side first, then in department order."""
    position = {d: i for i, d in enumerate(inc.departments)}
    return sorted(broker_set, key=lambda d: (d not in first, position.get(d, 0)))


def _parts_text(p: dict) -> str:
    return f"relevans {p['relevance']}, underskott {_num(p['shortfall'])}, genomförbarhet {_num(p['actionability'])}"


def _talk_to(brokers: list[str], forums: list[str], labels: dict[str, dict[str, str]]) -> str:
    names = []
    if brokers:
        names.append(_names(brokers, labels["department"]))
    if forums:
        names.append("forum: " + _names(forums, labels.get("forum", {})))
    return f" Tala med: {'; '.join(names)}." if names else ""


def _base(gap_type: str, p: dict, **ids) -> dict:
    row = {"type": gap_type, "score": p["score"], "relevance": p.get("relevance"), "shortfall": p.get("shortfall"),
           "actionability": p.get("actionability"), "broker_share": p.get("broker_share"),
           "relatedness_density": p.get("relatedness_density"), "forum_cover": p.get("forum_cover"),
           "n": p.get("n")}
    row.update(ids)
    return row


def category_goal_rows(inc: Incidence, rel: Relevance, labels: dict, forums: Forums | None = None) -> list[dict]:
    """Rows of type kategori-delmal."""
    rows = []
    basis = "direkt" if inc.category_goal is not None else "förvaltning"
    for (c, g), p in score_category_goal(inc, rel, forums).items():
        brokers = _ordered_brokers(p["broker_set"], p["in_row"], inc)
        cat, goal = labels["category"][c], labels["goal_area"][g]
        if basis == "direkt":
            lead = f"Förvaltningar som uppger att samverkan med {cat} bidrar till {goal}: {p['x']} av {inc.n}"
        else:
            lead = f"Förvaltningar som samverkar med {cat} och bidrar till {goal}: {p['x']} av {inc.n}"
        text = (
            f"{lead} ({p['k_c']} samverkar med {cat}, {p['k_other']} bidrar till {goal}; "
            f"väntat {_num(p['expected'], 1)} vid oberoende, lyft {_num(p['lift'])}); {_parts_text(p)}."
            + _talk_to(brokers, p["forums"], labels)
        )
        row = _base(CATEGORY_GOAL, p, category_id=c, goal_area_id=g)
        row.update(k_c=p["k_c"], k_g=p["k_other"], x=p["x"], expected=p["expected"], lift=p["lift"], basis=basis,
                   brokers=brokers + [f"forum:{f}" for f in p["forums"]], explanation=text)
        rows.append(row)
    return rows


def category_form_rows(inc: Incidence, rel: Relevance, labels: dict, forums: Forums | None = None) -> list[dict]:
    """Rows of type kategori-form."""
    rows = []
    for (c, f), p in score_category_form(inc, rel, forums).items():
        brokers = _ordered_brokers(p["broker_set"], p["in_row"], inc)
        cat, form = labels["category"][c], labels["form"][f]
        if p["x"] > 0:  # the type is about forms never used with a category
            continue
        lead = f"Formen {form} används aldrig med {cat} ({p['k_c']} av {inc.n} förvaltningar samverkar med {cat}"
        text = (
            f"{lead}, {p['k_other']} använder formen med någon kategori; väntat {_num(p['expected'], 1)}); "
            f"{_parts_text(p)}." + _talk_to(brokers, p["forums"], labels)
        )
        row = _base(CATEGORY_FORM, p, category_id=c, form_id=f)
        row.update(k_c=p["k_c"], k_f=p["k_other"], x=p["x"], expected=p["expected"], lift=p["lift"], basis="direkt",
                   brokers=brokers + [f"forum:{x}" for x in p["forums"]], explanation=text)
        rows.append(row)
    return rows


def goal_rows(inc: Incidence, rel: Relevance, labels: dict, forums: Forums | None = None) -> list[dict]:
    """Rows of type delmal."""
    rows = []
    for g, p in score_goals(inc, rel, forums).items():
        brokers = p["broker_list"]
        goal = labels["goal_area"][g]
        keys = p["key_categories"]
        if keys and len(keys) < len(inc.categories):
            via = f"{p['key_reach']} förvaltningar samverkar redan med {_names(keys, labels['category'], limit=2)}"
        else:
            via = f"{len(brokers)} förvaltningar samverkar redan med kategorier som kan bidra"
        text = (
            f"{goal}: {p['k_g']} av {inc.n} förvaltningar uppger att samverkan bidrar till delmålområdet; "
            f"{_parts_text(p)} ({via} men anger inte målet)." + _talk_to(brokers, p["forums"], labels)
        )
        row = _base(GOAL, p, goal_area_id=g)
        row.update(k_g=p["k_g"], basis="direkt", brokers=brokers + [f"forum:{x}" for x in p["forums"]],
                   explanation=text)
        rows.append(row)
    return rows


def forum_rows(inc: Incidence, rel: Relevance, labels: dict, forums: Forums) -> list[dict]:
    """Rows of type forum: categories and relevant goal areas that no forum covers.

    relevance: for a category its highest cell relevance, for a goal area its goal relevance;
    shortfall 1 (no forum); actionability (k + 1) / (n + 1), smoothed share of departments touching it.
    Brokers: departments that touch it and already sit in some forum.
    """
    rows, n, members = [], inc.n, forums.member_departments()
    covered_c = set().union(*forums.categories.values()) if forums.categories else set()
    covered_g = set().union(*forums.goals.values()) if forums.goals else set()
    position = {d: i for i, d in enumerate(inc.departments)}
    items = [("category", c, max((rel.cell.get((c, g), 0) for g in inc.goals), default=0), inc.categories[c])
             for c in inc.categories if c not in covered_c]
    items += [("goal_area", g, rel.goal.get(g, 0), inc.goals[g]) for g in inc.goals if g not in covered_g]
    for kind, entity, relevance, touching in items:
        if relevance <= 0:
            continue
        actionability = (len(touching) + 1) / (n + 1)
        brokers = sorted(touching & members, key=lambda d: position.get(d, 0))
        p = {"score": relevance * math.sqrt(actionability), "relevance": relevance, "shortfall": 1.0,
             "actionability": actionability, "broker_share": len(brokers) / n if n else 0.0, "n": n}
        label = labels[kind][entity]
        what = "kategorin" if kind == "category" else "delmålområdet"
        verb = "samverkar med den" if kind == "category" else "uppger att samverkan bidrar till det"
        text = (f"Inget forum täcker {what} {label} ({len(touching)} av {n} förvaltningar {verb}); "
                f"{_parts_text(p)}." + _talk_to(brokers, [], labels))
        ids = {"category_id": entity} if kind == "category" else {"goal_area_id": entity}
        row = _base(FORUM, p, **ids)
        row.update(basis="forumregister", brokers=brokers, explanation=text)
        if kind == "category":
            row["k_c"] = len(touching)
        else:
            row["k_g"] = len(touching)
        rows.append(row)
    return rows


def theme_rows(themes: list[dict], labels: dict) -> list[dict]:
    """Rows of type tema: difficulty themes with codings that no development area addresses.

    ``themes``: dicts with theme_id, label, statements (coded this round), total (difficulty statements
    this round), areas (development areas addressing it). score = statements / total.
    """
    rows = []
    for t in themes:
        if t["statements"] <= 0 or t["areas"] > 0 or not t["total"]:
            continue
        share = t["statements"] / t["total"]
        p = {"score": share, "relevance": None, "shortfall": 1.0, "actionability": None}
        text = (f"Svårigheten {t['label']} finns i {t['statements']} av {t['total']} svar om svårigheter "
                f"({_num(share * 100, 0)} %), men inget utvecklingsområde tar upp den.")
        row = _base(THEME, p, theme_id=t["theme_id"])
        row.update(basis="kodning", brokers=[], explanation=text)
        rows.append(row)
    return rows


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
