"""Survey: the database schema, the atomic build, survey rounds and their responses.

Owns the schema and report views (`schema.sql`, `views.sql`), the atomic build that runs every stage's
writer (`build`), storing a round's Forms export (`forms`), writing responses (`responses`), the 2022
reconstruction (`reconstruct`, `reconstruct_round`), `verify`, the provenance notices (`provenance`) and the
organisations' side of the survey (`civil`, `civil.sql`; issue 12).
May import `kb.core` and the `ingest` loaders. Its `commands` module is the command layer and may also
import `kb.pipeline`.
"""
