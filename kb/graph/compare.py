"""Compare two survey rounds: per item the value in each round and the change (`kb compare`).

Items are departments (reported forms: distinct category x form pairs), categories (departments that
collaborate with it, Table 1), forms (reports, Table 5), goal areas (departments, Table 6) or themes (share
of the round's statements of the theme's kind coded with it, in percent). Departments are compared through
lineage: a department of the later round against the union of the earlier departments it continues (a
merged department against all its predecessors), marked with the lineage used. Besides the items: the
category x form pairs that are new or ended, and which of the earlier round's top gaps closed, persisted
or appeared (from the stored ``gaps`` table of each round).

`read_snapshot` reads a round with the standard library (no NetworkX: `kb compare` starts fast); every
other function is pure.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from kb.graph.lineage import predecessors_in, read_lineage

BY = ("department", "category", "form", "goal", "theme")
MEASURES = {
    "department": "inrapporterade samverkansformer (kategori x form)",
    "category": "förvaltningar som samverkar med kategorin",
    "form": "inrapporterade (förvaltning x kategori) med formen",
    "goal": "förvaltningar vars samverkan bidrar till delmålområdet",
    "theme": "andel av omgångens svar (av temats slag) kodade med temat, procent",
}
LINEAGE_WORDS = {"same": "samma", "renamed": "nytt namn", "merged": "sammanslagen", "split": "delad",
                 "part": "del av"}
GAP_KEY = ("type", "category_id", "goal_area_id", "form_id", "theme_id")


@dataclass
class Snapshot:
    """What one round holds, as plain sets and dicts."""

    round: int
    source_kind: str  # rekonstruktion | enkatexport
    source_id: str | None
    round_departments: int
    departments: list[str]  # answering, in reference order
    collaborations: set[tuple[str, str, str]]  # (department, category, form)
    department_goals: set[tuple[str, str]]
    theme_statements: dict[str, int] = field(default_factory=dict)
    statements_by_kind: dict[str, int] = field(default_factory=dict)
    gaps: list[dict] = field(default_factory=list)

    @property
    def reconstructed(self) -> bool:
        return self.source_kind == "rekonstruktion"

    def pairs_of(self, department: str) -> set[tuple[str, str]]:
        """The (category, form) pairs a department reported (indexed on first use)."""
        if not hasattr(self, "_pairs"):
            index: dict[str, set[tuple[str, str]]] = {}
            for d, c, f in self.collaborations:
                index.setdefault(d, set()).add((c, f))
            self._pairs = index
        return self._pairs.get(department, set())


@dataclass
class Names:
    """Labels and orders of the reference entities."""

    department: dict[str, str]
    category: dict[str, str]
    form: dict[str, str]
    goal: dict[str, str]
    theme: dict[str, str] = field(default_factory=dict)
    theme_kind: dict[str, str] = field(default_factory=dict)


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [name]).fetchone() is not None


def rounds_with_responses(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT DISTINCT round FROM responses ORDER BY round")]


def read_names(conn: sqlite3.Connection) -> Names:
    def labels(sql: str) -> dict[str, str]:
        return {r[0]: r[1] for r in conn.execute(sql)}

    names = Names(
        department=labels("SELECT id, name FROM departments ORDER BY position"),
        category=labels("SELECT id, name FROM categories ORDER BY position"),
        form=labels("SELECT id, name FROM forms ORDER BY position"),
        goal=labels("SELECT id, name FROM goal_areas ORDER BY position"),
    )
    if _table_exists(conn, "themes"):
        for theme_id, label, kind in conn.execute(
            "SELECT id, label, kind FROM themes WHERE COALESCE(is_group, 0) = 0 ORDER BY kind, position"
        ):
            names.theme[theme_id], names.theme_kind[theme_id] = label, kind
    return names


def read_snapshot(conn: sqlite3.Connection, round_: int) -> Snapshot:
    """A round's responses, coded statements and stored gaps."""
    source = conn.execute(
        "SELECT s.id, s.kind FROM responses r JOIN sources s ON s.id = r.source_id WHERE r.round = ? "
        "ORDER BY s.kind = 'rekonstruktion' DESC LIMIT 1", [round_]).fetchone()
    row = conn.execute("SELECT departments FROM rounds WHERE round = ?", [round_]).fetchone()
    snapshot = Snapshot(
        round=round_,
        source_kind=source[1] if source else "enkatexport",
        source_id=source[0] if source else None,
        round_departments=row[0] if row else 0,
        departments=[r[0] for r in conn.execute(
            "SELECT r.department_id FROM responses r JOIN departments d ON d.id = r.department_id "
            "WHERE r.round = ? ORDER BY d.position", [round_])],
        collaborations={tuple(r) for r in conn.execute(
            "SELECT department_id, category_id, form_id FROM collaborations WHERE round = ?", [round_])},
        department_goals={tuple(r) for r in conn.execute(
            "SELECT department_id, goal_area_id FROM department_goal_areas WHERE round = ?", [round_])},
    )
    snapshot.statements_by_kind = dict(conn.execute(
        "SELECT kind, COUNT(*) FROM statements WHERE round = ? GROUP BY kind", [round_]))
    if _table_exists(conn, "coded_themes"):
        snapshot.theme_statements = dict(conn.execute(
            "SELECT c.theme_id, COUNT(DISTINCT c.statement_id) FROM coded_themes c "
            "JOIN statements s ON s.id = c.statement_id WHERE s.round = ? GROUP BY c.theme_id", [round_]))
    if _table_exists(conn, "gaps"):
        columns = ("type", "rank", "score", *GAP_KEY[1:], "explanation")
        snapshot.gaps = [dict(zip(columns, r, strict=True)) for r in conn.execute(
            f"SELECT {', '.join(columns)} FROM gaps WHERE round = ? ORDER BY type, rank", [round_])]
    return snapshot


