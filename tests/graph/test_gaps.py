"""Every gap type on the hand-made fixture, where the answer is computed by hand, and the statistics."""

import math

import pytest

from kb.graph.gaps import (
    Incidence,
    Relevance,
    benjamini_hochberg,
    hypergeometric_z,
    jackknife_groups,
    kendall_tau_b,
    score_category_goal,
)
from kb.graph.store import read_gaps

from .conftest import ROUND, A, B, C, D


def gap(db, gap_type, **ids):
    rows = read_gaps(db.conn, ROUND, gap_type)
    found = [r for r in rows if all(r.get(k) == v for k, v in ids.items())]
    assert len(found) <= 1
    return found[0] if found else None


def test_category_goal_by_hand(fixture_db):
    # Socialt företag: C, D. Cirkulär ekonomi: A. No overlap; n = 4.
    row = gap(fixture_db, "kategori-delmal", category_id="socialt-foretag", goal_area_id="cirkular-ekonomi")
    assert (row["k_c"], row["k_g"], row["x"], row["n"]) == (2, 1, 0, 4)
    assert row["expected"] == pytest.approx(0.5) and row["lift"] == 0
    assert row["relevance"] == 3 and row["shortfall"] == 1
    assert row["broker_share"] == pytest.approx(0.75)  # C, D touch the category, A the goal
    # Cirkulär ekonomi is close only to Klimat (A reports both: 1 / max(1, 2)); Socialt företag does not
    # reach Klimat, so the relatedness density is 0.
    assert row["relatedness_density"] == 0
    assert row["actionability"] == pytest.approx(0.375)
    assert row["score"] == pytest.approx(3 * 1 * math.sqrt(0.375))
    assert row["brokers"] == [C, D, A]
    assert row["basis"] == "förvaltning"
    assert row["explanation"].startswith(
        "Förvaltningar som samverkar med Socialt företag och bidrar till Cirkulär ekonomi: 0 av 4"
    )
    assert "Tala med: Kommunstyrelseförvaltningen" in row["explanation"]
    # Nätverk (A, B, C) and Klimat (A, B): full overlap, no shortfall, no gap
    assert gap(fixture_db, "kategori-delmal", category_id="natverk", goal_area_id="klimat") is None
    # Arbetsgivare och arbetsmiljö has relevance 0: never a gap
    assert not read_gaps(fixture_db.conn, ROUND, "kategori-delmal", goal="arbetsgivare-och-arbetsmiljo")


def test_relatedness_density_by_hand():
    # g1 and g2 share both departments; c reaches g2 (x = 2 >= E = 2*2/3), so the density of (c, g1) is 1.
    inc = Incidence.from_rows(["d1", "d2", "d3"], ["c"], ["g1", "g2", "g3"], ["f"],
                              [("d1", "c", "f"), ("d2", "c", "f")],
                              [("d1", "g1"), ("d2", "g1"), ("d1", "g2"), ("d2", "g2"), ("d3", "g3")])
    rel = Relevance({("c", g): 1 for g in ("g1", "g2", "g3")}, {}, {})
    scores = score_category_goal(inc, rel)
    assert scores["c", "g1"]["relatedness_density"] == 1.0
    assert scores["c", "g3"]["relatedness_density"] == 0.0  # g3 shares no department with g1, g2
    assert scores["c", "g3"]["shortfall"] == 1.0 and scores["c", "g1"]["shortfall"] == 0.0


def test_direct_links_change_the_basis():
    inc = Incidence.from_rows(["d1", "d2"], ["c"], ["g"], ["f"], [("d1", "c", "f"), ("d2", "c", "f")],
                              [("d1", "g"), ("d2", "g")], category_goal_links=[("d1", "c", "g")])
    rel = Relevance({("c", "g"): 2}, {}, {})
    assert score_category_goal(inc, rel)["c", "g"]["x"] == 1  # inferred would be 2
    from kb.graph.gaps import category_goal_rows

    labels = {"category": {"c": "C"}, "goal_area": {"g": "G"}, "department": {"d1": "D1", "d2": "D2"}}
    (row,) = category_goal_rows(inc, rel, labels)
    assert row["basis"] == "direkt" and row["explanation"].startswith("Förvaltningar som uppger att samverkan med C")


