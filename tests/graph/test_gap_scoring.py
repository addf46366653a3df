"""score_goals (type delmal) on a three-department toy round, every field worked out by hand."""

from __future__ import annotations

import math

import pytest

from kb.graph.gap_model import Incidence, Relevance
from kb.graph.gap_scoring import score_goals


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
