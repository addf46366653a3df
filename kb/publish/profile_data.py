"""What a profile page shows: one department, civil-society category or goal area, read from the published db.

`build_profile(db, kind, id)` returns a dict for templates/profile.html, or None when there is no such entity:
`title`, `kind_label`, `facts` (label, text) pairs, `sections` (heading, intro, columns, rows, empty) and
`reconstructed` (some shown row comes from a source of kind `rekonstruktion`). Cells are plain text or
(text, href) pairs; numbers are already in Swedish format. Tables that other issues add (forum links,
agreements, department lineage) are read only when they exist.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from kb.publish.swedish import kronor, number, percent

KINDS = {
    # kind: (table, URL prefix, label, plural label, link column in other tables)
    "forvaltning": ("departments", "/forvaltning/", "Förvaltningsprofil", "Förvaltningar", "department_id"),
    "kategori": ("categories", "/kategori/", "Kategoriprofil", "Kategorier inom civilsamhället", "category_id"),
    "delmalomrade": ("goal_areas", "/delmalomrade/", "Delmålsprofil", "Delmålområden", "goal_area_id"),
}
TABLE_KIND = {table: kind for kind, (table, *_rest) in KINDS.items()}
COLUMN_KIND = {"department_id": "forvaltning", "organiser_department_id": "forvaltning",
               "category_id": "kategori", "goal_area_id": "delmalomrade"}
# Columns of views and canned queries that hold a name rather than an id.
NAME_COLUMN_KIND = {"department": "forvaltning", "förvaltning": "forvaltning", "category": "kategori",
                    "kategori": "kategori", "goal_area": "delmalomrade", "delmålområde": "delmalomrade"}
STATUS_TEXT = {"streck": "– (streck i rapporten)", "ej-fardigstallt": "Ej färdigställt", "saknas": "inget svar"}
TOP_GAPS = 8


def profile_url(kind: str, entity_id: str) -> str:
    """The path of a profile page."""
    return KINDS[kind][1] + quote(str(entity_id), safe="")


class Reader:
    """Queries against one Datasette database, remembering which tables exist and which sources are
    reconstructions."""

    def __init__(self, db):
        self.db = db
        self.names: set[str] = set()
        self.reconstruction_sources: set[str] = set()
        self.reconstructed = False

    async def load(self) -> None:
        self.names = set(await self.db.table_names()) | set(await self.db.view_names())
        if "sources" in self.names:
            rows = await self.rows("SELECT id FROM sources WHERE kind = 'rekonstruktion'")
            self.reconstruction_sources = {r["id"] for r in rows}

    def has(self, *names: str) -> bool:
        return all(n in self.names for n in names)

    async def rows(self, sql: str, params: dict | None = None) -> list[dict[str, Any]]:
        result = await self.db.execute(sql, params or {})
        rows = [dict(r) for r in result.rows]
        if any(r.get("source_id") in self.reconstruction_sources for r in rows):
            self.reconstructed = True
        return rows

    async def columns(self, table: str) -> list[str]:
        return [r["name"] for r in await self.rows(f"SELECT name FROM pragma_table_info('{table}')")]


def link(kind: str, row: dict, id_key: str = "id", name_key: str = "name") -> tuple[str, str]:
    return (row[name_key] or row[id_key], profile_url(kind, row[id_key]))


def section(heading: str, columns: list[str], rows: list[list], empty: str, intro: str = "", numeric=()) -> dict:
    return {"heading": heading, "columns": columns, "rows": rows, "empty": empty, "intro": intro,
            "numeric": set(numeric)}


async def forums_section(r: Reader, link_table: str, column: str, entity_id: str, organiser: bool = False) -> dict:
    """The forums of the registry linked to the entity (and, for a department, those it arranges)."""
    rows = []
    if r.has("forums", link_table):
        where = f"f.id IN (SELECT forum_id FROM {link_table} WHERE {column} = :id)"
        if organiser:
            where += " OR f.organiser_department_id = :id"
        rows = await r.rows(
            f"SELECT f.id, f.name, f.kind, f.status, f.meets, f.source_id FROM forums f WHERE {where} "
            "ORDER BY f.position",
            {"id": entity_id},
        )
    return section(
        "Samverkansforum",
        ["Forum", "Slag", "Status", "Möts"],
        [[(f["name"], f"/samverkan/forums/{quote(f['id'], safe='')}"), f["kind"] or "", f["status"] or "",
          f["meets"] or ""] for f in rows],
        "Forumregistret har inget forum kopplat hit ännu. Samordnare lägger till forum med `kb template forums`.",
    )


async def agreements_section(r: Reader, link_table: str, column: str, entity_id: str) -> dict | None:
    """Agreements (IOP, överenskommelser) linked to the entity, when the agreements tables exist."""
    if not r.has("agreements", link_table):
        return None
    have = set(await r.columns("agreements"))
    if "id" not in have or not {"agreement_id", column} <= set(await r.columns(link_table)):
        return None  # not the shape this page knows
    order = "a.position" if "position" in have else "a.name"
    rows = await r.rows(
        f"SELECT a.* FROM agreements a WHERE a.id IN (SELECT agreement_id FROM {link_table} WHERE {column} = :id) "
        f"ORDER BY {order}",
        {"id": entity_id},
    )
    return section(
        "Överenskommelser och avtal",
        ["Namn", "Slag", "Status"],
        [[(a.get("name") or a["id"], f"/samverkan/agreements/{quote(str(a['id']), safe='')}"), a.get("kind") or "",
          a.get("status") or ""] for a in rows],
        "Inga överenskommelser i registret är kopplade hit.",
    )


async def gaps_section(r: Reader, where: str, entity_id: str, intro: str) -> dict:
    rows = []
    if r.has("gaps"):
        rows = await r.rows(
            "SELECT g.round, g.type, g.rank, g.score, g.explanation, c.name AS category, "
            "a.name AS goal_area, f.name AS form FROM gaps g LEFT JOIN categories c ON c.id = g.category_id "
            "LEFT JOIN goal_areas a ON a.id = g.goal_area_id LEFT JOIN forms f ON f.id = g.form_id "
            f"WHERE {where} ORDER BY g.round DESC, g.score DESC LIMIT {TOP_GAPS}",
            {"id": entity_id, "pattern": f'%"{entity_id}"%'},
        )
    return section(
        "Största luckorna",
        ["Omgång", "Lucka", "Poäng", "Förklaring"],
        [[str(g["round"]), " × ".join(x for x in (g["category"], g["goal_area"], g["form"]) if x) or g["type"],
          number(g["score"], 2), g["explanation"]] for g in rows],
        "Inga luckor är beräknade för den här.",
        intro=intro + " Alla luckor finns under <a href=\"/samverkan/luckor\">Luckor i samverkan</a>.",
        numeric=("Poäng",),
    )


def _status(row: dict, formatted: str) -> str:
    return formatted if row.get("status") in (None, "rapporterad") else STATUS_TEXT.get(row["status"], row["status"])


async def department_sections(r: Reader, entity_id: str) -> tuple[list[tuple[str, str]], list[dict]]:
    p = {"id": entity_id}
    facts = []
    for row in await r.rows("SELECT round, respondents, source_id FROM responses WHERE department_id = :id "
                            "ORDER BY round DESC", p) if r.has("responses") else []:
        facts.append((f"Svarade {row['round']}", "ja" + (f", {number(row['respondents'])} personer"
                                                         if row["respondents"] else "")))
    for row in await r.rows("SELECT * FROM funding WHERE department_id = :id ORDER BY round DESC", p):
        facts.append((f"Utbetalda medel {row['round']}", _status(row, kronor(row["amount_sek"]))))
    for row in await r.rows("SELECT * FROM staffed_share WHERE department_id = :id ORDER BY round DESC", p):
        facts.append((f"Andel aktörer med anställd personal {row['round']}",
                      _status(row, percent(row["share_percent"]))))
    collab = await r.rows(
        "SELECT co.round, co.category_id AS id, c.name, COUNT(*) AS n, GROUP_CONCAT(f.name, ', ') AS forms, "
        "MIN(co.source_id) AS source_id FROM collaborations co JOIN categories c ON c.id = co.category_id "
        "JOIN forms f ON f.id = co.form_id WHERE co.department_id = :id GROUP BY co.round, co.category_id "
        "ORDER BY co.round DESC, c.position", p)
    forms = await r.rows(
        "SELECT co.round, f.name, COUNT(*) AS n, MIN(co.source_id) AS source_id FROM collaborations co "
        "JOIN forms f ON f.id = co.form_id WHERE co.department_id = :id GROUP BY co.round, co.form_id "
        "ORDER BY co.round DESC, n DESC, f.position", p)
    goals = await r.rows(
        "SELECT dg.round, a.id, a.name, dg.source_id FROM department_goal_areas dg JOIN goal_areas a "
        "ON a.id = dg.goal_area_id WHERE dg.department_id = :id ORDER BY dg.round DESC, a.position", p)
    themes = []
    if r.has("theme_by_department", "themes"):
        themes = await r.rows(
            "SELECT t.label, tb.statements FROM theme_by_department tb JOIN themes t ON t.id = tb.theme_id "
            "WHERE tb.department_id = :id ORDER BY tb.statements DESC, t.position", p)
    sections = [
        section("Kategorier inom civilsamhället", ["Omgång", "Kategori", "Samverkansformer", "Antal former"],
                [[str(c["round"]), link("kategori", c), c["forms"], number(c["n"])] for c in collab],
                "Förvaltningen har inte angett någon samverkan.", numeric=("Antal former",)),
        section("Samverkansformer", ["Omgång", "Form", "Antal kategorier"],
                [[str(f["round"]), f["name"], number(f["n"])] for f in forms],
                "Inga samverkansformer angivna.", numeric=("Antal kategorier",)),
        section("Delmålområden", ["Omgång", "Delmålområde"],
                [[str(g["round"]), link("delmalomrade", g)] for g in goals],
                "Förvaltningen har inte angett något delmålområde."),
        section("Teman i fritextsvaren", ["Tema", "Antal punkter"],
                [[t["label"], number(t["statements"])] for t in themes],
                "Rapportens fritextpunkter är inte knutna till enskilda förvaltningar, så teman per förvaltning "
                "finns inte i den här omgången.", numeric=("Antal punkter",)),
        await forums_section(r, "forum_departments", "department_id", entity_id, organiser=True),
    ]
    agreements = await agreements_section(r, "agreement_departments", "department_id", entity_id)
    if agreements:
        sections.append(agreements)
    sections.append(await gaps_section(
        r, "g.brokers LIKE :pattern", entity_id,
        "Luckor där förvaltningen är en möjlig brobyggare: den samverkar redan med kategorin eller bidrar till "
        "delmålområdet."))
    lineage = await lineage_section(r, entity_id) if r.has("department_lineage") else None
    if lineage:
        sections.append(lineage)
    return facts, sections


LINEAGE_KINDS = {"same": "samma", "renamed": "nytt namn", "merged": "sammanslagen", "split": "delad",
                 "part": "del av"}


async def lineage_section(r: Reader, entity_id: str) -> dict | None:
    """The department's rows of department_lineage (predecessors and successors), None when it has none."""
    rows = await r.rows(
        "SELECT * FROM department_lineage WHERE predecessor_id = :id OR successor_id = :id ORDER BY round, position",
        {"id": entity_id},
    )
    if not rows:
        return None
    names = {d["id"]: d["name"] for d in await r.rows("SELECT id, name FROM departments")}
    return section(
        "Förvaltningen över omgångarna",
        ["Föregångare", "Efterträdare", "Slag", "Från omgång", "Anteckning", "Källa"],
        [[names.get(row["predecessor_id"], row["predecessor_id"]), names.get(row["successor_id"], row["successor_id"]),
          LINEAGE_KINDS.get(row["kind"], row["kind"]), "" if row["round"] is None else str(row["round"]),
          row["note"] or "", (row["source_url"], row["source_url"])] for row in rows],
        "",
    )


