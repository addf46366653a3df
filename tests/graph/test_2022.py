"""The 2022 expectations of the issue, on the repository's build (reconstructed responses).

With n = 9 the delmal ranking is driven by Table 6's published counts; the category-goal ranking
depends on the reconstruction, which is consistent with the report but not the actual answers.
"""

import sqlite3

import pytest

from kb.graph.store import read_gaps

FIVE = {"livsmedelsforsorjning", "hallbar-bebyggelsestruktur", "hallbar-infrastruktur", "cirkular-ekonomi",
        "god-hushallning"}


@pytest.fixture(scope="module")
def conn(graph_db_path):
    conn = sqlite3.connect(graph_db_path)
    assert conn.execute("SELECT COUNT(*) FROM gaps WHERE round = 2022").fetchone()[0], "no 2022 gaps in the build"
    return conn


def test_social_enterprises_and_circular_economy_in_top_ten(conn):
    top = read_gaps(conn, 2022, "kategori-delmal", top=10)
    assert ("socialt-foretag", "cirkular-ekonomi") in [(r["category_id"], r["goal_area_id"]) for r in top]


def test_the_five_goal_areas_lead(conn):
    top = read_gaps(conn, 2022, "delmal", top=5)
    assert {r["goal_area_id"] for r in top} == FIVE


def test_employer_goal_is_not_a_gap(conn):
    rows = read_gaps(conn, 2022)
    assert not [r for r in rows if r.get("goal_area_id") == "arbetsgivare-och-arbetsmiljo"]


def test_table6_counts_behind_delmal(conn):
    counts = {r["goal_area_id"]: r["k_g"] for r in read_gaps(conn, 2022, "delmal")}
    assert [counts[g] for g in ("hallbar-infrastruktur", "cirkular-ekonomi", "god-hushallning",
                                "hallbar-bebyggelsestruktur", "livsmedelsforsorjning")] == [3, 3, 3, 2, 1]
