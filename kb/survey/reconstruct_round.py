"""`kb reconstruct`: solve for a response set consistent with the report and store it as the round's export."""

from __future__ import annotations

import hashlib

from ingest.exports import sanitised_csv
from ingest.figures import load_published_figures
from ingest.forms import DepartmentResponse, FormsExport
from ingest.reference import Reference, load_reference
from ingest.values import parse_amount, parse_percent

NOTICE = (
    "Rekonstruktion förenlig med rapportens tabeller, framräknad med `kb reconstruct`. "
    "Inte förvaltningarnas faktiska svar: de är inte offentliga."
)


def reconstructed_export(reconstruction, reference: Reference, figures: list[dict]) -> FormsExport:
    """The solver's rows as a Forms export; money and staffed share are Table 7 and 8 as printed."""
    # How many officers answered for each department is not known: respondents stay empty.
    responses = {d["id"]: DepartmentResponse(d["id"], has_declared_column=True) for d in reference.departments}
    for department_id, category_id, form_id in reconstruction.collaborations:
        responses[department_id].collaborations.add((category_id, form_id))
    for department_id, goal_id in reconstruction.goal_areas:
        responses[department_id].goal_areas.add(goal_id)
    for figure in figures:
        response = responses.get(figure["row_id"])
        if response is None:
            continue
        if figure["table_no"] == 7:
            amount, status = parse_amount(figure["printed"])
            response.funding = (amount, status, figure["printed"])
        elif figure["table_no"] == 8:
            share, status = parse_percent(figure["printed"])
            response.staffed = (share, status, figure["printed"])
    return FormsExport(
        file_name="", sha256="", rows=len(responses), responses=dict(sorted(responses.items())), funding_year=None
    )


def published_rounds() -> list[int]:
    """Rounds for which the report's figures (ingest/report) hold published numbers."""
    return sorted({f["round"] for f in load_published_figures(load_reference()) if f["round"] is not None})


def report_gap(figures: list[dict]) -> int:
    """The report's own difference in ticks between Table 3's reported forms and Table 5's, summed."""

    def total(table_no: int, measure: str) -> int:
        return sum(
            int(f["value"] or 0)
            for f in figures
            if f["table_no"] == table_no and f["measure"] == measure and f["row_id"] != "kommuntotal"
        )

    return abs(total(3, "reported_forms") - total(5, "reported"))


def reconstruct(round_: int, seed: int) -> tuple[FormsExport, Reference, dict, dict]:
    """Solve and check independently; returns the export, its reference, its manifest and a summary.

    Storing it under ingest/data/<round>/ as source `rekonstruktion` and rebuilding is the caller's
    (kb.pipeline.reconstruct_round).
    """
    from kb.survey.reconstruct import check, load_constraints, solve

    reference = load_reference()
    figures = [f for f in load_published_figures(reference) if f["round"] == round_]
    if not figures:
        raise ValueError(f"rapporten har inga publicerade siffror för omgång {round_}")
    constraints = load_constraints(reference=reference)
    reconstruction = solve(reference, figures, constraints, seed=seed)
    problems = check(reconstruction, reference, figures, constraints)
    if problems:
        raise ValueError("rekonstruktionen uppfyller inte allt den ska:\n" + "\n".join(problems))
    export = reconstructed_export(reconstruction, reference, figures)
    content = sanitised_csv(export, reference, round_)
    manifest = {
        "round": round_,
        "file": f"rekonstruktion-{round_}.csv",
        "source_id": f"rekonstruktion-{round_}",
        "source_kind": "rekonstruktion",
        "source_title": f"Rekonstruerade svar {round_} (förenliga med rapportens tabeller, inte de faktiska svaren)",
        "note": NOTICE,
        "original_name": f"rekonstruktion-{round_}.csv",
        "sha256": hashlib.sha256(content.encode()).hexdigest(),
        "rows": len(export.responses),
        "ingested_at": None,
        "reconstruction": {
            "seed": seed,
            "solver": reconstruction.solver,
            "status": reconstruction.status,
            "table5_total_abs_difference": reconstruction.objective,
            "table5_difference": {k: v for k, v in reconstruction.table5_difference.items() if v},
            "constraints": [{"id": r["id"], "holds": bool(r["holds"])} for r in reconstruction.constraint_results],
        },
    }
    summary = {
        "report_gap": report_gap(figures),
        "departments": len(export.responses),
        "collaborations": len(reconstruction.collaborations),
        "goal_areas": len(reconstruction.goal_areas),
        "status": reconstruction.status,
        "table5_difference": reconstruction.table5_difference,
        "table5_total_abs": reconstruction.objective,
        "constraints": reconstruction.constraint_results,
        "seconds": reconstruction.seconds,
    }
    return export, reference, manifest, summary
