"""DCAT-AP-SE metadata for the published knowledge base, as RDF/XML (what dataportal.se harvests)."""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
FILE_TYPE = EU + "file-type/"
# dct:format from the EU file-type vocabulary where it has the format; else the media type itself
FORMATS = {"text/csv": "CSV", "application/json": "JSON", "application/zip": "ZIP"}
PUBLISHER = URIRef("https://www.orebro.se")
PUBLISHER_TYPE = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
DATABASE_NAME = "samverkan"  # kb serve publishes the file under this name whatever it is called
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
TITLE = "Samverkan KB – Örebro kommuns samverkan med civilsamhället"
DESCRIPTION = (
    "Kunskapsbas om Örebro kommuns samverkan med civilsamhället, byggd på Inventering av samverkan med det "
    "civila samhället 2022: rapportens tabeller, svarsrader (för 2022 en rekonstruktion förenlig med rapporten), "
    "fritextpunkter med tematisk kodning, luckor i samverkan och ett register över samverkansforum."
)
TITLE_EN = "Samverkan KB – Örebro municipality's collaboration with civil society"
DESCRIPTION_EN = (
    "Knowledge base of Örebro municipality's collaboration with civil society, built on its 2022 inventory."
)
KEYWORDS = ["civilsamhälle", "samverkan", "idéburen sektor", "föreningar", "Örebro kommun", "hållbar utveckling"]
# (table, title) of the main CSV/JSON endpoints
ENDPOINTS = [
    ("published_figures", "Rapportens publicerade siffror"),
    ("statements", "Fritextpunkter: svårt och positivt med samverkan"),
    ("forums", "Forumregistret"),
    ("collaborations", "Svarsrader: samverkan per förvaltning, kategori och form"),
]


def _distribution(graph: Graph, dataset: URIRef, url: str, title: str, media: str, download: bool = True) -> None:
    node = URIRef(f"{url}#distribution") if "#" not in url else BNode()
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal(title, lang="sv")))
    graph.add((node, DCAT.accessURL, URIRef(url)))
    if download:
        graph.add((node, DCAT.downloadURL, URIRef(url)))
    graph.add((node, DCAT.mediaType, URIRef(IANA + media)))
    graph.add((node, DCTERMS["format"], URIRef(FILE_TYPE + FORMATS[media] if media in FORMATS else IANA + media)))
    graph.add((node, DCTERMS.license, CC0))


def dcat_graph(db_path: Path | str, base_url: str) -> Graph:
    """The DCAT-AP-SE catalogue, dataset and distributions for a published database."""
    base = base_url.rstrip("/")
    name = DATABASE_NAME
    graph = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF), ("vcard", VCARD)):
        graph.bind(prefix, namespace)
    catalog, dataset = URIRef(f"{base}/#catalog"), URIRef(f"{base}/#dataset")
    publisher, contact = PUBLISHER, URIRef(f"{base}/#contact")

    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal("Örebro kommun", lang="sv")))
    graph.add((publisher, DCTERMS.type, PUBLISHER_TYPE))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal("Örebro kommun, samordnare för samverkan med civilsamhället", lang="sv")))
    graph.add((contact, VCARD.hasURL, URIRef(f"{base}/om")))

    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("Samverkan KB", lang="sv")))
    graph.add((catalog, DCTERMS.description, Literal("Katalog för kunskapsbasen Samverkan KB.", lang="sv")))
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((catalog, DCTERMS.license, CC0))
    graph.add((catalog, FOAF.homepage, URIRef(f"{base}/")))
    graph.add((catalog, DCTERMS.language, URIRef(EU + "language/SWE")))
    graph.add((catalog, DCAT.dataset, dataset))

    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(TITLE, lang="sv")))
    graph.add((dataset, DCTERMS.title, Literal(TITLE_EN, lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(DESCRIPTION, lang="sv")))
    graph.add((dataset, DCTERMS.description, Literal(DESCRIPTION_EN, lang="en")))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((dataset, DCAT.contactPoint, contact))
    graph.add((dataset, DCAT.landingPage, URIRef(f"{base}/")))
    graph.add((dataset, DCTERMS.language, URIRef(EU + "language/SWE")))
    graph.add((dataset, DCAT.theme, URIRef(EU + "data-theme/SOCI")))
    graph.add((dataset, DCAT.theme, URIRef(EU + "data-theme/GOVE")))
    graph.add((dataset, DCTERMS.accessRights, URIRef(EU + "access-right/PUBLIC")))
    graph.add((dataset, DCTERMS.temporal, _period(graph, "2022-01-01", "2022-12-31")))
    for keyword in KEYWORDS:
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang="sv")))

    _distribution(graph, dataset, f"{base}/{name}.db", "Hela databasen (SQLite)", "application/vnd.sqlite3")
    for table, title in ENDPOINTS:
        _distribution(graph, dataset, f"{base}/{name}/{table}.csv?_size=max", f"{title} (CSV)", "text/csv")
        _distribution(graph, dataset, f"{base}/{name}/{table}.json?_size=max", f"{title} (JSON)", "application/json")
    _distribution(
        graph,
        dataset,
        f"{base}/om#refi-qda",
        "Tematisk kodning som REFI-QDA-projekt (kb export qdpx)",
        "application/zip",
        download=False,
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
