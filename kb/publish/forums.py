"""The forum registry in the database: schema, writing validated records, and the empty template."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from ingest.agreements import AGREEMENTS_SOURCE_ID
from ingest.forums import FORUMS_FILE, LINKS, REGISTRY_SOURCE_ID, load_forums
from kb.core.errors import InputError, InputErrors

FORUMS_SQL = Path(__file__).with_name("forums.sql")
LINK_TABLES = {
    "departments": ("forum_departments", "department_id"),
    "categories": ("forum_categories", "category_id"),
    "goal_areas": ("forum_goal_areas", "goal_area_id"),
    "forms": ("forum_forms", "form_id"),
}
REGISTRY_SOURCE = {
    "id": REGISTRY_SOURCE_ID,
    "kind": "registerfil",
    "title": "Forumregistret (ingest/data/forums.yml)",
    "publisher": "Samverkan KB",
    "url": None,
    "note": "Forum som samordnare fört in i registret; webbsidor som källa anges per forum (web_source).",
}
AGREEMENT_LINK_TABLES = {
    "departments": ("agreement_departments", "department_id"),
    "categories": ("agreement_categories", "category_id"),
    "goal_areas": ("agreement_goal_areas", "goal_area_id"),
}
AGREEMENTS_SOURCE = {
    "id": AGREEMENTS_SOURCE_ID,
    "kind": "registerfil",
    "title": "Avtalsregistret (ingest/data/agreements.yml)",
    "publisher": "Samverkan KB",
    "url": None,
    "note": "IOP, överenskommelser och riktlinjer som samordnare fört in; webbsidan som källa anges per post (url).",
}

TEMPLATE = """# Forumregistret: en karta över befintliga samverkansforum mellan Örebro kommun och civilsamhället
# (råd, nätverk, dialogforum, referensgrupper, partnerskap). Rapportens förslag "Karta över befintliga
# samverkansforum". Registret fylls i och hålls aktuellt av samordnare.
#
# Format: en YAML-lista, en post per forum. Nycklarna är på engelska, värdena på svenska.
#   name                  forumets namn (obligatoriskt; id blir namnets slug)
#   kind                  råd | nätverk | dialogforum | referensgrupp | partnerskap | arbetsgrupp | mötesplats | forum
#                         (obligatoriskt)
#   status                aktiv | engångs | avslutad | okänd
#   organiser_side        kommun | civilsamhälle | gemensamt
#   organiser_department  arrangerande förvaltning (namn, förkortning eller id)
#   organiser             arrangör som fritext, t.ex. en organisation i civilsamhället
#   purpose               syfte
#   participants          vilka som deltar (roller och organisationer, aldrig personnamn)
#   meets                 hur ofta forumet möts
#   meeting_place         mötesplats
#   latitude, longitude   mötesplatsens koordinater i decimalgrader (båda eller ingen)
#   url                   forumets offentliga webbsida (url eller web_source krävs, om inte source anges)
#   contact_role          en kontaktroll, t.ex. "samordnare på Kommunstyrelseförvaltningen" (aldrig ett namn,
#                         en e-postadress eller ett telefonnummer)
#   report_says           vad inventeringsrapporten säger om forumet
#   source                källans id: rapport-2022 om rapporten nämner forumet, annars forumregister
#   web_source            adressen till den offentliga webbsida som övriga uppgifter kommer från
#   last_verified         datum då uppgifterna senast kontrollerades (ÅÅÅÅ-MM-DD)
#   districts             stadsdelar eller orter som källan säger att forumet verkar i, t.ex. [Vivalla]
#   years                 de år källan talar om, t.ex. [2023, 2024]
#   source_date           datum som källsidan visar (ÅÅÅÅ-MM-DD eller ÅÅÅÅ)
#   source_undated        true om källsidan inte visar något datum
#   link_notes            för varje länk nedan: källan (källan säger det) eller egen tolkning
#   note                  övrigt
#   departments, categories, goal_areas, forms
#                         listor med förvaltningar, civilsamhällskategorier, delmålområden och
#                         samverkansformer (namn, alias eller id ur ingest/reference/)
# Okända uppgifter lämnas tomma: hitta aldrig på.
#
# Exempel (ta bort # för att använda):
# - name: Exempelrådet
#   kind: råd
#   status: aktiv
#   organiser_side: gemensamt
#   organiser_department: Kommunstyrelseförvaltningen
#   purpose:
#   meets:
#   url:
#   contact_role:
#   source: forumregister
#   web_source:
#   last_verified:
#   years: []
#   source_date:
#   categories: [Idéburen förening]
#   goal_areas: [Mänskliga rättigheter och demokrati]
#   forms: [Dialog (återkommande/löpande)]
[]
"""


def create_forums_schema(db: sqlite_utils.Database) -> None:
    """Create the forum tables (idempotent)."""
    db.conn.executescript(FORUMS_SQL.read_text(encoding="utf-8"))


def replace_registry(
    db: sqlite_utils.Database, table: str, records: list[dict], link_tables: dict[str, tuple[str, str]]
) -> dict[str, int]:
    """Replace a registry table and its link tables with records (link rows carry their basis)."""
    owner = f"{table[:-1]}_id"  # forums -> forum_id, agreements -> agreement_id
    for link_table, _ in link_tables.values():
        db.execute(f"DELETE FROM [{link_table}]")
    db.execute(f"DELETE FROM [{table}]")
    columns = [c.name for c in db[table].columns]
    rows = []
    for r in records:
        row = {k: r.get(k) for k in columns}
        for key in ("years", "parties", "districts"):
            if key in row and isinstance(row[key], list):
                row[key] = json.dumps(row[key], ensure_ascii=False) if row[key] else None
        if "source_undated" in row:
            row["source_undated"] = int(bool(row["source_undated"]))
        rows.append(row)
    db[table].insert_all(rows)
    counts = {table: len(records)}
    for kind, (link_table, column) in link_tables.items():
        link_rows = [
            {owner: r["id"], column: target, "basis": r.get("link_basis", {}).get(kind, {}).get(target)}
            for r in records
            for target in r["links"].get(kind, [])
        ]
        db[link_table].insert_all(link_rows)
        counts[link_table] = len(link_rows)
    return counts


def write_forums(db: sqlite_utils.Database, records: list[dict]) -> dict[str, int]:
    """Replace the forum registry in db with records from ingest.forums.load_forums (call inside a build).

    Creates the tables if needed and adds the `forumregister` source. Returns row counts per table.
    """
    assert set(LINKS) == set(LINK_TABLES)
    create_forums_schema(db)
    db["sources"].insert(REGISTRY_SOURCE, pk="id", ignore=True)
    return replace_registry(db, "forums", records, LINK_TABLES)


def write_agreements(db: sqlite_utils.Database, records: list[dict]) -> dict[str, int]:
    """Replace the agreements (ingest.agreements.load_agreements) in db; adds the `avtalsregister` source."""
    create_forums_schema(db)
    db["sources"].insert(AGREEMENTS_SOURCE, pk="id", ignore=True)
    return replace_registry(db, "agreements", records, AGREEMENT_LINK_TABLES)


def read_registry(source: Path | str, allow_empty: bool = False) -> list[dict]:
    """Validate a registry file (raises InputErrors naming file, line and field).

    A registry without forums (the empty template) would wipe the registry: it is refused unless allow_empty.
    """
    source = Path(source)
    records = load_forums(source)
    if not records and not allow_empty:
        message = (
            "registret innehåller inga forum och skulle tömma forumregistret; använd --allow-empty om det är meningen"
        )
        raise InputErrors([InputError(str(source), None, None, message)])
    return records


def load_into(db_path: Path | str, records: list[dict]) -> dict[str, int]:
    """Replace only the forum tables of an existing db, in one transaction (no rebuild)."""
    from kb.core.db import open_db

    db = open_db(db_path)
    try:
        with db.conn:
            return write_forums(db, records)
    finally:
        db.close()


@contextmanager
def staged_registry(source: Path | str, target: Path = FORUMS_FILE) -> Iterator[Path]:
    """Make source the registry file for the body (a rebuild); if the body fails, the previous file comes back."""
    source = Path(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    backup = target.with_suffix(".yml.previous")
    existed = target.exists()
    if existed:
        shutil.copyfile(target, backup)
    if source.resolve() != target.resolve():
        tmp = target.with_suffix(".yml.tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    try:
        yield target
    except BaseException:
        if existed:
            backup.replace(target)
        else:
            target.unlink(missing_ok=True)
        raise
    backup.unlink(missing_ok=True)


def link_counts(records: list[dict]) -> dict[str, int]:
    """Rows per forum table that records give."""
    counts = {"forums": len(records)}
    for kind, (table, _column) in LINK_TABLES.items():
        counts[table] = sum(len(r["links"].get(kind, [])) for r in records)
    return counts


def write_template(path: Path | str) -> None:
    """Write the empty registry template, with the format documented in comments."""
    Path(path).write_text(TEMPLATE, encoding="utf-8")
