"""score_goals (type delmal) on a three-department toy round, every field worked out by hand."""

from __future__ import annotations

import math

import pytest

from kb.graph.gap_model import Forums, Incidence, Relevance
from kb.graph.gap_scoring import score_category_form, score_category_goal, score_goals


def test_score_goals_by_hand():
    """d1, d2 work with c1, d3 with c2; d1 reports g1; d1, d2 report g3; nobody g2.

    g1 (relevance 3; c1 3, c2 1): foothold d1 1 (reports it), d2 3/3 = 1 (via c1), d3 1/3 (via c2);
      actionability (1 + 1 + 1/3) / 3 = 7/9, shortfall 1 - 1/3 = 2/3, score 3 * 2/3 * sqrt(7/9);
      brokers d2 then d3, key category c1, key reach 1 (d2: 1 * 3 >= 3).
    g2 (relevance 2; c1 2, c2 missing = 0): foothold d1 = d2 = 2/3, d3 0; actionability 4/9, shortfall 1,
      score 2 * 1 * 2/3; brokers d1, d2 (tie: reference order), key reach 2.
    g3 (relevance 0): no gap.
    """
    inc = Incidence(
        departments=["d1", "d2", "d3"],
        categories={"c1": {"d1", "d2"}, "c2": {"d3"}},
        goals={"g1": {"d1"}, "g2": set(), "g3": {"d1", "d2"}},
        forms={},
        category_form={},
    )
    rel = Relevance(cell={("c1", "g1"): 3, ("c2", "g1"): 1, ("c1", "g2"): 2}, goal={"g1": 3, "g2": 2, "g3": 0},
                    form={})
    result = score_goals(inc, rel)
    assert set(result) == {"g1", "g2"}
    g1, g2 = result["g1"], result["g2"]
    assert (g1["relevance"], g1["k_g"], g1["n"]) == (3, 1, 3)
    assert g1["shortfall"] == pytest.approx(2 / 3) and g1["actionability"] == pytest.approx(7 / 9)
    assert g1["score"] == pytest.approx(3 * 2 / 3 * math.sqrt(7 / 9))
    assert g1["broker_list"] == ["d2", "d3"] and g1["broker_share"] == pytest.approx(2 / 3)
    assert (g1["key_categories"], g1["key_reach"], g1["forum_cover"], g1["forums"]) == (["c1"], 1, None, [])
    assert g2["shortfall"] == 1 and g2["actionability"] == pytest.approx(4 / 9)
    assert g2["score"] == pytest.approx(2 * 1 * math.sqrt(4 / 9))
    assert g2["broker_list"] == ["d1", "d2"] and (g2["key_categories"], g2["key_reach"]) == (["c1"], 2)


# ---------------------------------------------------------------- pairs (kategori-delmal, kategori-form)
#
# Four departments. c1: d1, d2; c2: d3; c0: nobody. g1: d1, d3; g2: d1, d2, d3; g3: d2, d3, d4; g4: nobody.
# Proximity phi_gh = |D_g & D_h| / max(k_g, k_h):
#   g1-g2 = 2/3 (d1, d3 of max 3), g1-g3 = 1/3 (d3 of max 3), g2-g3 = 2/3 (d2, d3 of max 3), anything-g4 = 0.
# c reaches h when x_ch > 0 and x_ch * n >= k_c * k_h (at least the share expected if independent):
#   c1-g1: x 1, 1 * 4 = 4 >= 2 * 2 = 4, exactly the expected share: reaches (the boundary);
#   c1-g2: x 2, 8 >= 2 * 3 = 6: reaches; c1-g3: x 1 but 4 < 2 * 3 = 6: does not; c1-g4: x 0: does not;
#   c2 (k 1) reaches g1, g2, g3 (x 1, 4 >= 1 * k_h); c0: x 0 everywhere, although 0 * 4 >= 0 * k_h: nothing.
# Forums: "fb" covers category c2, "fa" covers goal area g3.
PAIR_INC = Incidence(
    departments=["d1", "d2", "d3", "d4"],
    categories={"c1": {"d1", "d2"}, "c2": {"d3"}, "c0": set()},
    goals={"g1": {"d1", "d3"}, "g2": {"d1", "d2", "d3"}, "g3": {"d2", "d3", "d4"}, "g4": set()},
    forms={},
    category_form={},
)
# c2-g1 has relevance 0 and c2-g4, c0-g2..g4 have no cell at all (a missing cell is not relevant): not scored.
PAIR_REL = Relevance(
    cell={("c1", "g1"): 2, ("c1", "g2"): 1, ("c1", "g3"): 3, ("c1", "g4"): 1, ("c2", "g1"): 0, ("c2", "g2"): 1,
          ("c2", "g3"): 2, ("c0", "g1"): 1},
    goal={}, form={},
)
PAIR_FORUMS = Forums(labels={"fa": "Forum A", "fb": "Forum B"}, categories={"fb": {"c2"}}, goals={"fa": {"g3"}})