async def category_sections(r: Reader, entity_id: str) -> tuple[list[tuple[str, str]], list[dict]]:
    p = {"id": entity_id}
    facts = []
    if r.has("category_measures"):
        for m in await r.rows("SELECT * FROM category_measures WHERE category_id = :id ORDER BY round DESC", p):
            facts += [
                (f"Förvaltningar som samverkar {m['round']}",
                 f"{number(m['departments'])} av {number(m['round_departments'])}"),
                (f"Olika samverkansformer {m['round']}", f"{number(m['forms'])} av 14"),
                (f"Inrapporterade samverkansformer {m['round']}", number(m["reported_forms"])),
            ]
    for view, column, label in (("table3_average_per_category", "average_all", "Genomsnitt, alla förvaltningar"),
                                ("table4_average_per_collaborating", "average_collaborating",
                                 "Genomsnitt per samverkande förvaltning")):
        if r.has(view):
            for m in await r.rows(f"SELECT round, {column} AS v FROM {view} WHERE category_id = :id", p):
                if m["v"] is not None:
                    facts.append((f"{label} {m['round']}", number(m["v"], 1)))
    depts = await r.rows(
        "SELECT co.round, d.id, d.name, COUNT(*) AS n, GROUP_CONCAT(f.name, ', ') AS forms, MIN(co.source_id) AS "
        "source_id FROM collaborations co JOIN departments d ON d.id = co.department_id JOIN forms f ON "
        "f.id = co.form_id WHERE co.category_id = :id GROUP BY co.round, d.id ORDER BY co.round DESC, d.position", p)
    forms = await r.rows(
        "SELECT co.round, f.name, COUNT(*) AS n, MIN(co.source_id) AS source_id FROM collaborations co JOIN forms f "
        "ON f.id = co.form_id WHERE co.category_id = :id GROUP BY co.round, f.id ORDER BY co.round DESC, n DESC, "
        "f.position", p)
    sections = [
        section("Förvaltningar som samverkar med kategorin", ["Omgång", "Förvaltning", "Samverkansformer", "Antal"],
                [[str(d["round"]), link("forvaltning", d), d["forms"], number(d["n"])] for d in depts],
                "Ingen förvaltning har angett samverkan med kategorin.", numeric=("Antal",)),
        section("Samverkansformer med kategorin", ["Omgång", "Form", "Antal förvaltningar"],
                [[str(f["round"]), f["name"], number(f["n"])] for f in forms], "Inga samverkansformer angivna.",
                numeric=("Antal förvaltningar",)),
        await forums_section(r, "forum_categories", "category_id", entity_id),
    ]
    agreements = await agreements_section(r, "agreement_categories", "category_id", entity_id)
    if agreements:
        sections.append(agreements)
    sections.append(await gaps_section(r, "g.category_id = :id", entity_id, "Luckor som gäller kategorin."))
    return facts, sections


