"""The coordinators' path for a survey round: template -> Forms -> export -> `kb ingest forms` -> database."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from ingest import forms_extra as extra
from ingest.exports import MANIFEST, sanitised_csv
from ingest.forms import FormsExport, expected_headings, load_column_map, parse_export
from ingest.reference import Reference, load_reference

FORMS_METADATA_HEADINGS = ["ID", "Start time", "Completion time", "Email", "Name"]


def write_manifest(round_dir: Path, manifest: dict) -> None:
    text = "# Written by `kb ingest forms` / `kb reconstruct`: where this round's responses come from.\n"
    text += yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False)
    (round_dir / MANIFEST).write_text(text, encoding="utf-8")


def store_export(export: FormsExport, reference: Reference, round_: int, exports_dir: Path, manifest: dict) -> Path:
    """Replace the round's stored export by a sanitised copy of `export`; returns the round folder.

    The same content again (same file, same column map): nothing changes, not even the recorded time, so
    ingesting twice gives the same database.
    """
    round_dir = exports_dir / str(round_)
    content = sanitised_csv(export, reference, round_)
    previous = round_dir / MANIFEST
    if previous.exists():
        old = yaml.safe_load(previous.read_text(encoding="utf-8")) or {}
        stored = round_dir / str(old.get("file", ""))
        same_file = old.get("sha256") == manifest.get("sha256") and old.get("source_id") == manifest.get("source_id")
        if same_file and stored.is_file() and stored.read_text(encoding="utf-8") == content:
            return round_dir
    staging = Path(tempfile.mkdtemp(prefix=f".{round_}.{os.getpid()}.", dir=exports_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; the round folder is ordinary repository content
    (staging / manifest["file"]).write_text(content, encoding="utf-8")
    write_manifest(staging, manifest)
    backup = exports_dir / f".{round_}.previous"
    shutil.rmtree(backup, ignore_errors=True)
    if round_dir.exists():
        round_dir.rename(backup)
    staging.rename(round_dir)
    return round_dir


def restore_previous(round_: int, exports_dir: Path) -> None:
    """Put back the round folder store_export replaced (after a failed build)."""
    backup = exports_dir / f".{round_}.previous"
    round_dir = exports_dir / str(round_)
    if backup.exists():
        shutil.rmtree(round_dir, ignore_errors=True)
        backup.rename(round_dir)


def recover_interrupted(exports_dir: Path) -> list[str]:
    """Undo what a killed `kb ingest forms` or `kb reconstruct` left under exports_dir; returns what it did.

    A round replaced but never confirmed (its `.ÅR.previous` is still there) gets its previous export back:
    an interrupted ingest is rolled back as a whole, and the build that follows reflects that. Staging
    folders of processes that no longer run are removed. Not for use while another ingest runs.
    """
    from kb.core.db import pid_alive

    done = []
    if not exports_dir.is_dir():
        return done
    for backup in sorted(exports_dir.glob(".*.previous")):
        round_ = backup.name[1 : -len(".previous")]
        if backup.is_dir() and round_.isdigit():
            restore_previous(int(round_), exports_dir)
            done.append(f"återställde omgång {round_}")
    for staging in sorted(exports_dir.glob(".*.*.*")):
        parts = staging.name.split(".")
        if staging.is_dir() and parts[1].isdigit() and parts[2].isdigit() and not pid_alive(int(parts[2])):
            shutil.rmtree(staging, ignore_errors=True)
            done.append(f"tog bort {staging.name}")
    return done


def discard_previous(round_: int, exports_dir: Path) -> None:
    shutil.rmtree(exports_dir / f".{round_}.previous", ignore_errors=True)


@contextmanager
def staged_export(
    export: FormsExport, reference: Reference, round_: int, exports_dir: Path, manifest: dict
) -> Iterator[Path]:
    """Store the round's export for the body (a rebuild); if the body fails, the previous export comes back."""
    exports_dir.mkdir(parents=True, exist_ok=True)
    round_dir = store_export(export, reference, round_, exports_dir, manifest)
    try:
        yield round_dir
    except BaseException:
        restore_previous(round_, exports_dir)
        raise
    discard_previous(round_, exports_dir)


