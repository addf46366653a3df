"""The click commands `kb ingest forums`, `kb template forums` and `kb export dcat` (Swedish, exit 2 on bad input)."""

from __future__ import annotations

import shutil

import pytest
import sqlite_utils
from click.testing import CliRunner
from rdflib import Graph
from rdflib import namespace as ns

import kb.forums
from kb.publish_commands import export_dcat, ingest_forums, template_forums

from .conftest import FIXTURES


@pytest.fixture
def db_copy(publish_db_path, tmp_path):
    path = tmp_path / "samverkan.db"
    shutil.copyfile(publish_db_path, path)
    return path


@pytest.fixture
def forums_file(tmp_path, monkeypatch):
    """Where an installed registry goes, redirected away from ingest/data/."""
    target = tmp_path / "ingest" / "forums.yml"
    monkeypatch.setattr(kb.forums, "FORUMS_FILE", target)
    return target


def test_ingest_forums_loads_and_installs(db_copy, forums_file):
    result = CliRunner().invoke(ingest_forums, [str(FIXTURES / "forums_with_coordinates.yml"), "--db", str(db_copy)])
    assert result.exit_code == 0, result.output
    assert "Läste in 2 forum" in result.output
    db = sqlite_utils.Database(db_copy)
    assert db["forums"].count == 2 and db["forum_categories"].count == 3
    assert forums_file.read_text(encoding="utf-8").startswith("# Test data")


def test_ingest_forums_refuses_a_bad_file_and_changes_nothing(db_copy, forums_file):
    before = sqlite_utils.Database(db_copy)["forums"].count
    result = CliRunner().invoke(ingest_forums, [str(FIXTURES / "forums_bad.yml"), "--db", str(db_copy)])
    assert result.exit_code == 2
    assert "forums_bad.yml, rad 1, kolumn 'categories': okänd kategori 'Kulturföreningar'" in result.output
    assert "rad 6, kolumn 'name': obligatoriskt fält saknas" in result.output
    assert sqlite_utils.Database(db_copy)["forums"].count == before
    assert not forums_file.exists()


def test_ingest_forums_with_a_missing_file_or_db(db_copy, tmp_path, forums_file):
    assert CliRunner().invoke(ingest_forums, [str(tmp_path / "nej.yml"), "--db", str(db_copy)]).exit_code == 2
    missing_db = CliRunner().invoke(
        ingest_forums, [str(FIXTURES / "forums_with_coordinates.yml"), "--db", str(tmp_path / "nej.db")]
    )
    assert missing_db.exit_code == 2 and "kb build" in missing_db.output


def test_template_forums_writes_once(tmp_path):
    path = tmp_path / "forum.yml"
    assert CliRunner().invoke(template_forums, [str(path)]).exit_code == 0
    again = CliRunner().invoke(template_forums, [str(path)])
    assert again.exit_code == 2 and "--force" in again.output
    assert CliRunner().invoke(template_forums, [str(path), "--force"]).exit_code == 0


def test_help_is_swedish():
    for command in (ingest_forums, template_forums, export_dcat):
        output = CliRunner().invoke(command, ["--help"]).output
        assert "Användning:" in output and "Visa den här hjälptexten" in output


def test_export_dcat_is_dcat_ap_se_rdf_xml(publish_db_path, tmp_path):
    path = tmp_path / "dcat.rdf"
    result = CliRunner().invoke(
        export_dcat, [str(path), "--db", str(publish_db_path), "--base-url", "https://data.example.se/kb"]
    )
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8").startswith('<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF')
    graph = Graph().parse(path, format="xml")
    (dataset,) = graph.subjects(ns.RDF.type, ns.DCAT.Dataset)
    assert {str(t.language) for t in graph.objects(dataset, ns.DCTERMS.title)} == {"sv", "en"}
    assert (None, ns.DCAT.dataset, dataset) in graph
    publisher = graph.value(dataset, ns.DCTERMS.publisher)
    assert publisher is not None and "Örebro kommun" in {str(n) for n in graph.objects(publisher, None)}
    assert graph.value(dataset, ns.DCAT.contactPoint) is not None
    distributions = list(graph.objects(dataset, ns.DCAT.distribution))
    urls = {str(graph.value(d, ns.DCAT.accessURL)) for d in distributions}
    assert "https://data.example.se/kb/samverkan.db" in urls
    assert "https://data.example.se/kb/samverkan/forums.csv?_size=max" in urls
    assert any(u.endswith("#refi-qda") for u in urls)
    for distribution in distributions:
        assert str(graph.value(distribution, ns.DCTERMS.license)) == "http://creativecommons.org/publicdomain/zero/1.0/"
        assert graph.value(distribution, ns.DCAT.mediaType) is not None


def test_export_dcat_refuses_a_bad_base_url(publish_db_path, tmp_path):
    result = CliRunner().invoke(
        export_dcat, [str(tmp_path / "x.rdf"), "--db", str(publish_db_path), "--base-url", "data.example.se"]
    )
    assert result.exit_code == 2
