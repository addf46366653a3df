"""The core tables and the report views (schema.sql, views.sql beside this module)."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from kb.core.db import mark_kb_database

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
VIEWS_SQL = Path(__file__).with_name("views.sql")


def create_schema(db: sqlite_utils.Database) -> None:
    """Create the core tables and the report views in an empty database, stamped as a Samverkan KB db."""
    mark_kb_database(db.conn)
    db.conn.executescript(SCHEMA_SQL.read_text(encoding="utf-8"))
    db.conn.executescript(VIEWS_SQL.read_text(encoding="utf-8"))
