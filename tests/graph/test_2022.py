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


def test_social_enterprises_rank_as_the_readme_says(conn):
    """README: Socialt företag x God hushållning and x Cirkulär ekonomi rank 1 and 2 of kategori-delmal
    (Cirkulär ekonomi ranging 1-8 with one department left out); x Partnerskap/IOP and x Avtal/kontrakt
    lead kategori-form."""
    top = read_gaps(conn, 2022, "kategori-delmal", top=2)
    assert [(r["category_id"], r["goal_area_id"]) for r in top] == [
        ("socialt-foretag", "god-hushallning"), ("socialt-foretag", "cirkular-ekonomi")]
    assert (top[1]["rank_min"], top[1]["rank_max"], top[1]["rank_dropouts"]) == (1, 8, 1)
    forms = read_gaps(conn, 2022, "kategori-form", top=2)
    assert [(r["category_id"], r["form_id"]) for r in forms] == [
        ("socialt-foretag", "partnerskap-overenskommelse-iop"), ("socialt-foretag", "avtal-kontrakt")]


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
