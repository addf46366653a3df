"""The reconstruction solver: tables reproduced from the returned rows, constraints, determinism, validation."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from ingest.figures import load_published_figures
from ingest.reference import load_reference
from kb.core.errors import InputErrors
from kb.core.rounding import round_half_up
from kb.survey.reconstruct import (
    CONSTRAINTS_PATH,
    Reconstruction,
    ReconstructionError,
    check,
    evaluate_constraint,
    load_constraints,
    solve,
)

OTHER_SEED = 3


@pytest.fixture(scope="module")
def reference():
    return load_reference()


@pytest.fixture(scope="module")
def figures(reference):
    return load_published_figures(reference)


@pytest.fixture(scope="module")
def constraints(reference):
    return load_constraints(CONSTRAINTS_PATH, reference)


@pytest.fixture(scope="module")
def published(figures):
    return {(f["table_no"], f["row_id"], f["measure"]): f["value"] for f in figures if f["table_no"] is not None}


@pytest.fixture(scope="module")
def result(reference, figures, constraints) -> Reconstruction:
    return solve(reference, figures, constraints, seed=2022)


def _per_category(rows):
    departments, forms, reported = defaultdict(set), defaultdict(set), defaultdict(int)
    for d, c, f in rows:
        departments[c].add(d)
        forms[c].add(f)
        reported[c] += 1
    return departments, forms, reported


def test_reproduces_tables_1_to_4_exactly(result, reference, published):
    departments, forms, reported = _per_category(result.collaborations)
    for category in (c["id"] for c in reference.categories):
        n_dep, n_forms, n_rep = len(departments[category]), len(forms[category]), reported[category]
        assert published[(1, category, "departments")] == n_dep, category
        for table_no in (2, 3, 4):
            assert published[(table_no, category, "departments")] == n_dep, (table_no, category)
            assert published[(table_no, category, "forms")] == n_forms, (table_no, category)
        for table_no in (3, 4):
            assert published[(table_no, category, "reported_forms")] == n_rep, (table_no, category)
        assert published[(3, category, "average_all")] == round_half_up(n_rep, 9, 1), category
        assert published[(4, category, "average_collaborating")] == round_half_up(n_rep, n_dep, 1), category


def test_reproduces_table_6_exactly(result, reference, published):
    counts = defaultdict(int)
    for _d, goal_area in result.goal_areas:
        counts[goal_area] += 1
    for goal_area in (a["id"] for a in reference.goal_areas):
        assert published[(6, goal_area, "departments")] == counts[goal_area], goal_area


def test_table5_deviation_is_the_minimum(result, reference, published):
    counts = defaultdict(int)
    for _d, _c, form in result.collaborations:
        counts[form] += 1
    difference = {f["id"]: counts[f["id"]] - int(published[(5, f["id"], "reported")]) for f in reference.forms}
    assert difference == result.table5_difference
    assert sum(abs(v) for v in difference.values()) == 16 == result.objective
    assert all(v >= 0 for v in difference.values())  # 497 ticks against 481: only excess, never shortfall


def test_rows_are_sorted_unique_and_valid(result, reference):
    assert result.collaborations == sorted(set(result.collaborations))
    assert result.goal_areas == sorted(set(result.goal_areas))
    assert {d for d, _c, _f in result.collaborations} == {d["id"] for d in reference.departments}
    assert result.seed == 2022
    assert result.status == "Optimal Solution Found"


def test_every_constraint_holds(result, constraints):
    assert len(result.constraint_results) == len(constraints)
    failing = [r for r in result.constraint_results if not r["holds"]]
    assert failing == []
    for r in result.constraint_results:
        assert r["quote"] and r["detail"]


def test_check_finds_nothing_wrong(result, reference, figures, constraints):
    assert check(result, reference, figures, constraints) == []


def test_check_detects_a_broken_set(result, reference, figures, constraints):
    ksf_rows = [row for row in result.collaborations if row[0] == "kommunstyrelseforvaltningen"]
    broken = Reconstruction(
        collaborations=[row for row in result.collaborations if row not in ksf_rows[:30]],
        goal_areas=result.goal_areas[1:],
        table5_difference=result.table5_difference,
        constraint_results=[],
        seed=result.seed,
        status=result.status,
        objective=result.objective,
    )
    problems = check(broken, reference, figures, constraints)
    assert any(p.startswith("tabell 3") for p in problems)
    assert any(p.startswith("tabell 6") for p in problems)
    assert any("ksf-bredast" in p for p in problems)


def test_same_seed_same_set(result, reference, figures, constraints):
    again = solve(reference, figures, constraints, seed=2022)
    assert again.collaborations == result.collaborations
    assert again.goal_areas == result.goal_areas
    assert again.table5_difference == result.table5_difference


def test_other_seed_different_but_valid(result, reference, figures, constraints):
    other = solve(reference, figures, constraints, seed=OTHER_SEED)
    assert other.seed == OTHER_SEED
    assert (other.collaborations, other.goal_areas) != (result.collaborations, result.goal_areas)
    assert check(other, reference, figures, constraints) == []
    assert other.objective == 16


REPORT_TEXT = Path(__file__).resolve().parent / "data" / "rapport-2022.txt"


def test_constraint_quotes_are_verbatim_from_the_report(constraints):
    report = " ".join(REPORT_TEXT.read_text(encoding="utf-8").split())
    for constraint in constraints:
        assert constraint["quote"] in report, constraint["id"]


_HEADER = "round: 2022\nsource_id: rapport-2022\nconstraints:\n"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "reconstruction.yml"
    path.write_text(_HEADER + body, encoding="utf-8")
    return path


def test_unknown_department_names_file_and_line(tmp_path, reference):
    path = _write(
        tmp_path,
        "  - id: ok\n    kind: rapport\n    type: broadest\n    department: Miljökontoret\n    quote: q\n"
        "    explanation: e\n"
        "  - id: fel\n    kind: rapport\n    type: broadest\n    department: miljokontor-x\n    quote: q\n"
        "    explanation: e\n",
    )
    with pytest.raises(InputErrors) as info:
        load_constraints(path, reference)
    (error,) = info.value.errors
    assert error.file == str(path)
    assert error.row == 10
    assert error.column == "department"
    assert "okänd förvaltning 'miljokontor-x'" in error.message
    assert "Miljökontoret" in error.message  # did you mean


def test_unknown_type_names_file_and_line(tmp_path, reference):
    path = _write(tmp_path, "  - id: fel\n    kind: rapport\n    type: bredast\n    quote: q\n    explanation: e\n")
    with pytest.raises(InputErrors) as info:
        load_constraints(path, reference)
    (error,) = info.value.errors
    assert (error.file, error.row, error.column) == (str(path), 4, "type")
    assert "okänd villkorstyp 'bredast'" in error.message


def test_all_errors_reported_together(tmp_path, reference):
    path = _write(
        tmp_path,
        "  - id: a\n    kind: rapport\n    type: among_broadest\n    department: stadsbyggnad\n    measure: hojd\n"
        "    k: 0\n    quote: q\n    explanation: e\n"
        "  - id: b\n    kind: gissning\n    type: collaborates\n    departments: alla\n    category: Idrott\n"
        "    quote: q\n    explanation: e\n"
        "  - id: c\n    kind: rapport\n    type: uses_form\n    department: stadsbyggnad\n    quote: q\n"
        "    explanation: e\n",
    )
    with pytest.raises(InputErrors) as info:
        load_constraints(path, reference)
    found = {(e.row, e.column) for e in info.value.errors}
    assert {(4, "measure"), (4, "k"), (12, "kind"), (19, "form"), (19, "value")} <= found


def test_names_resolve_to_ids(tmp_path, reference):
    path = _write(
        tmp_path,
        "  - id: a\n    kind: rimlighet\n    type: goal_area_departments_include\n    goal_area: Klimat\n"
        "    departments: [Miljökontoret, FUFA]\n    quote: q\n    explanation: e\n",
    )
    (constraint,) = load_constraints(path, reference)
    assert constraint["goal_area"] == "klimat"
    assert constraint["departments"] == ["miljokontoret", "forvaltningen-for-utbildning-forsorjning-och-arbete"]
    holds, _ = evaluate_constraint(constraint, reference, [], [("miljokontoret", "klimat")])
    assert not holds
    rows = [("miljokontoret", "klimat"), ("forvaltningen-for-utbildning-forsorjning-och-arbete", "klimat")]
    assert evaluate_constraint(constraint, reference, [], rows)[0]


def test_contradictory_constraints_raise(tmp_path, reference, figures):
    body = "".join(
        f"  - id: {d}\n    kind: rapport\n    type: broadest\n    department: {d}\n    quote: q\n    explanation: e\n"
        for d in ("miljokontoret", "stadsbyggnad")
    )
    constraints = load_constraints(_write(tmp_path, body), reference)
    with pytest.raises(ReconstructionError, match="ingen lösning"):
        solve(reference, figures, constraints, seed=1, time_limit=20)
