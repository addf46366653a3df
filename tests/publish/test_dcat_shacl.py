"""`kb export dcat` against the European DCAT-AP SHACL shapes (2.1.1 and 3.0.1, range shapes included), offline."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import sqlite_utils
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib import namespace as ns

from kb.publish.dcat import write_dcat
from tests.second_round import make_two_round_db

SHAPES_DIR = Path(__file__).parents[1] / "data" / "dcat-ap"
SH = ns.SH
# Recommended properties of dct:Location we cannot fill truthfully (no cited coordinates of the municipality)
EXPECTED_WARNINGS = {str(ns.DCAT.bbox), str(ns.DCAT.centroid)}


def shapes(version: str) -> Graph:
    prefix = {"2.1.1": "2.1.1_dcat-ap_2.1.1_shacl_", "3.0.1": "3.0.1_html_shacl_"}[version]
    files = sorted(SHAPES_DIR.glob(prefix + "*.ttl"))
    names = {f.name.removeprefix(prefix) for f in files}
    assert {"range.ttl", "shapes.ttl", "shapes_recommended.ttl"} <= names, names
    graph = Graph()
    for path in files:
        graph.parse(path, format="turtle")
    return graph


def results(data: Graph, version: str) -> Counter:
    """(severity, path) of every validation result."""
    _, report, _ = validate(data, shacl_graph=shapes(version), inference="none", advanced=True)
    found = Counter()
    for result in report.subjects(SH.resultSeverity, None):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[1]
        found[(severity, str(report.value(result, SH.resultPath)))] += 1
    return found


def exported(db_path: Path, tmp_path: Path) -> Graph:
    path = tmp_path / "dcat.rdf"
    write_dcat(db_path, path, "https://data.example.se/kb")
    return Graph().parse(path, format="xml")  # what a harvester reads back, not our in-memory graph


@pytest.fixture(scope="module")
def two_round_db(tmp_path_factory) -> Path:
    """The committed data plus a 2024 round ingested from a synthetic Forms export."""
    return make_two_round_db(tmp_path_factory.mktemp("dcat"))


@pytest.mark.parametrize("version", ["2.1.1", "3.0.1"])
@pytest.mark.parametrize("which", ["default", "two rounds"])
def test_no_violations_against_dcat_ap(publish_db_path, two_round_db, tmp_path, version, which):
    graph = exported(publish_db_path if which == "default" else two_round_db, tmp_path)
    found = results(graph, version)
    violations = {k: v for k, v in found.items() if k[0] == "Violation"}
    assert violations == {}
    assert {path for severity, path in found if severity == "Warning"} == EXPECTED_WARNINGS


def test_the_shapes_catch_a_value_without_its_class(publish_db_path, tmp_path):
    """The range shapes are loaded and bite: drop the licence's class and it is a violation on dct:license."""
    graph = exported(publish_db_path, tmp_path)
    graph.remove((URIRef("http://creativecommons.org/publicdomain/zero/1.0/"), ns.RDF.type, None))
    found = results(graph, "3.0.1")
    assert found[("Violation", str(ns.DCTERMS.license))] > 10


def test_rounds_follow_the_db(publish_db_path, two_round_db, tmp_path):
    for db_path, years in ((publish_db_path, {"2022"}), (two_round_db, {"2022", "2024"})):
        graph = exported(db_path, tmp_path)
        (dataset,) = graph.subjects(ns.RDF.type, ns.DCAT.Dataset)
        starts = {str(graph.value(p, ns.DCAT.startDate))[:4] for p in graph.objects(dataset, ns.DCTERMS.temporal)}
        assert starts == years
        description = {str(d) for d in graph.objects(dataset, ns.DCTERMS.description) if d.language == "sv"}.pop()
        assert all(f"det civila samhället {y}" in description for y in years)


def test_issued_and_modified_are_the_newest_date_the_inputs_carry(publish_db_path, tmp_path):
    from ingest.agreements import load_agreements
    from ingest.forums import load_forums

    dates = [r["source_date"] for r in [*load_forums(), *load_agreements()] if r["source_date"]]
    newest = max(d for d in dates if len(d) == 10)
    db = sqlite_utils.Database(publish_db_path)
    built = db.execute("SELECT value FROM build_info WHERE key = 'data_modified'").fetchone()[0]
    assert built == newest  # the committed 2022 round has no ingested_at: the registries' dates decide
    graph = exported(publish_db_path, tmp_path)
    (catalog,) = graph.subjects(ns.RDF.type, ns.DCAT.Catalog)
    assert str(graph.value(catalog, ns.DCTERMS.modified)) == built[:10]
    assert str(graph.value(catalog, ns.DCTERMS.issued)) == built[:10]


def test_spatial_is_orebro_kommun_by_its_municipality_code(publish_db_path, tmp_path):
    graph = exported(publish_db_path, tmp_path)
    (dataset,) = graph.subjects(ns.RDF.type, ns.DCAT.Dataset)
    (catalog,) = graph.subjects(ns.RDF.type, ns.DCAT.Catalog)
    spatial = graph.value(dataset, ns.DCTERMS.spatial)
    assert graph.value(catalog, ns.DCTERMS.spatial) == spatial
    assert (spatial, ns.RDF.type, ns.DCTERMS.Location) in graph
    assert str(graph.value(spatial, ns.DCTERMS.identifier)) == "1880"
    assert str(graph.value(spatial, ns.SKOS.prefLabel)) == "Örebro kommun"