def test_pairs_scored_are_exactly_those_with_relevance_above_zero():
    assert set(score_category_goal(PAIR_INC, PAIR_REL)) == {
        ("c1", "g1"), ("c1", "g2"), ("c1", "g3"), ("c1", "g4"), ("c2", "g2"), ("c2", "g3"), ("c0", "g1")
    }


def test_pair_at_exactly_the_expected_share_by_hand():
    """c1-g1: x = 1 = E = 2 * 2 / 4, so lift 1, and c1 counts as reaching g1 for the density of other pairs."""
    scores = score_category_goal(PAIR_INC, PAIR_REL)
    p = scores["c1", "g1"]
    assert (p["k_c"], p["k_other"], p["x"], p["n"], p["relevance"]) == (2, 2, 1, 4, 2)
    assert p["expected"] == pytest.approx(1.0) and p["lift"] == pytest.approx(1.0)
    assert p["shortfall"] == pytest.approx(0.5)  # 1 - 1 / min(2, 2)
    assert p["broker_set"] == {"d2", "d3"} and p["broker_share"] == pytest.approx(0.5)  # {d1,d2} | {d1,d3} - {d1}
    # density over h != g1: c1 reaches g2 (phi 2/3), not g3 (1/3, under-represented) nor g4 (0): (2/3) / 1
    assert p["relatedness_density"] == pytest.approx(2 / 3)
    assert p["actionability"] == pytest.approx((0.5 + 2 / 3) / 2) and p["forum_cover"] is None
    assert p["score"] == pytest.approx(2 * 0.5 * math.sqrt(7 / 12))
    assert p["forums"] == [] and p["in_row"] == {"d1", "d2"}
    # c1-g2: density over g1 (reached at the boundary, phi 2/3), g3 (not reached, 2/3), g4 (0): (2/3) / (4/3);
    # lift x / E = 2 / 1.5; shortfall 1 - 2 / min(2, 3) = 0, so the score is 0 although the pair is listed
    p = scores["c1", "g2"]
    assert p["relatedness_density"] == pytest.approx(1 / 2) and p["lift"] == pytest.approx(4 / 3)
    assert p["shortfall"] == 0 and p["score"] == 0


