"""Shared by the command-line contract tests (issue 16): the click tree, running `kb`, the failure check."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import click
from click.testing import CliRunner, Result

from kb.cli import cli


def walk(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            yield from walk(command.get_command(ctx, name), (*path, name))


COMMANDS = dict(walk(cli))
# A group that does work itself (`kb code`) counts as a command; the others only hold sub-commands.
RUNNABLE = {
    p: c for p, c in COMMANDS.items()
    if p and (not isinstance(c, click.Group) or c.invoke_without_command)
}


def db_param(command: click.Command) -> click.Option | None:
    return next((p for p in command.params if p.name == "db_path"), None)



def required_args(command: click.Command, tmp_path: Path, skip: str | None = None) -> list[str]:
    """Values for the required parameters (but option `skip`), so that only the case under test can fail."""
    args = []
    for param in command.params:
        if isinstance(param, click.Argument) and param.required:
            args.append(str(tmp_path / f"ny-{param.name}.xlsx"))
        elif isinstance(param, click.Option) and param.required and param.opts[0] != skip:
            args += [param.opts[0], "2024"]
    return args


def run(args: list) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="kb")


def assert_usage_failure(result, *swedish: str) -> None:
    """Exit 2, the Swedish words, no traceback and none of click's English chrome."""
    output = result.output
    assert result.exit_code == 2, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    for english in ("Error:", "Usage:", "Try '", "No such", "Invalid value", "Missing argument", "is not"):
        assert english not in output, (english, output)
    assert output.count("Fel: ") == 1, output
    for words in swedish:
        assert words in output, (words, output)


def forms_csv(path: Path) -> Path:
    from ingest.forms import expected_headings
    from ingest.reference import load_reference
    from kb.survey.forms import FORMS_METADATA_HEADINGS

    headings = [*FORMS_METADATA_HEADINGS, *expected_headings(load_reference(), 2024)]
    row = {"ID": "1", "Förvaltning": "Miljökontoret", "Samverkan med: Kulturförening": "Informationsutbyte",
           "Delmålområden": "Klimat", "Utbetalda medel 2024": "1 000 kr", "Andel aktörer med anställd personal": "50 %"}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings)
        writer.writerow([row.get(h, "") for h in headings])
    return path


def rounds_with_responses(db: Path) -> list[int]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT DISTINCT round FROM responses ORDER BY round")]
