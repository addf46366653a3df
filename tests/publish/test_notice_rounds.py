"""The reconstruction notice names the rounds the db says are reconstructed, not a year fixed in a template."""

from __future__ import annotations

import shutil
import sqlite3

from kb.publish.plugin import swedish_list
from kb.publish.serve import make_datasette


def test_swedish_list():
    assert swedish_list([2022]) == "2022"
    assert swedish_list([2022, 2023]) == "2022 och 2023"
    assert swedish_list([2021, 2022, 2023]) == "2021, 2022 och 2023"
    assert swedish_list([]) == ""


def test_notice_follows_the_dbs_rounds(tmp_path, built_db_path, get):
    path = tmp_path / "other.db"
    shutil.copy(built_db_path, path)
    with sqlite3.connect(path) as conn:  # the reconstructed rows moved to another round (no foreign keys on)
        conn.execute("UPDATE responses SET round = 2031 WHERE source_id LIKE 'rekonstruktion-%'")
    text = get(make_datasette(path), "/samverkan/collaborations").text
    assert "Svarsraderna för 2031 är en rekonstruktion" in text
    assert "Svarsraderna för 2022" not in text
    about = get(make_datasette(path), "/om").text
    assert "Svarsraderna 2031</strong> är en rekonstruktion" in about and "Svarsraderna 2022" not in about
    text = get(make_datasette(built_db_path), "/samverkan/collaborations").text
    assert "Svarsraderna för 2022 är en rekonstruktion" in text