def test_goal_by_hand(fixture_db):
    row = gap(fixture_db, "delmal", goal_area_id="livsmedelsforsorjning")
    # nobody reports it; footholds: C and D work with Socialt företag (relevance 3 -> 1), A and B only with
    # default categories (relevance 1 -> 1/3)
    assert row["shortfall"] == 1 and row["relevance"] == 3
    assert row["actionability"] == pytest.approx((1 + 1 + 1 / 3 + 1 / 3) / 4)
    assert row["score"] == pytest.approx(3 * math.sqrt(2 / 3))
    assert row["brokers"] == [C, D, A, B]
    klimat = gap(fixture_db, "delmal", goal_area_id="klimat")
    assert klimat["relevance"] == 2 and klimat["shortfall"] == 0.5
    assert klimat["score"] == pytest.approx(2 * 0.5 * math.sqrt((1 + 1 + 1 / 3 + 1 / 3) / 4))
    assert gap(fixture_db, "delmal", goal_area_id="arbetsgivare-och-arbetsmiljo") is None
    ranks = [r["goal_area_id"] for r in read_gaps(fixture_db.conn, ROUND, "delmal")]
    assert ranks.index("livsmedelsforsorjning") < ranks.index("klimat")


def test_category_form_by_hand(fixture_db):
    iop = gap(fixture_db, "kategori-form", category_id="socialt-foretag", form_id="partnerskap-overenskommelse-iop")
    assert (iop["x"], iop["k_c"], iop["k_f"], iop["shortfall"]) == (0, 2, 0, 1)
    assert iop["actionability"] == pytest.approx(0.25) and iop["score"] == pytest.approx(1.5)
    assert iop["explanation"].startswith("Formen Partnerskap/överenskommelse/IOP används aldrig med Socialt företag")
    # C uses contracts with social enterprises: a form that is used is no gap of this type, however little
    assert gap(fixture_db, "kategori-form", category_id="socialt-foretag", form_id="avtal-kontrakt") is None
    rows = list(fixture_db.query("SELECT x FROM gaps WHERE round = ? AND type = 'kategori-form'", [ROUND]))
    assert rows and all(r["x"] == 0 for r in rows)


def test_forum_and_theme_by_hand(full_fixture_db):
    db = full_fixture_db
    sf = gap(db, "forum", category_id="socialt-foretag")
    assert sf["relevance"] == 3 and sf["actionability"] == pytest.approx(3 / 5)
    assert sf["score"] == pytest.approx(3 * math.sqrt(0.6))
    assert sf["brokers"] == [D]  # works with social enterprises and sits in a forum
    assert gap(db, "forum", category_id="natverk") is None  # covered by Samverkansrådet
    assert gap(db, "forum", goal_area_id="klimat") is None
    food = gap(db, "forum", goal_area_id="livsmedelsforsorjning")
    assert food["score"] == pytest.approx(3 * math.sqrt(1 / 5))
    assert gap(db, "forum", goal_area_id="arbetsgivare-och-arbetsmiljo") is None
    # With a registry, forum cover joins the actionability of pairs: nothing covers either side here
    pair = gap(db, "kategori-delmal", category_id="socialt-foretag", goal_area_id="cirkular-ekonomi")
    assert pair["forum_cover"] == 0 and pair["actionability"] == pytest.approx(0.75 / 3)
    covered = gap(db, "kategori-delmal", category_id="natverk", goal_area_id="livsmedelsforsorjning")
    assert covered["forum_cover"] == 1 and "forum:samverkansradet" in covered["brokers"]
    themes = read_gaps(db.conn, ROUND, "tema")
    # tid: 2 of 4 difficulty statements, no development area. forum has one; resurser was rejected,
    # sekretess negated, kunskap is positive, resursfragor a group.
    assert [(t["theme_id"], t["score"]) for t in themes] == [("tid", 0.5)]
    assert "inget utvecklingsområde" in themes[0]["explanation"]


def test_no_forum_or_theme_rows_without_their_tables(fixture_db):
    types = {r["type"] for r in read_gaps(fixture_db.conn, ROUND)}
    assert "forum" not in types
    assert {"kategori-delmal", "delmal", "kategori-form"} <= types


def test_ranks_are_dense_and_ordered(fixture_db):
    for gap_type in ("kategori-delmal", "delmal", "kategori-form"):
        rows = read_gaps(fixture_db.conn, ROUND, gap_type)
        assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
        assert all(a["score"] >= b["score"] for a, b in zip(rows, rows[1:], strict=False))
        assert all(r["rank_min"] <= r["rank"] <= r["rank_max"] for r in rows)
    assert len(read_gaps(fixture_db.conn, ROUND, "kategori-delmal", top=3)) == 3