def read_forms_export(file: Path, round_: int, columns: Path | None = None) -> tuple[FormsExport, Reference, dict]:
    """Validate a Forms export; returns it with the reference it was read against and its manifest.

    Raises InputErrors (nothing written) on bad input.
    """
    reference = load_reference()
    export = parse_export(Path(file), reference, round_, load_column_map(columns))
    manifest = {
        "round": round_,
        "file": f"forms-{round_}.csv",
        "source_id": f"enkat-{round_}-{export.sha256[:12]}",
        "source_kind": "enkatexport",
        "source_title": f"Enkätsvar {round_} (Forms-export {Path(file).name})",
        "original_name": Path(file).name,
        "sha256": export.sha256,
        "rows": export.rows,
        "ingested_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    return export, reference, manifest


def forms_summary(export: FormsExport, file: Path, round_: int) -> dict:
    """What `kb ingest forms` reports about an export it loaded."""
    return {
        "round": round_,
        "file": Path(file).name,
        "rows": export.rows,
        "departments": len(export.responses),
        "respondents": sum(r.respondent_count or 0 for r in export.responses.values()),
        "collaborations": sum(len(r.collaborations) for r in export.responses.values()),
        "statements": sum(len(r.statements) for r in export.responses.values()),
        "notices": list(export.notices),
    }


def write_forms_template(path: Path, round_: int) -> None:
    """An empty .xlsx with the questionnaire's columns and a sheet listing every valid option."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    reference = load_reference()
    workbook = Workbook()
    answers = workbook.active
    answers.title = "Svar"
    answers.append([*FORMS_METADATA_HEADINGS, *expected_headings(reference, round_)])
    for cell in answers[1]:
        cell.font = Font(bold=True)
    options = workbook.create_sheet("Giltiga val")
    options.append(["Fråga", "Giltigt val", "Id", "Andra skrivsätt"])
    for cell in options[1]:
        cell.font = Font(bold=True)
    valid = set(reference.organisation().departments_in(round_))
    new_questions = bool(extra.new_headings(reference, round_))
    for question, kind in (
        ("Förvaltning", "departments"),
        ("Samverkan med: <kategori> (kategori)", "categories"),
        ("Samverkan med: <kategori> (samverkansform)", "forms"),
        ("Delmålområden", "goal_areas"),
        *([(extra.TARGET_GROUPS, "target_groups")] if new_questions else []),
    ):
        for record in getattr(reference, kind):
            if kind == "departments" and record["id"] not in valid:
                continue  # the organisation of the round: departments valid in it
            options.append([question, record["name"], record["id"], (record.get("aliases") or "").replace(";", "; ")])
    options.append([f"Utbetalda medel {round_}", "belopp i kronor, t.ex. 250 000 kr; - eller Ej färdigställt", "", ""])
    options.append(["Andel aktörer med anställd personal", "andel i procent, t.ex. 80 %; - om okänt", "", ""])
    if new_questions:
        options.append([extra.OCCASIONS_PREFIX + "<samverkansform>", "antal tillfällen under året som heltal, "
                        "t.ex. 12; lämna tomt om okänt (inte \"ca 10\" eller \"flera\")", "", ""])
        options.append([extra.TARGET_GROUPS, "flerval; Annat kan följas av en beskrivning (Annat: ...), "
                        "som inte sparas", "", ""])
        options.append([extra.FUNCTION, "den svarandes funktion eller roll, t.ex. enhetschef; aldrig ett namn",
                        "", ""])
    options.append(["Flerval", "välj flera alternativ åtskilda med ;", "", ""])
    for sheet in (answers, options):
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(12, len(str(column[0].value)) + 2))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
