"""The forum registry in the database: schema, writing validated records, and the empty template."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlite_utils

from ingest.forums import FORUMS_FILE, LINKS, REGISTRY_SOURCE_ID, load_forums
from kb.errors import InputError, InputErrors

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

TEMPLATE = """# Forumregistret: en karta över befintliga samverkansforum mellan Örebro kommun och civilsamhället
# (råd, nätverk, dialogforum, referensgrupper, partnerskap). Rapportens förslag "Karta över befintliga
# samverkansforum". Registret fylls i och hålls aktuellt av samordnare.
#
# Format: en YAML-lista, en post per forum. Nycklarna är på engelska, värdena på svenska.
#   name                  forumets namn (obligatoriskt; id blir namnets slug)
#   kind                  råd | nätverk | dialogforum | referensgrupp | partnerskap | arbetsgrupp | mötesplats | forum
#                         (obligatoriskt)
#   status                aktivt | under översyn | föreslaget | avslutat
#   organiser_side        kommun | civilsamhälle | gemensamt
#   organiser_department  arrangerande förvaltning (namn, förkortning eller id)
#   organiser             arrangör som fritext, t.ex. en organisation i civilsamhället
#   purpose               syfte
#   participants          vilka som deltar (roller och organisationer, aldrig personnamn)
#   meets                 hur ofta forumet möts
#   meeting_place         mötesplats
#   latitude, longitude   mötesplatsens koordinater i decimalgrader (båda eller ingen)
#   url                   forumets offentliga webbsida
#   contact_role          en kontaktroll, t.ex. "samordnare på Kommunstyrelseförvaltningen" (aldrig ett namn,
#                         en e-postadress eller ett telefonnummer)
#   report_says           vad inventeringsrapporten säger om forumet
#   source                källans id: rapport-2022 om rapporten nämner forumet, annars forumregister
#   web_source            adressen till den offentliga webbsida som övriga uppgifter kommer från
#   last_verified         datum då uppgifterna senast kontrollerades (ÅÅÅÅ-MM-DD)
#   note                  övrigt
#   departments, categories, goal_areas, forms
#                         listor med förvaltningar, civilsamhällskategorier, delmålområden och
#                         samverkansformer (namn, alias eller id ur ingest/reference/)
# Okända uppgifter lämnas tomma: hitta aldrig på.
#
# Exempel (ta bort # för att använda):
# - name: Exempelrådet
#   kind: råd
#   status: aktivt
#   organiser_side: gemensamt
#   organiser_department: Kommunstyrelseförvaltningen
#   purpose:
#   meets:
#   url:
#   contact_role:
#   source: forumregister
#   web_source:
#   last_verified:
#   categories: [Idéburen förening]
#   goal_areas: [Mänskliga rättigheter och demokrati]
#   forms: [Dialog (återkommande/löpande)]
[]
"""


def create_forums_schema(db: sqlite_utils.Database) -> None:
    """Create the forum tables (idempotent)."""
    db.conn.executescript(FORUMS_SQL.read_text(encoding="utf-8"))


def write_forums(db: sqlite_utils.Database, records: list[dict]) -> dict[str, int]:
    """Replace the forum registry in db with records from ingest.forums.load_forums (call inside a build).

    Creates the tables if needed and adds the `forumregister` source. Returns row counts per table.
    """
    assert set(LINKS) == set(LINK_TABLES)
    create_forums_schema(db)
    db["sources"].insert(REGISTRY_SOURCE, pk="id", ignore=True)
    for table, _ in LINK_TABLES.values():
        db.execute(f"DELETE FROM [{table}]")
    db.execute("DELETE FROM forums")
    columns = [c.name for c in db["forums"].columns]
    db["forums"].insert_all([{k: r.get(k) for k in columns} for r in records])
    counts = {"forums": len(records)}
    for kind, (table, column) in LINK_TABLES.items():
        rows = [{"forum_id": r["id"], column: target} for r in records for target in r["links"].get(kind, [])]
        db[table].insert_all(rows)
        counts[table] = len(rows)
    return counts


def ingest_forums(
    db_path: Path | str, source: Path | str, install: bool = True, allow_empty: bool = False
) -> dict[str, int]:
    """Validate a registry file and load it (raises InputErrors; nothing is written on bad input).

    With install (the default) the file becomes ingest/data/forums.yml and the whole db is rebuilt, so
    the graph, the gaps and the search index include the forums; if the build fails, the previous
    registry file is put back (or the new one removed when there was none). Without install the forums are
    only loaded into db_path, in one transaction. A registry without forums (the empty template) would wipe
    the registry: it is refused unless allow_empty.
    """
    from kb.db import open_db

    source = Path(source)
    records = load_forums(source)
    if not records and not allow_empty:
        raise InputErrors(
            [
                InputError(
                    str(source),
                    None,
                    None,
                    "registret innehåller inga forum och skulle tömma forumregistret; "
                    "använd --allow-empty om det är meningen",
                )
            ]
        )
    if not install:
        db = open_db(db_path)
        try:
            with db.conn:
                return write_forums(db, records)
        finally:
            db.close()
    from kb.build import build

    FORUMS_FILE.parent.mkdir(parents=True, exist_ok=True)
    backup = FORUMS_FILE.with_suffix(".yml.previous")
    existed = FORUMS_FILE.exists()
    if existed:
        shutil.copyfile(FORUMS_FILE, backup)
    if source.resolve() != FORUMS_FILE.resolve():
        tmp = FORUMS_FILE.with_suffix(".yml.tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(FORUMS_FILE)
    try:
        build(db_path, forums_file=FORUMS_FILE)
    except BaseException:
        if existed:
            backup.replace(FORUMS_FILE)
        else:
            FORUMS_FILE.unlink(missing_ok=True)
        raise
    backup.unlink(missing_ok=True)
    counts = {"forums": len(records)}
    for kind, (table, _column) in LINK_TABLES.items():
        counts[table] = sum(len(r["links"].get(kind, [])) for r in records)
    return counts


def write_template(path: Path | str) -> None:
    """Write the empty registry template, with the format documented in comments."""
    Path(path).write_text(TEMPLATE, encoding="utf-8")