def test_stability_is_stored(fixture_db):
    rows = list(fixture_db.query("SELECT * FROM gap_stability WHERE round = ?", [ROUND]))
    assert {r["type"] for r in rows} == {"kategori-delmal", "delmal", "kategori-form"}
    for r in rows:
        assert r["runs"] == 4 and r["method"] == "lämna-en-ute"
        assert -1 <= r["tau_min"] <= r["tau_mean"] <= 1


def test_kendall_tau_b():
    assert kendall_tau_b([1, 2, 3], [1, 2, 3]) == 1
    assert kendall_tau_b([1, 2, 3], [3, 2, 1]) == -1
    # one discordant pair of three, ties corrected: (2 - 1) / 3
    assert kendall_tau_b([1, 2, 3], [1, 3, 2]) == pytest.approx(1 / 3)
    # tau-b with ties: x has a tie; C=2, D=0, ties_x=1 -> 2 / sqrt(2 * 3)
    assert kendall_tau_b([1, 1, 2], [1, 2, 3]) == pytest.approx(2 / math.sqrt(6))
    assert kendall_tau_b([1, 1], [2, 2]) is None


def test_benjamini_hochberg_and_z():
    q = benjamini_hochberg({"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.5})
    assert q == pytest.approx({"a": 0.04, "b": 0.04 * 4 / 3 * 1, "c": 0.04 * 4 / 3 * 1, "d": 0.5})
    assert hypergeometric_z(2, 6, 3, 9) == pytest.approx(0.0)
    # x = 0 with E = 2: variance 6*3*3*6 / (81 * 8) = 0.5 -> z = -2 / sqrt(0.5)
    assert hypergeometric_z(0, 6, 3, 9) == pytest.approx(-2 / math.sqrt(0.5))


def test_jackknife_groups():
    assert jackknife_groups(["a", "b"]) == [{"a"}, {"b"}]
    groups = jackknife_groups([f"d{i}" for i in range(100)])
    assert len(groups) == 20 and set().union(*groups) == {f"d{i}" for i in range(100)}
    assert groups == jackknife_groups([f"d{i}" for i in range(100)])  # seeded


def test_a_forum_whose_categories_few_departments_reach_is_a_gap_worked_by_hand():
    from kb.graph.gap_text import underused_forum_rows
    from kb.graph.gaps import Forums

    inc = Incidence.from_rows(
        departments=["d1", "d2", "d3", "d4"],
        categories=["k1", "k2", "k3"],
        goals=["g1"],
        forms=["f1"],
        collaborations=[("d1", "k1", "f1"), ("d1", "k2", "f1"), ("d2", "k2", "f1"), ("d3", "k3", "f1"),
                        ("d4", "k3", "f1"), ("d2", "k3", "f1")],
        department_goals=[],
    )
    rel = Relevance(cell={("k1", "g1"): 2, ("k2", "g1"): 1, ("k3", "g1"): 3}, goal={"g1": 3}, form={})
    labels = {"category": {"k1": "Kat 1", "k2": "Kat 2", "k3": "Kat 3"}, "department": {}, "forum": {"fa": "Forum A"}}
    forums = Forums(labels={"fa": "Forum A", "fb": "Forum B"},
                    departments={"fa": {"d1"}, "fb": {"d3", "d4"}},
                    categories={"fa": {"k1", "k2"}, "fb": {"k3"}})
    rows = underused_forum_rows(inc, rel, labels, forums)
    # fa: k1 reaches 1 of 4, k2 2 of 4 -> reach 0.375 < 0.5; relevance max(2, 1) = 2; one member department
    # fb: k3 reaches 3 of 4 -> 0.75, no gap
    assert [r["forum_id"] for r in rows] == ["fa"]
    (fa,) = rows
    assert fa["shortfall"] == pytest.approx(0.625) and fa["actionability"] == pytest.approx(2 / 5)
    assert fa["score"] == pytest.approx(2 * 0.625 * math.sqrt(2 / 5))
    assert fa["brokers"] == ["d1"] and fa["type"] == "forum"
    assert "Forumet Forum A samlar Kat 1, Kat 2" in fa["explanation"] and "1,5 av 4" in fa["explanation"]
