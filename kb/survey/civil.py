"""The organisations' side of the survey (issue 12): template, stored copy and the tables at build.

`write_civil_responses` is a build stage (kb/pipeline.py runs it after the department responses): it
applies civil.sql and writes every stored round's organisation answers. Answers are kept apart; every
aggregate counts each organisation once. Small-number protection: answer-level rows are written only for
categories with at least MIN_SHOWN answering organisations; the rest appear in aggregates only.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
import yaml

from ingest.civil_exports import MANIFEST, StoredCivilExport, civil_manifest, sanitised_civil_csv
from ingest.civil_forms import (
    CivilAnswer,
    CivilExport,
    CivilOptions,
    expected_headings,
    load_options,
    parse_civil_export,
)
from ingest.forms import load_column_map
from ingest.reference import load_reference

CIVIL_SQL = Path(__file__).with_name("civil.sql")
MIN_SHOWN = 5
FORMS_METADATA_HEADINGS = ["ID", "Start time", "Completion time", "Email", "Name"]
CIVIL_TABLES = ("civil_answers", "civil_answer_collaborations", "civil_answer_choices", "civil_categories",
                "civil_edges", "civil_choice_counts", "civil_statements")


def read_options() -> CivilOptions:
    from ingest.forums import load_forums

    reference = load_reference()
    return load_options(reference, load_forums(reference=reference))


# ---------------------------------------------------------------- template


def write_civil_template(path: Path, round_: int, options: CivilOptions | None = None) -> None:
    """An empty .xlsx with the organisation questionnaire's columns and a sheet listing every valid option."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    options = options or read_options()
    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = dt.datetime(round_, 1, 1)
    answers = workbook.active
    answers.title = "Svar"
    answers.append([*FORMS_METADATA_HEADINGS, *expected_headings(options)])
    options_sheet = workbook.create_sheet("Giltiga val")
    options_sheet.append(["Fråga", "Giltigt val", "Id", "Andra skrivsätt"])
    options_sheet.append(["Organisation", "organisationens namn (en organisation, inte en person); frivilligt", "", ""])
    ref = options.reference
    for question, records in (
        ("Kategori (ett val)", ref.categories),
        ("Anställd personal", [{"name": "Ja", "id": "ja"}, {"name": "Nej", "id": "nej"}]),
        ("Antal medlemmar (ett val)", options.member_bands),
        ("Samverkar med: <förvaltning> (samverkansformer, flerval)", ref.forms),
        ("Samverkar med: <förvaltning> (förvaltning)", ref.departments),
        ("Delmålområden (flerval)", ref.goal_areas),
        ("Målgrupper (flerval)", options.target_groups),
        ("Forum (flerval, forumregistret)", options.forums),
    ):
        for record in records:
            aliases = (record.get("aliases") or "").replace(";", "; ")
            options_sheet.append([question, record["name"], record["id"], aliases])
    options_sheet.append(["Antal samverkanstillfällen under året", "ett heltal, t.ex. 12; tomt om okänt", "", ""])
    options_sheet.append(["Flerval", "välj flera alternativ åtskilda med ;", "", ""])
    for sheet in (answers, options_sheet):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(12, len(str(column[0].value)) + 2))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


# ---------------------------------------------------------------- ingest: validate and store a copy


def read_civil_export(file: Path, round_: int, columns: Path | None = None) -> tuple[CivilExport, CivilOptions, dict]:
    """Validate an organisation export; returns it, the options it was read against and its manifest."""
    options = read_options()
    export = parse_civil_export(Path(file), options, round_, load_column_map(columns))
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    return export, options, civil_manifest(round_, Path(file).name, export, stamp)


@contextmanager
def staged_civil_export(export: CivilExport, options: CivilOptions, round_: int, civil_dir: Path,
                        manifest: dict) -> Iterator[Path]:
    """Store the round's sanitised copy for the body (a rebuild); if the body fails, the old copy returns."""
    civil_dir.mkdir(parents=True, exist_ok=True)
    round_dir, backup = civil_dir / str(round_), civil_dir / f".{round_}.previous"
    content = sanitised_civil_csv(export, options)
    old = round_dir / MANIFEST
    if old.exists():
        previous = yaml.safe_load(old.read_text(encoding="utf-8")) or {}
        stored = round_dir / str(previous.get("file", ""))
        if previous.get("sha256") == manifest["sha256"] and stored.is_file() and stored.read_text(
                encoding="utf-8") == content:
            manifest = {**manifest, "ingested_at": previous.get("ingested_at")}  # same input: same files
    staging = Path(tempfile.mkdtemp(prefix=f".{round_}.", dir=civil_dir))
    staging.chmod(0o755)
    (staging / manifest["file"]).write_text(content, encoding="utf-8")
    text = "# Written by `kb ingest forms --side civilsamhalle`: where this round's organisation answers come from.\n"
    (staging / MANIFEST).write_text(text + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                    encoding="utf-8")
    shutil.rmtree(backup, ignore_errors=True)
    if round_dir.exists():
        round_dir.rename(backup)
    staging.rename(round_dir)
    try:
        yield round_dir
    except BaseException:
        shutil.rmtree(round_dir, ignore_errors=True)
        if backup.exists():
            backup.rename(round_dir)
        raise
    shutil.rmtree(backup, ignore_errors=True)


