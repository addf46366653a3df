"""The command-line contract (issue 16), checked on every command found by walking the click tree.

Every command that opens --db refuses a missing file, a text file, an empty file, another program's SQLite
db and a db of another schema version with one Swedish line and exit 2; every command answers a bad option,
a bad value and a missing argument with click's chrome in Swedish and exit 2; every command that writes a
file the user named refuses an existing one without --force; every command that reads a file refuses a
missing or a wrong one. No case may print a traceback. The data dir, `kb serve` and the OBS notice are in
test_cli_data_dir.py.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import click
import pytest
from cli_helpers import COMMANDS, RUNNABLE, assert_usage_failure, db_param, required_args, run

from kb.core import cli_common
from kb.core.db import SCHEMA_VERSION

WITH_DB = sorted(p for p, c in RUNNABLE.items() if db_param(c) is not None)
# Commands that build (replace) the db they are given: an absent, empty or older db is fine for them.
BUILDERS = sorted(p for p in WITH_DB if db_param(RUNNABLE[p]).callback is cli_common._replaceable_db)
READERS = sorted(p for p in WITH_DB if p not in BUILDERS)
WRITERS = sorted(
    p for p, c in RUNNABLE.items() if any(getattr(x, "callback", None) is cli_common._new_file for x in c.params)
)



def test_the_tables_cover_the_commands():
    """The walk finds the commands the README lists, and the table sorts them as expected."""
    assert len(RUNNABLE) >= 20
    assert {("verify",), ("gaps",), ("breadth",), ("code",), ("code", "agreement"), ("export", "qdpx"),
            ("export", "graph"), ("export", "dcat"), ("serve",), ("import", "qdpx")} <= set(READERS)
    assert {("build",), ("reconstruct",), ("ingest", "forms")} <= set(BUILDERS)
    assert {("template", "forms"), ("template", "forums"), ("export", "qdc"), ("export", "qdpx"),
            ("export", "graph"), ("export", "dcat"), ("code", "predict")} <= set(WRITERS)


@pytest.fixture(scope="module")
def bad_dbs(tmp_path_factory, built_db_path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad-dbs")
    text = folder / "anteckningar.db"
    text.write_text("det här är ingen databas\n", encoding="utf-8")
    empty = folder / "tom.db"
    empty.touch()
    other = folder / "annan.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE kunder (namn TEXT)")
    older, newer, unversioned = (folder / f"{n}.db" for n in ("aldre", "nyare", "omarkt"))
    for path, version, application_id in ((older, SCHEMA_VERSION - 1, None), (newer, SCHEMA_VERSION + 1, None),
                                          (unversioned, 0, 0)):
        shutil.copyfile(built_db_path, path)
        with sqlite3.connect(path) as conn:
            conn.execute(f"PRAGMA user_version = {version}")
            if application_id is not None:
                conn.execute(f"PRAGMA application_id = {application_id}")
    stripped = folder / "utan-tabeller.db"
    shutil.copyfile(built_db_path, stripped)
    with sqlite3.connect(stripped) as conn:
        conn.execute("DROP TABLE rounds")
    return {"text": text, "empty": empty, "other": other, "older": older, "newer": newer,
            "unversioned": unversioned, "stripped": stripped, "missing": folder / "finns-inte.db"}


READER_CASES = {
    "missing": ("finns inte", "kb build --db"),
    "text": ("ingen SQLite-databas",),
    "empty": ("tom (0 byte)",),
    "other": ("ingen Samverkan KB-databas",),
    "older": (f"schemaversion {SCHEMA_VERSION - 1}", "kb build --db"),
    "newer": (f"schemaversion {SCHEMA_VERSION + 1}", "uppdatera kb"),
    "unversioned": ("äldre kb", "kb build --db"),
    "stripped": ("saknar tabellerna rounds",),
}


@pytest.mark.parametrize("path", READERS, ids=" ".join)
def test_a_command_reading_a_bad_db_exits_2_in_swedish(path, bad_dbs, tmp_path):
    command = RUNNABLE[path]
    for case, words in READER_CASES.items():
        db = bad_dbs[case]
        before = db.read_bytes() if db.exists() else None
        result = run([*path, "--db", db, *required_args(command, tmp_path)])
        assert_usage_failure(result, str(db), *words)
        assert (db.read_bytes() if db.exists() else None) == before, case
    assert not list(tmp_path.iterdir()), "a refused command wrote a file"


@pytest.mark.parametrize("path", BUILDERS, ids=" ".join)
def test_a_command_building_a_db_never_overwrites_another_file(path, bad_dbs, tmp_path):
    command = RUNNABLE[path]
    for case, words in {"text": ("ingen SQLite-databas",), "other": ("ingen Samverkan KB-databas",)}.items():
        db = bad_dbs[case]
        before = db.read_bytes()
        result = run([*path, "--db", db, *required_args(command, tmp_path)])
        assert_usage_failure(result, str(db), *words, "välj en annan sökväg med --db")
        assert db.read_bytes() == before
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: " ".join(p) or "kb")
def test_a_bad_option_gets_swedish_usage_chrome(path):
    result = run([*path, "--finns-inte"])
    assert_usage_failure(
        result, f"Användning: kb {' '.join(path)}".rstrip(), f"Skriv 'kb {' '.join(path)} --help' för hjälp.".replace(
            "kb  --help", "kb --help"), "Flaggan '--finns-inte' finns inte."
    )


NUMBER_OPTIONS = sorted(
    (p, o.opts[0], "decimaltal" if isinstance(o.type, click.types.FloatParamType) else "heltal")
    for p, c in RUNNABLE.items() for o in c.params
    if isinstance(o, click.Option) and isinstance(o.type, click.types._NumberParamTypeBase)
)


@pytest.mark.parametrize(
    ("path", "option", "number"), NUMBER_OPTIONS, ids=lambda v: v if isinstance(v, str) else " ".join(v)
)
def test_a_bad_value_gets_a_swedish_message(path, option, number, tmp_path):
    result = run([*path, option, "tjugo", *required_args(RUNNABLE[path], tmp_path, skip=option)])
    assert_usage_failure(result, f"Ogiltigt värde för '{option}': 'tjugo' är inte ett giltigt {number}.")


@pytest.mark.parametrize(
    "path", sorted(p for p, c in RUNNABLE.items() if any(isinstance(x, click.Argument) for x in c.params)),
    ids=" ".join,
)
def test_a_missing_argument_gets_a_swedish_message(path):
    result = run(list(path))
    assert_usage_failure(result, "Argument saknas: '")


def test_an_unknown_command_and_a_bad_choice_are_swedish():
    assert_usage_failure(run(["verifiera"]), "Kommandot 'verifiera' finns inte.", "Användning: kb [FLAGGOR] KOMMANDO")
    assert_usage_failure(run(["export", "grafen"]), "Kommandot 'grafen' finns inte.")
    assert_usage_failure(run(["breadth", "--by", "kommun"]),
                         "Ogiltigt värde för '--by': 'kommun' är inte något av 'department'")
    assert_usage_failure(run(["verify", "--round"]), "Flaggan '--round' kräver ett värde.")
    assert_usage_failure(run(["serve", "--port", "70000"]), "70000 ligger utanför intervallet")


@pytest.mark.parametrize("path", WRITERS, ids=" ".join)
def test_an_existing_output_file_needs_force(path, tmp_path):
    command = RUNNABLE[path]
    target = tmp_path / "finns.xlsx"
    target.write_text("viktigt\n", encoding="utf-8")
    output = next(p for p in command.params if getattr(p, "callback", None) is cli_common._new_file)
    if isinstance(output, click.Argument):
        others = [a for a in required_args(command, tmp_path) if a != str(tmp_path / f"ny-{output.name}.xlsx")]
        args = [*path, target, *others]
    else:
        args = [*path, *required_args(command, tmp_path), output.opts[0], target]
    result = run(args)
    assert_usage_failure(result, f"{target} finns redan", "--force")
    assert target.read_text(encoding="utf-8") == "viktigt\n"
    missing_folder = tmp_path / "saknas" / "ny.xlsx"
    result = run([missing_folder if a == target else a for a in args])
    assert_usage_failure(result, "mappen", "finns inte")


@pytest.mark.parametrize(("path", "name"), [(("template", "forms"), "mall.xlsx"), (("template", "forums"), "f.yml"),
                                            (("export", "qdc"), "kodbok.qdc")])
def test_force_overwrites(path, name, tmp_path):
    target = tmp_path / name
    target.write_text("gammal\n", encoding="utf-8")
    result = run([*path, target, "--force"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() != b"gammal\n"


@pytest.mark.parametrize("path", sorted(RUNNABLE), ids=" ".join)
def test_help_says_where_a_command_reads_and_writes_in_swedish(path):
    result = run([*path, "--help"])
    assert result.exit_code == 0
    assert "Läser" in result.output and "Skriver" in result.output, result.output
    assert "[OPTIONS]" not in result.output and "Options:" not in result.output
    options = result.output.split("Flaggor:")[1]
    for english in (" FILE", " DIRECTORY", " INTEGER", "default:"):
        assert english not in options, (english, options)


INPUT_COMMANDS = sorted(
    p for p, c in RUNNABLE.items()
    if any(isinstance(x, click.Argument) and x.callback is not cli_common._new_file for x in c.params)
)


@pytest.mark.parametrize("path", INPUT_COMMANDS, ids=" ".join)
def test_a_missing_or_wrong_input_file_exits_2_in_swedish(path, tmp_path, built_db_path):
    """The file a command reads: missing, or a text file that is not the expected format."""
    assert INPUT_COMMANDS, "no command reads a file"
    command = RUNNABLE[path]
    db = tmp_path / "kopia.db"
    shutil.copyfile(built_db_path, db)
    db_args = ["--db", db] if db_param(command) is not None else []
    notes = tmp_path / "anteckningar.txt"
    notes.write_text("det här är ingen indatafil\n", encoding="utf-8")
    for given, words in ((tmp_path / "finns-inte.csv", ("finns inte",)), (notes, ())):
        args = [given if a.startswith(str(tmp_path / "ny-")) else a for a in required_args(command, tmp_path)]
        result = run([*path, *args, *db_args])
        assert_usage_failure(result, str(given.name), *words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["anteckningar.txt", "kopia.db"], "a refused run wrote"


def test_a_db_of_an_older_schema_version_is_stale_and_rebuilt(bad_dbs, tmp_path):
    """`make serve` and `kb build --if-stale` rebuild a db an older kb built, instead of refusing it."""
    from kb.survey.build import is_stale

    copy = tmp_path / "aldre.db"
    shutil.copyfile(bad_dbs["older"], copy)
    assert is_stale(copy)
    result = run(["build", "--db", copy, "--if-stale"])
    assert result.exit_code == 0 and "Byggde" in result.output, result.output
    assert not is_stale(copy)
    assert run(["verify", "--db", copy]).exit_code == 0


def test_the_catalogue_covers_every_message_click_shows_a_user():
    """Scan click's sources for gettext calls: a click upgrade that adds a user-facing message fails here."""
    import ast

    from kb.core.click_sv import PLURAL, SINGULAR

    developer_only = {  # raised at definition time or shown only to developers, never to a `kb` user
        "Could not determine name for option with declarations {decls!r}",
        "Arguments take exactly one parameter declaration, got {length}: {decls}.",
        "Name '{name}' defined twice",
        "Boolean option {decl!r} cannot use the same flag for true/false.",
        "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? Did you "
        "mean to pass '--{name}'?",
        "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
        "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}",
        "Choice({choices})", "%(prog)s, version %(version)s",
    }
    folder = Path(click.__file__).parent
    missing = []
    for name in ("core.py", "exceptions.py", "parser.py", "types.py", "formatting.py", "decorators.py"):
        for node in ast.walk(ast.parse((folder / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                texts = tuple(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
                if node.func.id == "_" and texts and texts[0] not in SINGULAR and texts[0] not in developer_only:
                    missing.append(texts[0])
                if node.func.id == "ngettext" and texts[:2] not in PLURAL:
                    missing.append(texts[:2])
    assert not missing, f"click messages without a Swedish translation in kb/core/click_sv.py: {missing}"