async def goal_area_sections(r: Reader, entity_id: str) -> tuple[list[tuple[str, str]], list[dict]]:
    p = {"id": entity_id}
    depts = await r.rows(
        "SELECT dg.round, d.id, d.name, dg.source_id FROM department_goal_areas dg JOIN departments d ON "
        "d.id = dg.department_id WHERE dg.goal_area_id = :id ORDER BY dg.round DESC, d.position", p)
    rounds = {}
    for d in depts:
        rounds[d["round"]] = rounds.get(d["round"], 0) + 1
    facts = [(f"Förvaltningar som bidrar {k}", number(v)) for k, v in rounds.items()]
    sections = [
        section("Förvaltningar vars samverkan bidrar till delmålområdet", ["Omgång", "Förvaltning"],
                [[str(d["round"]), link("forvaltning", d)] for d in depts],
                "Ingen förvaltning har angett att dess samverkan bidrar hit."),
        await forums_section(r, "forum_goal_areas", "goal_area_id", entity_id),
    ]
    agreements = await agreements_section(r, "agreement_goal_areas", "goal_area_id", entity_id)
    if agreements:
        sections.append(agreements)
    sections.append(await gaps_section(r, "g.goal_area_id = :id", entity_id, "Luckor som gäller delmålområdet."))
    return facts, sections


