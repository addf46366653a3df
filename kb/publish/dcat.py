"""DCAT-AP-SE metadata for the published knowledge base, as RDF/XML (what dataportal.se harvests).

DCAT-AP-SE builds on DCAT-AP, whose SHACL shapes (2.1.1 and 3.0.1, range shapes included) are the machine
check: every value names its class in the exported graph itself (a licence is a dct:LicenseDocument, a
format a dct:MediaTypeOrExtent, a theme a skos:Concept in a skos:ConceptScheme, ...), because a validator
working offline cannot look the EU vocabularies up. Round-specific values (temporal coverage, the rounds
named in the description) follow the rounds in the db; issued/modified is when the db was built.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
FILE_TYPE = EU + "file-type/"
# dct:format from the EU file-type vocabulary where it has the format; else the media type itself
FORMATS = {"text/csv": "CSV", "application/json": "JSON", "application/zip": "ZIP"}
PUBLISHER = URIRef("https://www.orebro.se")
PUBLISHER_TYPE = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
DATABASE_NAME = "samverkan"  # kb serve publishes the file under this name whatever it is called
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
PUBLIC_DOMAIN = URIRef("http://purl.org/adms/licencetype/PublicDomain")  # ADMS licence type of CC0
SWEDISH = URIRef(EU + "language/SWE")
PUBLIC = URIRef(EU + "access-right/PUBLIC")
# EU planned-availability vocabulary: AVAILABLE = "should be available for the medium term"
AVAILABLE = URIRef(EU + "planned-availability/AVAILABLE")
THEME_SCHEME = URIRef(EU + "data-theme")
# The EU data themes of the dataset, labelled as in the EU vocabulary (Swedish and English)
THEMES = {
    "SOCI": ("Befolkning och samhälle", "Population and society"),
    "GOVE": ("Regeringen och den offentliga sektorn", "Government and public sector"),
}
# Geographic coverage: Örebro kommun, municipality code (kommunkod) 1880 in Statistics Sweden's list of
# municipalities (SCB, "Kommuner i Sverige", https://www.scb.se/hitta-statistik/regional-statistik-och-kartor/
# regionala-indelningar/lan-och-kommuner/). The dct:Location carries that code as its identifier. It is a
# blank node described here rather than a URI guessed from an authority list we cannot check offline (DCAT-AP
# names the EU places list, then GeoNames); dataportal.se expects a Location described in the file itself to
# be a blank node (diggsweden/DCAT-AP-SE-Processor issue #70).
MUNICIPALITY_CODE = "1880"
MUNICIPALITY = "Örebro kommun"
TITLE = "Samverkan KB – Örebro kommuns samverkan med civilsamhället"
TITLE_EN = "Samverkan KB – Örebro municipality's collaboration with civil society"
KEYWORDS = ["civilsamhälle", "samverkan", "idéburen sektor", "föreningar", "Örebro kommun", "hållbar utveckling"]
# (table, title, description) of the main CSV/JSON endpoints
ENDPOINTS = [
    ("published_figures", "Rapportens publicerade siffror",
     "Siffrorna i rapportens tabeller, en rad per tabellcell, med tabell, rad och källa."),
    ("statements", "Fritextpunkter: svårt och positivt med samverkan",
     "Förvaltningarnas fritextsvar om vad som är svårt och positivt med samverkan, personuppgifter borttagna."),
    ("forums", "Forumregistret",
     "Samverkansforum som samordnare fört in i registret, med källa per forum."),
    ("collaborations", "Svarsrader: samverkan per förvaltning, kategori och form",
     "En rad per förvaltning, kategori av civilsamhälle och samverkansform och omgång."),
]
_MEDIA_LABEL = {"text/csv": "CSV", "application/json": "JSON"}


def _typed(graph: Graph, node: URIRef, *classes: URIRef) -> URIRef:
    for cls in classes:
        graph.add((node, RDF.type, cls))
    return node


def _distribution(
    graph: Graph, dataset: URIRef, url: str, title: str, description: str, media: str, when: Literal,
    download: bool = True,
) -> None:
    node = URIRef(f"{url}#distribution") if "#" not in url else BNode()
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal(title, lang="sv")))
    graph.add((node, DCTERMS.description, Literal(description, lang="sv")))
    graph.add((node, DCAT.accessURL, URIRef(url)))
    if download:
        graph.add((node, DCAT.downloadURL, URIRef(url)))
    graph.add((node, DCAT.mediaType, _typed(graph, URIRef(IANA + media), DCTERMS.MediaType,
                                            DCTERMS.MediaTypeOrExtent)))
    file_type = URIRef(FILE_TYPE + FORMATS[media] if media in FORMATS else IANA + media)
    graph.add((node, DCTERMS["format"], _typed(graph, file_type, DCTERMS.MediaTypeOrExtent)))
    graph.add((node, DCTERMS.license, CC0))
    graph.add((node, DCATAP.availability, AVAILABLE))
    graph.add((node, DCTERMS.issued, when))
    graph.add((node, DCTERMS.modified, when))


def _rounds(db_path: Path | str) -> list[tuple[int, str]]:
    with sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True) as conn:
        return [(int(r[0]), r[1]) for r in conn.execute("SELECT round, title FROM rounds ORDER BY round")]


def data_modified(db_path: Path | str) -> dt.date:
    """When the data last changed: build_info ``data_modified`` (the newest date the inputs carry), else the
    file's modification time (an older db, or inputs without any date)."""
    with sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True) as conn:
        try:
            row = conn.execute("SELECT value FROM build_info WHERE key = 'data_modified'").fetchone()
        except sqlite3.OperationalError:
            row = None
    if row and row[0]:
        return dt.date.fromisoformat(row[0])
    return dt.datetime.fromtimestamp(Path(db_path).stat().st_mtime, dt.UTC).date()


