"""Ranked gap rows with their explanation in Swedish: one function per gap type."""

from __future__ import annotations

import math

from kb.graph.gap_model import CATEGORY_FORM, CATEGORY_GOAL, FORUM, GOAL, THEME, Forums, Incidence, Relevance
from kb.graph.gap_scoring import score_category_form, score_category_goal, score_goals


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
    """Rows of type forum, from the forum registry's standing forums.

    1. Categories and relevant goal areas that no forum covers (ranked higher the more departments touch them).
       relevance: for a category its highest cell relevance, for a goal area its goal relevance; shortfall 1
       (no forum); actionability (k + 1) / (n + 1), smoothed share of departments touching it. Brokers:
       departments that touch it and already sit in some forum.
    2. Forums whose categories the departments seldom collaborate with (see underused_forum_rows).
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
    return rows + underused_forum_rows(inc, rel, labels, forums)


UNDERUSED_REACH = 0.5  # a forum is underused when its categories reach fewer than half the departments


def underused_forum_rows(inc: Incidence, rel: Relevance, labels: dict, forums: Forums) -> list[dict]:
    """Forums whose categories the departments report little collaboration with.

    reach = mean over the forum's categories of k_c / n; a gap when reach < UNDERUSED_REACH.
    relevance: the highest cell relevance of its categories; shortfall 1 - reach; actionability
    (m + 1) / (n + 1) with m the departments in the forum. Brokers: those departments.
    """
    rows, n = [], inc.n
    position = {d: i for i, d in enumerate(inc.departments)}
    for forum, categories in forums.categories.items():
        known = [c for c in categories if c in inc.categories]
        if not known or not n:
            continue
        reach = sum(len(inc.categories[c]) for c in known) / len(known) / n
        relevance = max((rel.cell.get((c, g), 0) for c in known for g in inc.goals), default=0)
        if reach >= UNDERUSED_REACH or relevance <= 0:
            continue
        members = sorted(forums.departments.get(forum, set()), key=lambda d: position.get(d, 0))
        actionability = (len(members) + 1) / (n + 1)
        p = {"score": relevance * (1 - reach) * math.sqrt(actionability), "relevance": relevance,
             "shortfall": 1 - reach, "actionability": actionability, "broker_share": len(members) / n, "n": n}
        name = labels.get("forum", {}).get(forum, forum)
        text = (f"Forumet {name} samlar {_names(sorted(known), labels['category'])}, "
                f"men i snitt samverkar bara {_num(reach * n, 1)} av {n} förvaltningar med dessa kategorier; "
                f"{_parts_text(p)}." + _talk_to(members, [], labels))
        row = _base(FORUM, p, forum_id=forum)
        row.update(basis="forumregister", brokers=members, explanation=text)
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
