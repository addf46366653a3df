"""Shared fixtures: a fresh build in a temporary folder, and a hand-made response fixture."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from kb.core.db import open_db
from kb.pipeline import build


@pytest.fixture(autouse=True)
def _local_coder_map(tmp_path, monkeypatch):
    """Issue 15: tests never write the coder-name mapping into the repository."""
    monkeypatch.setenv("KB_CODER_MAP", str(tmp_path / "granskare.local.yml"))


@pytest.fixture(scope="session")
def built_db_path(tmp_path_factory) -> Path:
    """A database built from the repository's ingest/ files."""
    path = tmp_path_factory.mktemp("build") / "samverkan.db"
    build(path)
    return path


@pytest.fixture
def built_db(built_db_path, tmp_path) -> sqlite_utils.Database:
    """A private, writable copy of the built database."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(built_db_path.read_bytes())
    return open_db(copy)