def _description(rounds: list[tuple[int, str]]) -> tuple[str, str]:
    titles = " och ".join(title for _, title in rounds) or "kommunens inventeringar"
    years = ", ".join(str(r) for r, _ in rounds)
    sv = (
        f"Kunskapsbas om Örebro kommuns samverkan med civilsamhället, byggd på {titles}: rapportens tabeller, "
        "svarsrader (rekonstruerade svar är märkta som rekonstruktion), fritextpunkter med tematisk kodning, "
        "luckor i samverkan och ett register över samverkansforum."
    )
    en = (
        "Knowledge base of Örebro municipality's collaboration with civil society, built on its inventories"
        + (f" of {years}." if years else ".")
    )
    return sv, en


def _vocabulary(graph: Graph) -> None:
    """The classes of the controlled values, stated in the graph itself (the SHACL range shapes need them)."""
    _typed(graph, CC0, DCTERMS.LicenseDocument)
    graph.add((CC0, DCTERMS.type, _typed(graph, PUBLIC_DOMAIN, SKOS.Concept)))
    graph.add((CC0, SKOS.prefLabel, Literal("Creative Commons Zero v1.0 Universal", lang="en")))
    _typed(graph, SWEDISH, DCTERMS.LinguisticSystem)
    graph.add((PUBLIC_DOMAIN, SKOS.prefLabel, Literal("Public domain", lang="en")))
    _typed(graph, PUBLIC, DCTERMS.RightsStatement, SKOS.Concept)
    graph.add((PUBLIC, SKOS.prefLabel, Literal("Offentlig", lang="sv")))
    graph.add((PUBLIC, SKOS.prefLabel, Literal("Public", lang="en")))
    _typed(graph, AVAILABLE, SKOS.Concept)
    graph.add((AVAILABLE, SKOS.prefLabel, Literal("Available", lang="en")))
    _typed(graph, PUBLISHER_TYPE, SKOS.Concept)
    graph.add((PUBLISHER_TYPE, SKOS.prefLabel, Literal("Local Authority", lang="en")))
    _typed(graph, THEME_SCHEME, SKOS.ConceptScheme)
    graph.add((THEME_SCHEME, DCTERMS.title, Literal("Data theme", lang="en")))
    for code, (sv, en) in THEMES.items():
        theme = _typed(graph, URIRef(f"{EU}data-theme/{code}"), SKOS.Concept)
        graph.add((theme, SKOS.inScheme, THEME_SCHEME))
        graph.add((theme, SKOS.prefLabel, Literal(sv, lang="sv")))
        graph.add((theme, SKOS.prefLabel, Literal(en, lang="en")))


