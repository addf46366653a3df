"""`kb serve --db PATH`: the file is published as the database `samverkan` whatever its filename."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.forums import FORUMS_FILE, load_forums
from kb.publish.serve import DATABASE_NAME, datasette_args, make_datasette, published_path


@pytest.fixture(scope="module")
def renamed_db(publish_db_path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("renamed") / "kb.db"
    shutil.copyfile(publish_db_path, path)
    return path


@pytest.mark.parametrize(
    "path", ["/", "/samverkan", "/samverkan/forums", "/samverkan/tabell_1", "/diagram", "/natverk"]
)
def test_a_differently_named_file_is_published_as_samverkan(renamed_db, get, path):
    ds = make_datasette(renamed_db)
    response = get(ds, path)
    assert response.status_code == 200, response.text[:300]


def test_the_renamed_database_is_immutable_and_downloadable_as_samverkan_db(renamed_db, get):
    ds = make_datasette(renamed_db)
    databases = [(name, db.is_mutable) for name, db in ds.databases.items() if name != "_internal"]
    assert databases == [(DATABASE_NAME, False)]
    assert get(ds, "/samverkan.db").content == renamed_db.read_bytes()
    assert get(ds, "/kb").status_code == 404


def test_published_path_keeps_a_samverkan_db_and_links_any_other(renamed_db, publish_db_path):
    with published_path(publish_db_path) as path:
        assert path == publish_db_path
    with published_path(renamed_db) as path:
        assert path.name == "samverkan.db" and path.resolve() == renamed_db.resolve()
        args = datasette_args(path)
        assert args[:3] == ["serve", "-i", str(path)]
    assert not path.exists()  # the temporary link is removed when serving ends
    assert renamed_db.exists()


def test_datasette_serve_with_kb_serve_arguments_publishes_the_renamed_file(renamed_db):
    from datasette.cli import cli as datasette_cli

    with published_path(renamed_db) as path:
        arguments = [*datasette_args(path), "--get", "/samverkan/forums.json?_shape=array"]
        result = CliRunner().invoke(datasette_cli, arguments)
    assert result.exit_code == 0, result.output[:500]
    assert len(json.loads(result.output)) == len(load_forums(FORUMS_FILE))