# ---------------------------------------------------------------- pure comparisons


def _row(section: str, item_id: str, item: str, from_value, to_value, **extra) -> dict:
    change = to_value - from_value if isinstance(from_value, int | float) and isinstance(to_value, int | float) \
        else None
    if isinstance(change, float):
        change = round(change, 1)
    return {"section": section, "item_id": item_id, "item": item, "from_value": from_value,
            "to_value": to_value, "change": change, **extra}


def _pairs(snapshot: Snapshot, departments: set[str]) -> int:
    return len(set().union(*(snapshot.pairs_of(d) for d in departments)))


def compare_departments(a: Snapshot, b: Snapshot, names: Names, lineage: list[dict]) -> list[dict]:
    """Per department of the later round: its reported forms against those of the earlier departments it
    continues (their union for a merge), then the earlier departments that nothing in the later round continues."""
    rows, covered = [], set()
    earlier = set(a.departments)
    order = {d: i for i, d in enumerate(a.departments)}
    for department in b.departments:
        predecessors, kinds = predecessors_in(lineage, department, earlier)
        covered |= predecessors
        ordered = sorted(predecessors, key=order.__getitem__)
        if not predecessors:
            used = {"kind": "ny", "predecessors": [], "label": "ny förvaltning"}
        elif kinds == ["same"]:
            used = {"kind": "same", "predecessors": ordered, "label": "samma"}
        else:
            kind = "merged" if "merged" in kinds else kinds[-1]
            word = LINEAGE_WORDS.get(kind, kind)
            union = " + ".join(names.department[d] for d in ordered)
            label = f"{word}: jämförd med {'unionen av ' if len(ordered) > 1 else ''}{union}"
            used = {"kind": kind, "predecessors": ordered, "label": label}
        from_value = _pairs(a, predecessors) if predecessors else None
        rows.append(_row("department", department, names.department[department], from_value,
                         _pairs(b, {department}), lineage=used))
    for department in a.departments:
        if department not in covered:
            rows.append(_row("department", department, names.department[department], _pairs(a, {department}), None,
                             lineage={"kind": "upphörd", "predecessors": [department],
                                      "label": "svarade inte eller har ingen efterträdare som svarade"}))
    return rows


def _tally(pairs: set[tuple[str, str]]) -> dict[str, int]:
    """How many distinct first elements each second element has: {item: count}."""
    counts: dict[str, int] = {}
    for _, item in pairs:
        counts[item] = counts.get(item, 0) + 1
    return counts


def _measure(s: Snapshot, by: str) -> dict[str, int]:
    if by == "category":  # departments that collaborate with the category
        return _tally({(d, c) for d, c, _ in s.collaborations})
    if by == "form":  # (department, category) reports of the form
        return _tally({((d, c), f) for d, c, f in s.collaborations})
    return _tally(s.department_goals)  # departments per goal area