def dcat_graph(db_path: Path | str, base_url: str) -> Graph:
    """The DCAT-AP-SE catalogue, dataset and distributions for a published database."""
    base = base_url.rstrip("/")
    name = DATABASE_NAME
    rounds = _rounds(db_path)
    when = Literal(data_modified(db_path).isoformat(), datatype=XSD.date)
    graph = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF), ("vcard", VCARD),
                              ("skos", SKOS), ("dcatap", DCATAP)):
        graph.bind(prefix, namespace)
    catalog, dataset = URIRef(f"{base}/#catalog"), URIRef(f"{base}/#dataset")
    publisher, contact = PUBLISHER, URIRef(f"{base}/#contact")
    home = _typed(graph, URIRef(f"{base}/"), FOAF.Document)
    _vocabulary(graph)

    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal("Örebro kommun", lang="sv")))
    graph.add((publisher, DCTERMS.type, PUBLISHER_TYPE))
    _typed(graph, contact, VCARD.Kind, VCARD.Organization)
    graph.add((contact, VCARD.fn, Literal("Örebro kommun, samordnare för samverkan med civilsamhället", lang="sv")))
    graph.add((contact, VCARD.hasURL, URIRef(f"{base}/om")))
    spatial = BNode(f"kommun{MUNICIPALITY_CODE}")
    graph.add((spatial, RDF.type, DCTERMS.Location))
    graph.add((spatial, SKOS.prefLabel, Literal(MUNICIPALITY, lang="sv")))
    graph.add((spatial, DCTERMS.identifier, Literal(MUNICIPALITY_CODE)))

    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("Samverkan KB", lang="sv")))
    graph.add((catalog, DCTERMS.description, Literal("Katalog för kunskapsbasen Samverkan KB.", lang="sv")))
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((catalog, DCTERMS.license, CC0))
    graph.add((catalog, FOAF.homepage, home))
    graph.add((catalog, DCTERMS.language, SWEDISH))
    graph.add((catalog, DCTERMS.spatial, spatial))
    graph.add((catalog, DCTERMS.issued, when))
    graph.add((catalog, DCTERMS.modified, when))
    graph.add((catalog, DCAT.themeTaxonomy, THEME_SCHEME))
    graph.add((catalog, DCAT.dataset, dataset))

    description, description_en = _description(rounds)
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(TITLE, lang="sv")))
    graph.add((dataset, DCTERMS.title, Literal(TITLE_EN, lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(description, lang="sv")))
    graph.add((dataset, DCTERMS.description, Literal(description_en, lang="en")))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((dataset, DCAT.contactPoint, contact))
    graph.add((dataset, DCAT.landingPage, home))
    graph.add((dataset, DCTERMS.language, SWEDISH))
    graph.add((dataset, DCTERMS.spatial, spatial))
    graph.add((dataset, DCTERMS.issued, when))
    graph.add((dataset, DCTERMS.modified, when))
    for code in THEMES:
        graph.add((dataset, DCAT.theme, URIRef(f"{EU}data-theme/{code}")))
    graph.add((dataset, DCTERMS.accessRights, PUBLIC))
    for round_, _ in rounds:
        graph.add((dataset, DCTERMS.temporal, _period(graph, f"{round_}-01-01", f"{round_}-12-31")))
    for keyword in KEYWORDS:
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang="sv")))

    _distribution(graph, dataset, f"{base}/{name}.db", "Hela databasen (SQLite)",
                  "Hela kunskapsbasen som en SQLite-fil: alla tabeller och vyer, för egna SQL-frågor.",
                  "application/vnd.sqlite3", when)
    for table, title, text in ENDPOINTS:
        for ext, media in (("csv", "text/csv"), ("json", "application/json")):
            _distribution(graph, dataset, f"{base}/{name}/{table}.{ext}?_size=max",
                          f"{title} ({_MEDIA_LABEL[media]})", f"{text} Format: {_MEDIA_LABEL[media]}.", media, when)
    _distribution(
        graph, dataset, f"{base}/om#refi-qda", "Tematisk kodning som REFI-QDA-projekt (kb export qdpx)",
        "Fritextpunkterna med kodbok och kodningar som REFI-QDA-projekt (.qdpx) för QualCoder, NVivo och "
        "ATLAS.ti. Skapas med kommandot `kb export qdpx`; sidan beskriver hur.",
        "application/zip", when, download=False,
    )
    return graph


def _period(graph: Graph, start: str, end: str) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((node, DCAT.startDate, Literal(start, datatype=XSD.date)))
    graph.add((node, DCAT.endDate, Literal(end, datatype=XSD.date)))
    return node


def is_loopback_url(url: str) -> bool:
    """Whether a URL points at this machine (localhost, 127.0.0.0/8, ::1): nothing a portal can harvest."""
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def write_dcat(db_path: Path | str, out_path: Path | str, base_url: str) -> None:
    """Write the DCAT-AP-SE RDF/XML for the database to out_path."""
    data = dcat_graph(db_path, base_url).serialize(format="pretty-xml", encoding="utf-8")
    Path(out_path).write_bytes(data)