def test_under_represented_pair_covered_by_a_forum_by_hand():
    """c1-g3 with the forum registry: only d2 does both, fewer than expected; Forum A covers g3."""
    scores = score_category_goal(PAIR_INC, PAIR_REL, PAIR_FORUMS)
    p = scores["c1", "g3"]
    assert (p["k_c"], p["k_other"], p["x"]) == (2, 3, 1)
    assert p["expected"] == pytest.approx(1.5) and p["lift"] == pytest.approx(2 / 3)  # E = 2 * 3 / 4
    assert p["shortfall"] == pytest.approx(0.5)  # 1 - 1 / min(2, 3)
    assert p["broker_set"] == {"d1", "d3", "d4"} and p["broker_share"] == pytest.approx(0.75)
    # density over h != g3: c1 reaches g1 (phi 1/3, at the boundary) and g2 (2/3), not g4 (0): 1 / 1
    assert p["relatedness_density"] == pytest.approx(1.0)
    assert p["forums"] == ["fa"] and p["forum_cover"] == 1.0
    assert p["actionability"] == pytest.approx((0.75 + 1 + 1) / 3)
    assert p["score"] == pytest.approx(3 * 0.5 * math.sqrt(11 / 12))
    # c2-g3: Forum B covers the category and Forum A the goal area: both, sorted; x 1 > E 3/4, lift 4/3
    p = scores["c2", "g3"]
    assert p["forums"] == ["fa", "fb"] and p["forum_cover"] == 1.0 and p["lift"] == pytest.approx(4 / 3)
    # c1-g1 is covered by no forum: cover 0, and it still counts in the mean (a third part)
    p = scores["c1", "g1"]
    assert p["forums"] == [] and p["forum_cover"] == 0.0
    assert p["actionability"] == pytest.approx((0.5 + 2 / 3 + 0) / 3)
    assert p["score"] == pytest.approx(2 * 0.5 * math.sqrt(7 / 18))


def test_pairs_with_an_empty_side_by_hand():
    """c0 (nobody) and g4 (nobody): shortfall 1, no expected overlap, so no lift; c0 reaches nothing."""
    scores = score_category_goal(PAIR_INC, PAIR_REL, PAIR_FORUMS)
    p = scores["c0", "g1"]
    assert (p["k_c"], p["x"], p["expected"], p["lift"], p["shortfall"]) == (0, 0, 0.0, None, 1.0)
    assert p["broker_set"] == {"d1", "d3"} and p["broker_share"] == pytest.approx(0.5)
    # k_c = 0 makes x * n >= k_c * k_h true everywhere, but c0 reaches nothing with x = 0: density 0 / 1
    assert p["relatedness_density"] == 0
    assert p["actionability"] == pytest.approx((0.5 + 0 + 0) / 3) and p["score"] == pytest.approx(math.sqrt(1 / 6))
    p = scores["c1", "g4"]
    # g4 is close to no goal area (every phi with g4 is 0): density 0 by definition, not a division by zero
    assert (p["k_other"], p["lift"], p["shortfall"], p["relatedness_density"]) == (0, None, 1.0, 0.0)
    assert p["actionability"] == pytest.approx((0.5 + 0 + 0) / 3)  # brokers d1, d2 of 4


def test_proximity_divides_by_the_larger_goal_area():
    """g1: d1, d2, d3; g2: everybody; g3: d2. c (d3, d4) reaches g2 (x 2, 2 * 4 >= 2 * 4), not g3 (x 0).

    phi(g1, g2) = 3 / max(3, 4) = 3/4 and phi(g1, g3) = 1 / max(3, 1) = 1/3: density of c-g1 =
    (3/4) / (3/4 + 1/3) = 9/13 (dividing by the smaller side would give 1 / (1 + 1) = 1/2).
    """
    inc = Incidence(departments=["d1", "d2", "d3", "d4"], categories={"c": {"d3", "d4"}},
                    goals={"g1": {"d1", "d2", "d3"}, "g2": {"d1", "d2", "d3", "d4"}, "g3": {"d2"}}, forms={},
                    category_form={})
    p = score_category_goal(inc, Relevance(cell={("c", "g1"): 1}, goal={}, form={}))["c", "g1"]
    assert p["relatedness_density"] == pytest.approx(9 / 13)
    # x 1 (d3) of E 2 * 3 / 4 = 1.5; shortfall 1 - 1 / min(2, 3); brokers d1, d2, d4 of 4
    assert (p["x"], p["expected"], p["shortfall"], p["broker_share"]) == (1, 1.5, 0.5, 0.75)
    assert p["actionability"] == pytest.approx((3 / 4 + 9 / 13) / 2)
    assert p["score"] == pytest.approx(1 * 0.5 * math.sqrt(75 / 104))


