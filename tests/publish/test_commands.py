"""The click commands `kb ingest forums`, `kb template forums` and `kb export dcat` (Swedish, exit 2 on bad input)."""

from __future__ import annotations

import shutil

import pytest
import sqlite_utils
from click.testing import CliRunner
from rdflib import Graph
from rdflib import namespace as ns

import kb.publish.forums
from kb.publish.commands import export_dcat, ingest_forums, template_forums

from .conftest import FIXTURES


@pytest.fixture
def db_copy(publish_db_path, tmp_path):
    path = tmp_path / "samverkan.db"
    shutil.copyfile(publish_db_path, path)
    return path


@pytest.fixture
def forums_file(tmp_path, monkeypatch):
    """Where an installed registry goes: the data dir of db_copy (samverkan-data/ beside it, issue 16).

    FORUMS_FILE is redirected too, so a regression that installs into ingest/data/ shows here, not in the repo.
    """
    monkeypatch.setattr(kb.publish.forums, "FORUMS_FILE", tmp_path / "ingest" / "forums.yml")
    return tmp_path / "samverkan-data" / "forums.yml"


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


@pytest.mark.parametrize("options", [[], ["--no-install"]])
def test_an_empty_registry_is_refused_unless_allowed(db_copy, forums_file, tmp_path, options):
    template = tmp_path / "mall.yml"
    assert CliRunner().invoke(template_forums, [str(template)]).exit_code == 0
    forums_file.parent.mkdir(parents=True)
    forums_file.write_text("# the registry in use\n", encoding="utf-8")
    before = sqlite_utils.Database(db_copy)["forums"].count
    result = CliRunner().invoke(ingest_forums, [str(template), "--db", str(db_copy), *options])
    assert result.exit_code == 2
    assert "inga forum" in result.output and "--allow-empty" in result.output
    assert forums_file.read_text(encoding="utf-8") == "# the registry in use\n"
    assert sqlite_utils.Database(db_copy)["forums"].count == before > 0


def test_an_empty_registry_is_loaded_with_allow_empty(db_copy, forums_file, tmp_path):
    template = tmp_path / "mall.yml"
    CliRunner().invoke(template_forums, [str(template)])
    result = CliRunner().invoke(ingest_forums, [str(template), "--db", str(db_copy), "--no-install", "--allow-empty"])
    assert result.exit_code == 0, result.output
    assert sqlite_utils.Database(db_copy)["forums"].count == 0


def test_a_failed_rebuild_removes_a_newly_installed_registry(db_copy, forums_file, monkeypatch):
    import kb.survey.build

    def broken_build(*args, **kwargs):
        raise RuntimeError("bygget gick sönder")

    monkeypatch.setattr(kb.pipeline, "build", broken_build)
    assert not forums_file.exists()
    with pytest.raises(RuntimeError):
        kb.pipeline.ingest_forums(db_copy, FIXTURES / "forums_with_coordinates.yml")
    assert not forums_file.exists()
    assert not forums_file.with_suffix(".yml.tmp").exists()


def test_a_failed_rebuild_puts_the_previous_registry_back(db_copy, forums_file, monkeypatch):
    import kb.survey.build

    def broken_build(*args, **kwargs):
        raise RuntimeError("bygget gick sönder")

    monkeypatch.setattr(kb.pipeline, "build", broken_build)
    forums_file.parent.mkdir(parents=True)
    forums_file.write_text("# previous\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        kb.pipeline.ingest_forums(db_copy, FIXTURES / "forums_with_coordinates.yml")
    assert forums_file.read_text(encoding="utf-8") == "# previous\n"
    assert not forums_file.with_suffix(".yml.previous").exists()


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


def test_dcat_publisher_formats_and_media_types(publish_db_path, tmp_path):
    path = tmp_path / "dcat.rdf"
    result = CliRunner().invoke(
        export_dcat, [str(path), "--db", str(publish_db_path), "--base-url", "https://data.example.se/kb"]
    )
    assert result.exit_code == 0 and result.stderr == ""
    graph = Graph().parse(path, format="xml")
    (dataset,) = graph.subjects(ns.RDF.type, ns.DCAT.Dataset)
    publisher = graph.value(dataset, ns.DCTERMS.publisher)
    assert str(publisher) == "https://www.orebro.se"
    assert str(graph.value(publisher, ns.DCTERMS.type)) == "http://purl.org/adms/publishertype/LocalAuthority"
    (catalog,) = graph.subjects(ns.RDF.type, ns.DCAT.Catalog)
    assert graph.value(catalog, ns.DCTERMS.publisher) == publisher
    formats = {}
    for distribution in graph.objects(dataset, ns.DCAT.distribution):
        media = str(graph.value(distribution, ns.DCAT.mediaType))
        assert media.startswith("http://www.iana.org/assignments/media-types/")
        formats[media.rsplit("/media-types/", 1)[1]] = str(graph.value(distribution, ns.DCTERMS["format"]))
    eu = "http://publications.europa.eu/resource/authority/file-type/"
    assert formats["text/csv"] == eu + "CSV" and formats["application/json"] == eu + "JSON"
    assert formats["application/zip"] == eu + "ZIP"
    assert formats["application/vnd.sqlite3"] == "http://www.iana.org/assignments/media-types/application/vnd.sqlite3"


def test_dcat_names_the_database_samverkan_whatever_the_file_is_called(publish_db_path, tmp_path):
    renamed = tmp_path / "kb.db"
    shutil.copyfile(publish_db_path, renamed)
    path = tmp_path / "dcat.rdf"
    result = CliRunner().invoke(export_dcat, [str(path), "--db", str(renamed), "--base-url", "https://x.se"])
    assert result.exit_code == 0
    urls = {str(o) for o in Graph().parse(path, format="xml").objects(None, ns.DCAT.accessURL)}
    assert "https://x.se/samverkan.db" in urls and not any("/kb" in u for u in urls)


@pytest.mark.parametrize(
    "base_url,warned",
    [
        ("http://127.0.0.1:8001", True),
        ("http://localhost:8001/kb", True),
        ("http://[::1]:8001", True),
        ("http://127.0.1.1", True),
        ("https://data.orebro.se/kb", False),
    ],
)
def test_export_dcat_warns_when_the_base_url_is_loopback(publish_db_path, tmp_path, base_url, warned):
    arguments = [str(tmp_path / "d.rdf"), "--db", str(publish_db_path), "--base-url", base_url]
    result = CliRunner().invoke(export_dcat, arguments)
    assert result.exit_code == 0
    assert ("inte skörda" in result.stderr) is warned
    assert "Varning" not in result.stdout


def test_about_page_explains_the_refi_qda_export_and_the_method(ds, get):
    text = get(ds, "/om").text
    section = text[text.index('<section id="refi-qda">') :]
    section = section[: section.index("</section>")]
    assert "kb export qdpx" in section and "REFI-QDA" in section
    assert 'id="metod"' in text
    for word in ("Kodning", "Luckor", "Relevans"):
        assert f"<strong>{word}.</strong>" in text