def civil_summary(export: CivilExport, file: Path, round_: int) -> dict:
    """What `kb ingest forms --side civilsamhalle` reports about an export it loaded."""
    per_category: dict[str | None, set[str]] = {}
    for a in export.answers:
        per_category.setdefault(a.category_id, set()).add(a.organisation_id)
    return {
        "round": round_,
        "file": Path(file).name,
        "rows": export.rows,
        "organisations": export.organisations,
        "protected_categories": sum(1 for orgs in per_category.values() if len(orgs) < MIN_SHOWN),
        "collaborations": sum(len(a.collaborations) for a in export.answers),
        "statements": sum(len(a.statements) for a in export.answers),
    }


# ---------------------------------------------------------------- build stage


def create_civil_schema(db: sqlite_utils.Database) -> None:
    if "civil_answers" not in db.table_names():
        db.conn.executescript(CIVIL_SQL.read_text(encoding="utf-8"))


def statement_rows(stored: StoredCivilExport) -> Iterator[tuple[str, str, str, CivilAnswer, int]]:
    """(statement id, kind, text, answer, position) of every free-text answer, numbered per kind."""
    positions = {"svarighet": 0, "positivt": 0}
    for answer in stored.export.answers:
        for kind, text in answer.statements:
            positions[kind] += 1
            yield f"{stored.round}-civilsamhalle-{kind}-{positions[kind]:05d}", kind, text, answer, positions[kind]


def civil_rows(stored: StoredCivilExport, options: CivilOptions) -> dict[str, list[dict]]:
    """Every row of one round's organisation answers, by table, with small-number protection applied."""
    round_, source = stored.round, stored.source["id"]
    answers = stored.export.answers
    organisations: dict[str, set[str]] = {}
    answer_counts: dict[str, int] = {}
    for a in answers:
        organisations.setdefault(a.category_id, set()).add(a.organisation_id)
        answer_counts[a.category_id] = answer_counts.get(a.category_id, 0) + 1
    shown = {c for c, orgs in organisations.items() if len(orgs) >= MIN_SHOWN}
    rows: dict[str, list[dict]] = {t: [] for t in CIVIL_TABLES}
    base = {"round": round_, "source_id": source}
    for category in options.reference.categories:
        if category["id"] in organisations:
            rows["civil_categories"].append({**base, "category_id": category["id"],
                                             "organisations": len(organisations[category["id"]]),
                                             "answers": answer_counts[category["id"]],
                                             "shown": int(category["id"] in shown)})
    edges: dict[tuple[str, str, str], set[str]] = {}
    choices: dict[tuple[str, str], set[tuple[str, str]]] = {}
    texts = {id(a): [] for a in answers}
    for statement_id, kind, text, answer, position in statement_rows(stored):
        texts[id(answer)].append({**base, "id": statement_id, "kind": kind, "text": text, "position": position,
                                  "category_id": answer.category_id if answer.category_id in shown else None})
    for a in answers:
        rows["civil_statements"] += texts[id(a)]
        org = (a.category_id, a.organisation_id)
        for department, form in a.collaborations:
            edges.setdefault((a.category_id, department, form), set()).add(a.organisation_id)
        picked = [("goal_area", g) for g in a.goal_areas] + [("target_group", t) for t in a.target_groups]
        picked += [("forum", f) for f in a.forums]
        extra = [("members", a.members)] if a.members else []
        extra += [("staffed", a.staffed)] if a.staffed else []
        for key in picked + extra:
            choices.setdefault(key, set()).add(org)
        if a.category_id not in shown:
            continue
        answer_id = f"{round_}-{a.number:05d}"
        rows["civil_answers"].append({**base, "id": answer_id, "organisation_id": a.organisation_id,
                                      "organisation": a.organisation_name, "category_id": a.category_id,
                                      "staffed": a.staffed, "members": a.members, "occasions": a.occasions})
        rows["civil_answer_collaborations"] += [{**base, "answer_id": answer_id, "department_id": d, "form_id": f}
                                                for d, f in sorted(a.collaborations)]
        rows["civil_answer_choices"] += [{**base, "answer_id": answer_id, "question": q, "choice_id": c}
                                         for q, c in sorted(set(picked))]
    rows["civil_edges"] = [{**base, "category_id": c, "department_id": d, "form_id": f, "organisations": len(orgs)}
                           for (c, d, f), orgs in sorted(edges.items())]
    labels = {"goal_area": {r["id"]: r["name"] for r in options.reference.goal_areas},
              "target_group": {r["id"]: r["name"] for r in options.target_groups},
              "forum": {r["id"]: r["name"] for r in options.forums},
              "members": {r["id"]: r["name"] for r in options.member_bands},
              "staffed": {"ja": "Ja", "nej": "Nej"}}
    rows["civil_choice_counts"] = [{**base, "question": q, "choice_id": c, "choice": labels[q][c],
                                    "organisations": len(orgs)} for (q, c), orgs in sorted(choices.items())]
    return rows


def write_civil_responses(db: sqlite_utils.Database, inputs) -> dict[str, int]:
    """Build stage: the civil tables (always) and every stored round's organisation answers."""
    create_civil_schema(db)
    stored_rounds: list[StoredCivilExport] = getattr(inputs, "civil", None) or []
    counts: dict[str, int] = {}
    for stored in stored_rounds:
        options = load_options(inputs.reference, inputs.forums)
        source = stored.source
        if not db.execute("SELECT 1 FROM sources WHERE id = ?", [source["id"]]).fetchone():
            db["sources"].insert(source)
        for table in CIVIL_TABLES:
            db.execute(f"DELETE FROM [{table}] WHERE round = ?", [stored.round])
        for table, rows in civil_rows(stored, options).items():
            if rows:
                db[table].insert_all(rows)
            counts[table] = counts.get(table, 0) + len(rows)
    db.conn.commit()
    return counts