def test_a_round_without_departments_scores_nothing_above_zero():
    """n = 0 (e.g. leaving out the only department): no expected overlap, no brokers, score 0."""
    inc = Incidence(departments=[], categories={"c": set()}, goals={"g": set()}, forms={"f": set()},
                    category_form={})
    rel = Relevance(cell={("c", "g"): 2}, goal={"g": 2}, form={("c", "f"): 2})
    p = score_category_goal(inc, rel)["c", "g"]
    assert (p["expected"], p["lift"], p["shortfall"], p["broker_share"], p["actionability"]) == (0.0, None, 1.0, 0.0,
                                                                                                  0.0)
    assert p["score"] == 0
    p = score_category_form(inc, rel)["c", "f"]
    assert (p["expected"], p["broker_share"], p["score"]) == (0.0, 0.0, 0)
    g = score_goals(inc, rel)["g"]
    assert (g["shortfall"], g["actionability"], g["broker_share"], g["score"]) == (1.0, 0.0, 0.0, 0)


def test_direct_links_count_only_the_linked_pair():
    """With direct links x counts them: c-g1 linked by d1 only, c-g2 not linked at all (x 0, no error)."""
    inc = Incidence.from_rows(["d1", "d2"], ["c"], ["g1", "g2"], ["f"], [("d1", "c", "f"), ("d2", "c", "f")],
                              [("d1", "g1"), ("d2", "g1"), ("d1", "g2")], category_goal_links=[("d1", "c", "g1")])
    rel = Relevance({("c", "g1"): 2, ("c", "g2"): 2}, {}, {})
    scores = score_category_goal(inc, rel)
    # c-g1: x 1 (inferred would be 2), E = 2 * 2 / 2 = 2; shortfall 1 - 1/2; c-g2: x 0, E = 2 * 1 / 2 = 1
    assert (scores["c", "g1"]["x"], scores["c", "g1"]["expected"], scores["c", "g1"]["shortfall"]) == (1, 2.0, 0.5)
    assert (scores["c", "g2"]["x"], scores["c", "g2"]["expected"], scores["c", "g2"]["shortfall"]) == (0, 1.0, 1.0)


def test_category_form_by_hand():
    """c1 (d1, d2) uses f1 (d1) and f2 (d2 with c1, d3 with c2); nobody uses f3. Forum A covers f3.

    c1-f1: x 1, k_f 1, E 2 * 1 / 3; c1-f3: x 0, k_f 0, shortfall 1, brokers d1, d2; c1-f2 has relevance 0
    and c2-f1 no cell: neither scored. Proximity f1-f2 = 0 / 2, f2-f3 = 0: no density anywhere.
    """
    inc = Incidence(
        departments=["d1", "d2", "d3"],
        categories={"c1": {"d1", "d2"}, "c2": {"d3"}},
        goals={},
        forms={"f1": {"d1"}, "f2": {"d2", "d3"}, "f3": set()},
        category_form={("c1", "f1"): {"d1"}, ("c1", "f2"): {"d2"}, ("c2", "f2"): {"d3"}},
    )
    rel = Relevance(cell={}, goal={}, form={("c1", "f1"): 1, ("c1", "f2"): 0, ("c1", "f3"): 3, ("c2", "f3"): 2})
    forums = Forums(labels={"fa": "Forum A"}, forms={"fa": {"f3"}})
    scores = score_category_form(inc, rel, forums)
    assert set(scores) == {("c1", "f1"), ("c1", "f3"), ("c2", "f3")}
    p = scores["c1", "f1"]
    assert (p["x"], p["k_c"], p["k_other"], p["forum_cover"], p["forums"]) == (1, 2, 1, 0.0, [])
    assert p["expected"] == pytest.approx(2 / 3) and p["lift"] == pytest.approx(1.5)
    p = scores["c1", "f3"]
    assert (p["x"], p["k_other"], p["shortfall"], p["lift"], p["forum_cover"], p["forums"]) == (0, 0, 1.0, None, 1.0,
                                                                                                ["fa"])
    assert p["broker_set"] == {"d1", "d2"} and p["relatedness_density"] == 0
    assert p["actionability"] == pytest.approx((2 / 3 + 0 + 1) / 3)
    assert p["score"] == pytest.approx(3 * 1 * math.sqrt(5 / 9))


