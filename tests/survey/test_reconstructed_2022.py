"""The committed 2022 response set: a reconstruction that reproduces the report, labelled as such."""

from __future__ import annotations

import yaml

from ingest.exports import EXPORTS_DIR
from ingest.redact import find_personal_data
from kb.survey.verify import DISCREPANCY, verify


def test_build_and_verify_recompute_the_report_from_response_rows(built_db):
    result = verify(built_db)
    assert result["rounds_with_responses"] == [2022]
    assert result["ok"], [f for f in result["findings"] if f["status"] == DISCREPANCY]
    checked = {f["check"] for f in result["findings"]}
    assert {f"responses_table{n}" for n in range(1, 9)} <= checked


def test_the_solver_reproduces_tables_1_to_4_and_6_exactly(built_db):
    """What the integer programme reproduces from its own tick rows (Table 5: closest, tested below)."""
    result = verify(built_db)
    checks = {f"responses_table{n}" for n in (1, 2, 3, 4, 6)}
    findings = [f for f in result["findings"] if f["check"] in checks]
    assert {f["check"] for f in findings} == checks
    assert all(f["status"] == "ok" for f in findings), [f for f in findings if f["status"] != "ok"]


def test_tables_7_and_8_are_transcribed_not_solved(built_db):
    """Tables 7 and 8 are copied from the report into the reconstruction (reconstruct_round.py), so their
    agreement proves only the transcription round-trip: printed text -> Forms export -> parse -> db -> view.
    It fails if parse_amount/parse_percent, the export or the views lose or alter a value."""
    result = verify(built_db)
    findings = [f for f in result["findings"] if f["check"] in {"responses_table7", "responses_table8"}]
    assert len(findings) == 2 * 9, findings  # one per department and table (the total rows are skipped)
    assert all(f["status"] == "ok" for f in findings), [f for f in findings if f["status"] != "ok"]


def test_table5_differs_only_by_the_reports_own_inconsistency(built_db):
    published = {
        r["row_id"]: r["value"]
        for r in built_db.query("SELECT row_id, value FROM published_figures WHERE table_no = 5")
    }
    computed = {
        r["form_id"]: r["reported"]
        for r in built_db.query("SELECT form_id, reported FROM table5_reports_per_form WHERE round = 2022")
    }
    assert sum(abs(computed[f] - published[f]) for f in published) == 16
    manifest = yaml.safe_load((EXPORTS_DIR / "2022" / "manifest.yml").read_text(encoding="utf-8"))
    recorded = manifest["reconstruction"]["table5_difference"]
    assert recorded == {f: computed[f] - published[f] for f in published if computed[f] != published[f]}


def test_every_response_row_is_labelled_a_reconstruction(built_db):
    source = built_db["sources"].get("rekonstruktion-2022")
    assert source["kind"] == "rekonstruktion" and "inte de faktiska svaren" in source["title"]
    for table in ("responses", "collaborations", "department_goal_areas", "funding", "staffed_share"):
        sources = {r[0] for r in built_db.execute(f"SELECT DISTINCT source_id FROM {table} WHERE round = 2022")}
        assert sources == {"rekonstruktion-2022"}, table
    assert built_db.execute("SELECT COUNT(*) FROM responses WHERE respondents IS NOT NULL").fetchone()[0] == 0


def test_reconstruction_meets_every_constraint_it_claims(built_db):
    """Re-check the stored rows (not the solver's own report) against the tables and every constraint."""
    from ingest.figures import load_published_figures
    from ingest.reference import load_reference
    from kb.survey.reconstruct import Reconstruction, check, constraint_results, load_constraints

    reference = load_reference()
    figures = load_published_figures(reference)
    constraints = load_constraints(reference=reference)
    collaborations = sorted(
        tuple(r)
        for r in built_db.execute("SELECT department_id, category_id, form_id FROM collaborations WHERE round = 2022")
    )
    goal_areas = sorted(
        tuple(r)
        for r in built_db.execute("SELECT department_id, goal_area_id FROM department_goal_areas WHERE round = 2022")
    )
    results = constraint_results(constraints, reference, collaborations, goal_areas)
    assert {r["id"] for r in results} == {c["id"] for c in constraints}
    assert all(r["holds"] for r in results), [r for r in results if not r["holds"]]
    manifest = yaml.safe_load((EXPORTS_DIR / "2022" / "manifest.yml").read_text(encoding="utf-8"))
    difference = manifest["reconstruction"]["table5_difference"]
    stored = Reconstruction(
        collaborations=collaborations,
        goal_areas=goal_areas,
        table5_difference={f["id"]: difference.get(f["id"], 0) for f in reference.forms},
        constraint_results=results,
        seed=manifest["reconstruction"]["seed"],
        status="stored",
        objective=manifest["reconstruction"]["table5_total_abs_difference"],
    )
    assert check(stored, reference, figures, constraints) == []


def test_diagram1_follows_the_reports_words(built_db):
    rows = {
        r["department_id"]: r for r in built_db.query("SELECT * FROM diagram1_department_overview WHERE round = 2022")
    }
    ks = rows.pop("kommunstyrelseforvaltningen")
    assert all(ks["reported_forms"] > r["reported_forms"] for r in rows.values())
    assert all(ks["categories"] >= r["categories"] for r in rows.values())
    miljo = rows["miljokontoret"]
    assert sum(r["reported_forms"] < miljo["reported_forms"] for r in rows.values()) <= 1


def test_no_personal_data_anywhere_in_the_committed_database():
    from kb.core.db import open_db
    from kb.core.paths import DEFAULT_DB

    built_db = open_db(DEFAULT_DB)
    found = []
    for table in built_db.table_names():
        for column in built_db[table].columns:
            if column.type != "TEXT" or column.name in {"sha256", "value"} or table == "build_info":
                continue
            for (text,) in built_db.execute(f"SELECT [{column.name}] FROM [{table}] WHERE [{column.name}] IS NOT NULL"):
                hits = find_personal_data(str(text))
                if hits:
                    found.append((table, column.name, hits))
    assert found == []
