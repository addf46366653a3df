"""Fixtures for the publication tests: the published db, a demo db with response rows and coordinates,
and Datasette instances configured exactly as `kb serve` runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.forums import load_forums
from kb.core.db import open_db
from kb.graph.store import write_graph_tables
from kb.publish.forums import write_forums
from kb.publish.publication import enable_search
from kb.publish.serve import make_datasette

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture(scope="session")
def publish_db_path(built_db_path) -> Path:
    """The database as published: a fresh build of the repository (forums, verify findings, search included)."""
    return built_db_path


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory, built_db_path) -> Path:
    """The build with the test forum registry (forums with coordinates, marked as test data) in place of the
    seeded one, and the graph and search tables rewritten to match."""
    path = tmp_path_factory.mktemp("demo") / "samverkan.db"
    shutil.copyfile(built_db_path, path)
    db = open_db(path)
    with db.conn:
        write_forums(db, load_forums(FIXTURES / "forums_with_coordinates.yml"))
    write_graph_tables(db)
    enable_search(db)
    db.conn.commit()
    db.conn.execute("VACUUM")
    db.close()
    return path


@pytest.fixture(scope="session")
def ds(publish_db_path):
    return make_datasette(publish_db_path)


@pytest.fixture(scope="session")
def demo_ds(demo_db_path):
    return make_datasette(demo_db_path)


@pytest.fixture(scope="session")
def loop():
    """One event loop for every Datasette request of the session (Datasette's locks bind to a loop)."""
    import asyncio

    event_loop = asyncio.new_event_loop()
    yield event_loop
    event_loop.close()


@pytest.fixture(scope="session")
def get(loop):
    """get(ds, path, **kwargs) -> httpx.Response through Datasette's test client."""

    def fetch(datasette, path, **kwargs):
        return loop.run_until_complete(datasette.client.get(path, **kwargs))

    return fetch