BUILDERS = {"forvaltning": department_sections, "kategori": category_sections, "delmalomrade": goal_area_sections}


async def build_profile(db, kind: str, entity_id: str) -> dict | None:
    """The profile of one entity, or None when the id is unknown."""
    table, _prefix, kind_label, _plural, _column = KINDS[kind]
    r = Reader(db)
    await r.load()
    found = await r.rows(f"SELECT * FROM {table} WHERE id = :id", {"id": entity_id})
    if not found:
        return None
    entity = found[0]
    facts, sections = await BUILDERS[kind](r, entity_id)
    if entity.get("aliases"):
        facts.insert(0, ("Andra namn", entity["aliases"].replace(";", ", ")))
    return {
        "kind": kind,
        "kind_label": kind_label,
        "entity": entity,
        "title": entity["name"],
        "row_url": f"/samverkan/{table}/{entity_id}",
        "facts": facts,
        "sections": sections,
        "reconstructed": r.reconstructed,
    }


async def name_ids(db) -> dict[str, dict[str, str]]:
    """kind -> name -> id, for linking cells that hold a name."""
    names: dict[str, dict[str, str]] = {}
    for kind, (table, *_rest) in KINDS.items():
        result = await db.execute(f"SELECT id, name FROM {table}")
        names[kind] = {row["name"]: row["id"] for row in result.rows}
    return names


async def build_index(db) -> list[dict]:
    """Every profile, grouped by kind: [{kind, label, items: [(name, href)]}]."""
    groups = []
    for kind, (table, _prefix, _label, plural, _column) in KINDS.items():
        result = await db.execute(f"SELECT id, name FROM {table} ORDER BY position, name")
        groups.append({"kind": kind, "label": plural, "entries": [link(kind, dict(r)) for r in result.rows]})
    return groups
