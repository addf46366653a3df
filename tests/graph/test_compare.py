"""Issue 11: `kb compare` (kb/graph/compare.py pure functions and the command) and the publication page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.graph.compare import (
    Names,
    Snapshot,
    compare_departments,
    compare_gaps,
    compare_items,
    compare_pairs,
    theme_shares,
)
from kb.graph.lineage import lineage_graph, predecessors_in

NAMES = Names(
    department={"a": "A", "b": "B", "c": "C", "ab": "AB", "d": "D"},
    category={"k1": "Kategori 1", "k2": "Kategori 2"},
    form={"f1": "Form 1", "f2": "Form 2"},
    goal={"g1": "Mål 1"},
    theme={"t1": "Tid", "t2": "Pengar"},
    theme_kind={"t1": "svarighet", "t2": "svarighet"},
)
LINEAGE = [
    {"predecessor_id": "a", "successor_id": "ab", "kind": "merged", "round": 2024, "source_url": "u", "note": None},
    {"predecessor_id": "b", "successor_id": "ab", "kind": "merged", "round": 2024, "source_url": "u", "note": None},
]


def snapshot(round_: int, collaborations: set, departments: list[str], **extra) -> Snapshot:
    return Snapshot(round=round_, source_kind=extra.pop("kind", "enkatexport"), source_id=None,
                    round_departments=len(departments), departments=departments, collaborations=collaborations,
                    department_goals=extra.pop("goals", set()), **extra)


EARLY = snapshot(2022, {("a", "k1", "f1"), ("b", "k1", "f1"), ("b", "k2", "f2"), ("c", "k1", "f2")}, ["a", "b", "c"],
                 goals={("a", "g1"), ("c", "g1")}, theme_statements={"t1": 2}, statements_by_kind={"svarighet": 4},
                 gaps=[{"type": "kategori-form", "rank": 1, "category_id": "k2", "form_id": "f1"},
                       {"type": "kategori-form", "rank": 2, "category_id": "k2", "form_id": "f2"}])
LATE = snapshot(2024, {("ab", "k1", "f1"), ("ab", "k2", "f1"), ("d", "k2", "f1")}, ["ab", "d"],
                goals={("ab", "g1")}, theme_statements={"t1": 1, "t2": 1}, statements_by_kind={"svarighet": 2},
                gaps=[{"type": "kategori-form", "rank": 1, "category_id": "k2", "form_id": "f2"},
                      {"type": "kategori-form", "rank": 2, "category_id": "k1", "form_id": "f2"}])


def by_item(rows: list[dict]) -> dict[str, dict]:
    return {r["item_id"]: r for r in rows}


def test_a_merged_department_is_compared_with_the_union_of_its_predecessors():
    rows = by_item(compare_departments(EARLY, LATE, NAMES, LINEAGE))
    merged = rows["ab"]
    # union of a {(k1,f1)} and b {(k1,f1),(k2,f2)} is 2 pairs, not the sum 3
    assert (merged["from_value"], merged["to_value"], merged["change"]) == (2, 2, 0)
    assert merged["lineage"]["kind"] == "merged" and merged["lineage"]["predecessors"] == ["a", "b"]
    assert "unionen av A + B" in merged["lineage"]["label"]
    assert rows["d"]["from_value"] is None and rows["d"]["lineage"]["kind"] == "ny"
    assert rows["c"]["to_value"] is None and rows["c"]["lineage"]["kind"] == "upphörd"
    assert set(rows) == {"ab", "d", "c"}


def test_predecessors_follow_chains_and_a_department_in_both_rounds_is_itself():
    chain = [*LINEAGE, {"predecessor_id": "ab", "successor_id": "d", "kind": "renamed"}]
    assert predecessors_in(chain, "d", {"a", "b"}) == ({"a", "b"}, ["renamed", "merged", "merged"])
    assert predecessors_in(chain, "a", {"a", "b"}) == ({"a"}, ["same"])
    graph = lineage_graph(LINEAGE, NAMES.department)
    assert graph.edges["department:a", "department:ab"]["kind"] == "lineage"
    assert graph.edges["department:a", "department:ab"]["lineage_kind"] == "merged"


def test_items_per_category_form_goal_and_theme():
    category = by_item(compare_items(EARLY, LATE, NAMES, "category"))
    assert (category["k1"]["from_value"], category["k1"]["to_value"], category["k1"]["change"]) == (3, 1, -2)
    assert (category["k2"]["from_value"], category["k2"]["to_value"]) == (1, 2)
    form = by_item(compare_items(EARLY, LATE, NAMES, "form"))
    assert (form["f1"]["from_value"], form["f1"]["to_value"]) == (2, 3)
    goal = by_item(compare_items(EARLY, LATE, NAMES, "goal"))
    assert (goal["g1"]["from_value"], goal["g1"]["to_value"]) == (2, 1)
    themes = by_item(theme_shares(EARLY, LATE, NAMES))
    assert (themes["t1"]["from_value"], themes["t1"]["to_value"], themes["t1"]["change"]) == (50.0, 50.0, 0.0)
    assert (themes["t2"]["from_value"], themes["t2"]["to_value"]) == (0.0, 50.0)


def test_pairs_new_and_ended():
    rows = {(r["status"], r["item_id"]) for r in compare_pairs(EARLY, LATE, NAMES)}
    assert rows == {("ny", "k2|f1"), ("upphörd", "k2|f2"), ("upphörd", "k1|f2")}


def test_gaps_closed_persisted_and_appeared():
    rows = {r["item_id"]: (r["status"], r["from_value"], r["to_value"]) for r in compare_gaps(EARLY, LATE, NAMES)}
    assert rows == {
        "kategori-form|k2||f1|": ("stängd", 1, None),
        "kategori-form|k2||f2|": ("kvarstår", 2, 1),
        "kategori-form|k1||f2|": ("ny", None, 2),
    }
    # top 1: k2 x f2 leads 2024 but was a gap (rank 2) in 2022, so it did not appear; only k2 x f1 is followed
    assert [r["status"] for r in compare_gaps(EARLY, LATE, NAMES, top=1)] == ["stängd"]


def run(*args):
    return CliRunner().invoke(cli, ["compare", *[str(a) for a in args]])


def test_compare_with_one_round_says_so_and_exits_2(built_db_path):
    result = run("--db", built_db_path)
    assert result.exit_code == 2
    assert "databasen har bara en omgång med svarsrader (2022)" in result.output


def test_compare_json_rows_carry_the_contract(two_rounds_db):
    result = CliRunner().invoke(cli, ["compare", "--db", str(two_rounds_db), "--from", "2022", "--to", "2024",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rounds"][0] == {"round": 2022, "source_kind": "rekonstruktion", "source_id": "rekonstruktion-2022",
                                 "reconstructed": True, "departments": 9}
    assert data["rounds"][1]["reconstructed"] is False and data["notices"]
    departments = [r for r in data["rows"] if r["section"] == "department"]
    assert all({"item", "from_value", "to_value", "change", "lineage"} <= set(r) for r in departments)
    norr = next(r for r in departments if r["item_id"] == "testforvaltningen-norr")
    assert norr["lineage"]["kind"] == "merged"
    assert norr["lineage"]["predecessors"] == ["forvaltningen-for-sociala-insatser", "vard-och-omsorgsforvaltningen"]
    assert norr["change"] == norr["to_value"] - norr["from_value"]
    assert all(r["from_source_kind"] == "rekonstruktion" for r in data["rows"])
    assert {r["section"] for r in data["rows"]} == {"department", "pair", "gap"}


def test_compare_table_and_csv_label_the_reconstruction(two_rounds_db):
    table = run("--db", two_rounds_db, "--by", "category")
    assert table.exit_code == 0
    assert "OBS: svarsraderna för 2022 är en rekonstruktion" in table.stdout
    assert "Kategorier: förvaltningar som samverkar med kategorin" in table.stdout
    result = CliRunner().invoke(cli, ["compare", "--db", str(two_rounds_db), "--by", "theme", "--format", "csv"])
    assert "rekonstruktion" in result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["from_source_kind"] == "rekonstruktion" and rows[0]["to_source_kind"] == "enkatexport"
    assert {r["section"] for r in rows} == {"theme", "pair", "gap"}


@pytest.mark.parametrize("args, message", [
    (["--from", "2024", "--to", "2022"], "ska vara en tidigare omgång"),
    (["--from", "2023", "--to", "2024"], "--from 2023: omgången har inga svarsrader"),
    (["--by", "person"], "Ogiltigt värde"),
])
def test_compare_bad_input_exits_2(two_rounds_db, args, message):
    result = run("--db", two_rounds_db, *args)
    assert result.exit_code == 2 and message in result.output


def test_the_page_says_plainly_when_there_is_one_round(built_db_path):
    from kb.publish.serve import make_datasette

    text = _get(make_datasette(built_db_path), "/forandring")
    assert "Databasen har bara en omgång med svar (2022)" in text and 'id="forandring-kategorier"' not in text


def test_the_page_compares_two_rounds(two_rounds_db):
    from kb.publish.serve import make_datasette

    text = _get(make_datasette(two_rounds_db), "/forandring")
    assert "Omgångarna 2022 och 2024" in text and "rekonstruktion" in text
    assert 'id="forandring-kategorier"' in text and "forandring_samverkan?fran=2022&amp;till=2024" in text


def _get(ds, path: str) -> str:
    import asyncio

    async def fetch():
        response = await ds.client.get(path)
        assert response.status_code == 200
        return response.text

    return asyncio.run(fetch())


def test_lineage_edges_survive_the_graph_export(two_rounds_db, tmp_path):
    import sqlite3

    from kb.graph.export import graph_from_tables

    graph = graph_from_tables(sqlite3.connect(two_rounds_db), 2024)
    edge = graph.edges["department:miljokontoret", "department:testforvaltningen-syd"]
    assert edge["kind"] == "lineage"
    assert graph.nodes["department:miljokontoret"]["label"] == "Miljökontoret"
    assert graph.nodes["department:miljokontoret"]["kind"] == "department"
    result = CliRunner().invoke(cli, ["export", "graph", str(tmp_path / "g.gexf"), "--db", str(two_rounds_db),
                                      "--round", "2024"])
    assert result.exit_code == 0 and "lineage" in (tmp_path / "g.gexf").read_text(encoding="utf-8")