def test_score_goals_with_a_forum_covering_a_goal_by_hand():
    """Departments in reference order db, da, dc, dd. c1: db; c2: da, dc; dd works with no category.

    g1 (relevance 3; c1 3, c2 1), reported by dc; Forum A covers it. Footholds: dc 1 (reports it), db 3/3 = 1,
      da 1/3, dd 0 (no partner category): mean 7/12; actionability (7/12 + 1) / 2 = 19/24; shortfall 3/4;
      brokers strongest first: db, da; key category c1, key reach 1 (db).
    g2 (relevance 1; c1 1, c2 1), nobody reports it, no forum: footholds db, da, dc 1/3, dd 0: mean 1/4;
      actionability (1/4 + 0) / 2 = 1/8; brokers tied at 1/3, so in reference order db, da, dc;
      key categories c1 and c2 (best 1), key reach 3.
    g4 (relevance 1; c1 0, c2 0), reported by dd: no category is relevant, so no key category, key reach 0,
      no broker; mean foothold 1/4, actionability 1/8, shortfall 3/4.
    g5 has no goal relevance at all: not scored.
    """
    inc = Incidence(
        departments=["db", "da", "dc", "dd"],
        categories={"c1": {"db"}, "c2": {"da", "dc"}},
        goals={"g1": {"dc"}, "g2": set(), "g4": {"dd"}, "g5": set()},
        forms={},
        category_form={},
    )
    rel = Relevance(cell={("c1", "g1"): 3, ("c2", "g1"): 1, ("c1", "g2"): 1, ("c2", "g2"): 1, ("c1", "g4"): 0,
                          ("c2", "g4"): 0},
                    goal={"g1": 3, "g2": 1, "g4": 1}, form={})
    forums = Forums(labels={"fa": "Forum A"}, goals={"fa": {"g1"}})
    result = score_goals(inc, rel, forums)
    assert set(result) == {"g1", "g2", "g4"}
    g1, g2, g4 = result["g1"], result["g2"], result["g4"]
    assert (g1["forums"], g1["forum_cover"], g1["k_g"], g1["shortfall"]) == (["fa"], 1.0, 1, 0.75)
    assert g1["actionability"] == pytest.approx(19 / 24)
    assert g1["score"] == pytest.approx(3 * 0.75 * math.sqrt(19 / 24))
    assert (g1["broker_list"], g1["key_categories"], g1["key_reach"]) == (["db", "da"], ["c1"], 1)
    assert g1["broker_share"] == pytest.approx(0.5)
    assert (g2["forums"], g2["forum_cover"], g2["shortfall"]) == ([], 0.0, 1.0)
    assert g2["actionability"] == pytest.approx(1 / 8) and g2["score"] == pytest.approx(1 * 1 * math.sqrt(1 / 8))
    assert (g2["broker_list"], g2["key_categories"], g2["key_reach"]) == (["db", "da", "dc"], ["c1", "c2"], 3)
    assert (g4["key_categories"], g4["key_reach"], g4["broker_list"]) == ([], 0, [])
    assert g4["actionability"] == pytest.approx(1 / 8) and g4["score"] == pytest.approx(0.75 * math.sqrt(1 / 8))
