"""The contract every `kb` command shares: its --db, its data dir, the files it writes, exiting on bad input.

- `db_option`: the database a command reads. Before the command runs, the file must exist and be a
  Samverkan KB db of this schema version (kb.core.db.check_kb_database); otherwise one Swedish line on
  stderr and exit 2.
- `db_target_option`: the database a command builds (replaced atomically). It may be absent, empty or a
  Samverkan KB db of any version; any other file is refused, never overwritten.
- `db_path_option` + `require_kb_db`: for a command that checks the db itself, later (`kb serve` builds a
  stale default db first; `kb code` does not need one for its sub-commands).
- `data_dir_option` + `data_dir_for` / `writable_data_dir`: where the source files of a db are stored
  (rounds' sanitised responses, forums.yml). The default db (data/samverkan.db) is always built from
  ingest/data; any other --db from its own data dir, by default `<db stem>-data/` beside it, which starts as
  a copy of ingest/data. So a run with --db elsewhere never writes into the repository.
- `output_argument` / `output_option` (+ `--force`): a file the user names to write; an existing file is
  refused unless --force.
- `fail`: exit 2 with "Fel: ..." on stderr.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from kb.core.db import DatabaseProblem, check_kb_database, replaceable_problem
from kb.core.paths import DEFAULT_DB, INGEST_DIR

REPOSITORY_DATA = INGEST_DIR / "data"
FORUMS_NAME = "forums.yml"


def fail(message: str) -> NoReturn:
    """Exit with status 2 and a message on stderr (bad input or usage)."""
    click.echo(f"Fel: {message}", err=True)
    sys.exit(2)


# ---------------------------------------------------------------- --db


def require_kb_db(db_path: Path) -> Path:
    """Exit 2 with the reason unless db_path is a Samverkan KB db this version reads."""
    try:
        check_kb_database(db_path)
    except DatabaseProblem as exc:
        fail(str(exc))
    return db_path


def _readable_db(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    return value if ctx.resilient_parsing else require_kb_db(value)


def _replaceable_db(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    problem = None if ctx.resilient_parsing else replaceable_problem(value)
    if problem:
        fail(problem)
    return value


def _db(callback: Callable | None, help_text: str) -> Callable:
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_DB,
        show_default=True,
        callback=callback,
        help=help_text,
    )


db_option = _db(_readable_db, "Databasen som läses: en Samverkan KB-databas byggd med `kb build`.")
db_target_option = _db(
    _replaceable_db,
    "Databasen som byggs; ersätts i ett steg först när allt lyckats (bara en Samverkan KB-databas ersätts).",
)
db_path_option = _db(None, "Databasen som läses: en Samverkan KB-databas byggd med `kb build`.")


# ---------------------------------------------------------------- the data dir of a db

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Mappen med databasens källfiler (omgångarnas rensade svar och forums.yml). Standard: ingest/data "
    "för standarddatabasen, annars mappen DB-data bredvid --db (t.ex. /tmp/x-data för /tmp/x.db).",
)


def _is_default(db_path: Path) -> bool:
    return Path(db_path).resolve() == DEFAULT_DB.resolve()


def data_dir_of(db_path: Path, data_dir: Path | None = None) -> Path:
    """The folder a db's source files belong in; exit 2 on a combination that would split db and sources."""
    repository = REPOSITORY_DATA.resolve()
    if _is_default(db_path):
        if data_dir is not None and Path(data_dir).resolve() != repository:
            fail(
                f"--data-dir {data_dir} går inte med standarddatabasen {DEFAULT_DB}: den byggs alltid från "
                f"{REPOSITORY_DATA}, annars glömmer nästa `kb build` omgången. Ange också --db för en provkörning."
            )
        return REPOSITORY_DATA
    if data_dir is None:
        db_path = Path(db_path)
        folder = db_path.with_name(f"{db_path.stem}-data")
        if folder.exists() and not folder.is_dir():
            fail(f"{folder} (databasens datamapp) är en fil: flytta den eller ange en annan mapp med --data-dir")
        return folder
    if Path(data_dir).resolve() == repository:
        fail(
            f"--data-dir {data_dir} hör till standarddatabasen {DEFAULT_DB}: en körning med --db {db_path} "
            "skriver aldrig i förrådet. Utelämna --data-dir eller ange en annan mapp."
        )
    return Path(data_dir)


def data_dir_for(db_path: Path, data_dir: Path | None = None) -> Path:
    """Where a build of db_path reads its source files: its data dir, or ingest/data while it has none."""
    folder = data_dir_of(db_path, data_dir)
    if folder.is_dir():
        return folder
    if data_dir is not None:
        fail(f"mappen {data_dir} (--data-dir) finns inte")
    return REPOSITORY_DATA


def forums_file_in(folder: Path) -> Path:
    """The forum registry of a data dir."""
    return folder / FORUMS_NAME


@contextlib.contextmanager
def writable_data_dir(db_path: Path, data_dir: Path | None = None) -> Iterator[Path]:
    """The data dir a command stores source files in; a new or empty one starts as a copy of ingest/data.

    If the body fails, what was created here is removed again, so bad input leaves nothing behind.
    """
    folder = data_dir_of(db_path, data_dir)
    created = not folder.exists()
    copied: list[Path] = []
    if created or (folder != REPOSITORY_DATA and not any(folder.iterdir())):
        folder.mkdir(parents=True, exist_ok=True)
        for item in sorted(REPOSITORY_DATA.iterdir()):
            if item.is_dir() and (item.name.isdigit() or item.name == "civilsamhalle"):
                copied.append(Path(shutil.copytree(item, folder / item.name)))
            elif item.name == FORUMS_NAME:
                copied.append(Path(shutil.copyfile(item, folder / item.name)))
    try:
        yield folder
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        for path in copied if not created else ():
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- files the user names


def _new_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A file to write: refuse an existing one unless --force, and a folder that does not exist."""
    if value is None or ctx.resilient_parsing or str(value) == "-":
        return value
    if value.exists() and not ctx.params.get("force"):
        fail(f"{value} finns redan: ange --force för att skriva över den")
    if not value.parent.is_dir():
        fail(f"mappen {value.parent} finns inte: skapa den först eller välj en annan sökväg för {value.name}")
    return value


force_option = click.option(
    "--force", is_flag=True, is_eager=True, help="Skriv över filen om den redan finns."
)


def output_argument(name: str = "path", **kwargs: Any) -> Callable:
    """An argument naming a file the command writes, with --force; an existing file needs --force."""

    def decorate(function: Callable) -> Callable:
        function = click.argument(
            name, type=click.Path(dir_okay=False, path_type=Path), callback=_new_file, **kwargs
        )(function)
        return force_option(function)

    return decorate


def output_option(*declarations: str, help: str, **kwargs: Any) -> Callable:  # noqa: A002 - click's name
    """An option naming a file the command writes (e.g. -o/--output), with --force."""

    def decorate(function: Callable) -> Callable:
        function = click.option(
            *declarations, type=click.Path(dir_okay=False, path_type=Path), callback=_new_file, help=help, **kwargs
        )(function)
        return force_option(function)

    return decorate