def compare_items(a: Snapshot, b: Snapshot, names: Names, by: str) -> list[dict]:
    """Categories, forms, goal areas or themes: the value in each round and the change."""
    if by == "theme":
        return theme_shares(a, b, names)
    if by not in ("category", "form", "goal"):
        raise ValueError(f"unknown item kind {by!r}")
    before, after = _measure(a, by), _measure(b, by)
    return [_row(by, item, label, before.get(item, 0), after.get(item, 0))
            for item, label in getattr(names, by).items()]


def _share(s: Snapshot, theme: str, kind: str) -> float | None:
    total = s.statements_by_kind.get(kind, 0)
    return round(100 * s.theme_statements.get(theme, 0) / total, 1) if total else None


def theme_shares(a: Snapshot, b: Snapshot, names: Names) -> list[dict]:
    """Per theme: the share of the round's statements of its kind coded with it (percent)."""
    return [_row("theme", t, label, _share(a, t, names.theme_kind[t]), _share(b, t, names.theme_kind[t]),
                 kind=names.theme_kind[t])
            for t, label in names.theme.items()]


def compare_pairs(a: Snapshot, b: Snapshot, names: Names) -> list[dict]:
    """Category x form pairs that someone used in one round and no one in the other: new or ended."""
    def users(s: Snapshot) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        for _, c, f in s.collaborations:
            counts[c, f] = counts.get((c, f), 0) + 1
        return counts

    before, after = users(a), users(b)
    order = {c: i for i, c in enumerate(names.category)}, {f: i for i, f in enumerate(names.form)}
    rows = []
    for status, pairs in (("ny", set(after) - set(before)), ("upphörd", set(before) - set(after))):
        for c, f in sorted(pairs, key=lambda p: (order[0].get(p[0], 99), order[1].get(p[1], 99))):
            rows.append(_row("pair", f"{c}|{f}", f"{names.category.get(c, c)} x {names.form.get(f, f)}",
                             before.get((c, f), 0), after.get((c, f), 0), status=status))
    return rows


def _gap_label(gap: dict, names: Names) -> str:
    parts = [names.category.get(gap.get("category_id") or "", gap.get("category_id")),
             names.goal.get(gap.get("goal_area_id") or "", gap.get("goal_area_id")),
             names.form.get(gap.get("form_id") or "", gap.get("form_id")),
             names.theme.get(gap.get("theme_id") or "", gap.get("theme_id"))]
    return f"{gap['type']}: " + " x ".join(p for p in parts if p)


def compare_gaps(a: Snapshot, b: Snapshot, names: Names, top: int = 5) -> list[dict]:
    """The earlier round's top gaps per type: closed (no longer a gap) or persisted; and the later round's
    top gaps that were no gap before: appeared. Values are ranks within the type."""
    def key(g: dict) -> tuple:
        return tuple(g.get(k) for k in GAP_KEY)

    def tops(s: Snapshot) -> list[dict]:
        return [g for g in s.gaps if g["rank"] <= top]

    rank_a, rank_b = {key(g): g["rank"] for g in a.gaps}, {key(g): g["rank"] for g in b.gaps}
    rows = []
    for gap in tops(a):
        status = "kvarstår" if key(gap) in rank_b else "stängd"
        rows.append(_row("gap", "|".join(str(v or "") for v in key(gap)), _gap_label(gap, names), gap["rank"],
                         rank_b.get(key(gap)), status=status))
    for gap in tops(b):
        if key(gap) not in rank_a:
            rows.append(_row("gap", "|".join(str(v or "") for v in key(gap)), _gap_label(gap, names), None,
                             gap["rank"], status="ny"))
    return rows


def compare(conn: sqlite3.Connection, from_round: int, to_round: int, by: str = "department",
            top: int = 5) -> dict:
    """The whole comparison as plain data: rounds (with their source kind), rows per section."""
    names = read_names(conn)
    a, b = read_snapshot(conn, from_round), read_snapshot(conn, to_round)
    if by == "department":
        items = compare_departments(a, b, names, read_lineage(conn))
    else:
        items = compare_items(a, b, names, by)
    return {
        "from_round": from_round,
        "to_round": to_round,
        "by": by,
        "measure": MEASURES[by],
        "rounds": [{"round": s.round, "source_kind": s.source_kind, "source_id": s.source_id,
                    "reconstructed": s.reconstructed, "departments": len(s.departments)} for s in (a, b)],
        "rows": items + compare_pairs(a, b, names) + compare_gaps(a, b, names, top),
    }
