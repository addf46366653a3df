"""End to end in a real browser: Debian's chromium, headless, driven by Playwright (no browser download).

Loads the start page, a table page, the charts, the forum network and the map; checks that chart bars,
network nodes and map markers are drawn, that a node click opens its row, and that the console has no
errors. Screenshots go to test-artifacts/. Map tiles are answered locally (the network is closed), and the
test checks they were requested with a Referer, which OpenStreetMap requires.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest

from ingest.forums import FORUMS_FILE, load_forums
from kb.core.paths import ROOT
from kb.publish.serve import make_datasette

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000105fe02fea70000000049454e44ae426082"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_chromium_is_installed():
    assert CHROMIUM is not None, "chromium saknas: `apt-get install chromium` (.ci/run installerar den)"


def _serve(db_path):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(make_datasette(db_path).app(), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert instance.started
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def server(demo_db_path):
    """The build with test forums that have coordinates."""
    yield from _serve(demo_db_path)


@pytest.fixture(scope="module")
def real_server(publish_db_path):
    """The real build: the seeded forums have no coordinates."""
    yield from _serve(publish_db_path)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    import playwright.sync_api as playwright_api

    assert CHROMIUM is not None, "chromium saknas: `apt-get install chromium` (.ci/run installerar den)"
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1200, "height": 900},
        )
        yield context
        context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.errors = []
    page.tile_referers = []
    page.warnings = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("console", lambda m: page.warnings.append(m.text) if m.type == "warning" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))

    def tile(route, request):
        page.tile_referers.append(request.headers.get("referer"))
        route.fulfill(status=200, content_type="image/png", body=PNG)

    page.route("https://*.tile.openstreetmap.org/**", tile)
    page.route("https://tile.openstreetmap.org/**", tile)
    yield page
    page.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_start_page(page, server):
    page.goto(server + "/", wait_until="networkidle")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator(".kb-cards li").count() >= 6
    shot(page, "start")
    assert page.errors == []


def test_table_page(page, server):
    page.goto(server + "/samverkan/table1_departments_per_category?round=2022", wait_until="networkidle")
    assert page.locator("table.rows-and-columns tbody tr").count() == 15
    assert page.locator(".reconstruction-notice").is_visible()
    shot(page, "tabell")
    assert page.errors == []


def test_charts(page, server):
    page.goto(server + "/diagram", wait_until="networkidle")
    assert page.locator("#diagram-t1 rect.kb-bar").count() == 15
    assert page.locator("#diagram-t1 line.kb-published").count() == 15
    assert page.locator("#diagram-heatmap rect.kb-cell").count() == 15 * 17
    assert page.locator("#diagram-heatmap .kb-heat-legend rect.kb-legend-cell").count() == 3
    assert page.locator("#diagram-heatmap .kb-heat-legend circle.kb-relevance").count() == 3
    # no column label reaches outside the drawing (the last ones used to be clipped on the right and top)
    outside = page.evaluate(
        """(() => { const svg = document.querySelector('#diagram-heatmap svg'); const box = svg.viewBox.baseVal;
                    return Array.from(svg.querySelectorAll('text')).filter(t => {
                      const b = t.getBBox(), m = t.getCTM(), s = svg.getCTM().inverse().multiply(m);
                      const corners = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height],
                                       [b.x + b.width, b.y + b.height]];
                      const pts = corners.map(([x, y]) => new DOMPoint(x, y).matrixTransform(s));
                      return pts.some(p => p.x < box.x - 1 || p.y < box.y - 1 || p.x > box.x + box.width + 1
                                           || p.y > box.y + box.height + 1); }).map(t => t.textContent); })()"""
    )
    assert outside == []
    shot(page, "diagram")
    assert page.errors == []


RENDERED_LABEL_SIZES = """(sel) => Array.from(document.querySelectorAll(sel)).map(t => {
    // the size on screen: the CSS font size times the scale of the SVG drawing it sits in
    const m = t.getScreenCTM();
    return [t.textContent, parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b)]; })"""


def test_charts_on_a_phone(page, server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/diagram", wait_until="networkidle")
    page.wait_for_selector("#diagram-heatmap[data-drawn]")
    assert page.locator("#diagram-t1 rect.kb-bar").count() == 15
    labels = page.evaluate(RENDERED_LABEL_SIZES, "figure.kb-chart text.kb-label, figure.kb-chart text.kb-value")
    assert len(labels) > 50
    assert [name for name, size in labels if size < 10] == []
    # a bar chart follows its box; labels that do not fit are shortened and keep the full text in a <title>
    assert page.evaluate(
        """Array.from(document.querySelectorAll('figure.kb-chart[data-chart=bar] svg')).every(svg =>
             svg.getBoundingClientRect().right <= svg.parentElement.getBoundingClientRect().right + 1)"""
    )
    assert page.evaluate(
        """Array.from(document.querySelectorAll('text.kb-label[data-full]')).every(t =>
             t.firstChild.nodeValue.endsWith('…') && t.querySelector('title').textContent === t.dataset.full)"""
    )
    # only the heat map is wider than the phone, and it scrolls inside its own box, not the page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    area = page.locator("#diagram-heatmap .kb-chart-area")
    assert area.evaluate("a => getComputedStyle(a).overflowX") == "auto"
    shot(page, "diagram-telefon")
    assert page.errors == []


def test_forum_map(page, server):
    page.goto(server + "/samverkan/forums", wait_until="networkidle")
    page.wait_for_selector(".leaflet-marker-icon", timeout=15000)
    assert page.locator(".leaflet-marker-icon").count() >= 1
    assert page.tile_referers and all(r and r.startswith(server) for r in page.tile_referers)
    assert page.locator(".kb-map-note").count() == 0
    shot(page, "karta")
    assert page.errors == []


def test_forum_map_is_hidden_without_coordinates(page, real_server):
    page.goto(real_server + "/samverkan/forums", wait_until="networkidle")
    page.wait_for_timeout(500)  # the map would be drawn after the page's scripts have loaded
    assert page.locator("table.rows-and-columns tbody tr").count() == len(load_forums(FORUMS_FILE))
    assert page.locator(".leaflet-container").count() == 0
    assert page.locator(".kb-map-note").is_visible()
    assert page.tile_referers == []
    shot(page, "karta-utan-koordinater")
    assert page.errors == []


def test_network_on_a_phone(page, server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/natverk", wait_until="networkidle")
    page.wait_for_selector("#kb-network[data-drawn]", timeout=15000)
    drawn = int(page.locator("#kb-network").get_attribute("data-drawn"))
    assert drawn >= 5
    assert page.locator(".kb-filters .kb-swatch").count() == 7
    assert not [w for w in page.warnings if "wheel" in w.lower()]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # not a hairball: forms, themes and development areas start unchecked and hidden
    boxes = page.evaluate(
        """Object.fromEntries(Array.from(document.querySelectorAll('input[data-kind-filter]'))
             .map(b => [b.dataset.kindFilter, b.checked]))"""
    )
    assert boxes == {"forum": True, "department": True, "category": True, "goal_area": True,
                     "form": False, "theme": False, "development_area": False}
    shown = page.evaluate("Array.from(new Set(window.kbNetwork.nodes(':visible').map(n => n.data('kind'))))")
    assert set(shown) <= {"forum", "department", "category", "goal_area"} and "department" in shown
    assert page.evaluate("window.kbNetwork.nodes('[kind = \"form\"]').every(n => n.hasClass('dolt'))")
    # at the start only forums and departments are labelled, in a readable size; zooming in labels the rest
    labelled = """(() => { const cy = window.kbNetwork;
                   const on = cy.nodes(':visible').filter(n => n.style('label') !== '');
                   return [Array.from(new Set(on.map(n => n.data('kind')))).sort(),
                           Math.min(...on.map(n => parseFloat(n.renderedStyle('font-size'))))]; })()"""
    kinds, size = page.evaluate(labelled)
    assert kinds == ["department", "forum"] and size >= 10
    shot(page, "natverk-telefon")
    page.evaluate("window.kbNetwork.zoom(window.kbNetwork.zoom() * 2.5)")
    kinds, size = page.evaluate(labelled)
    assert kinds == ["category", "department", "forum", "goal_area"] and size >= 10
    page.locator("input[data-kind-filter=form]").check()
    assert page.evaluate("window.kbNetwork.nodes('[kind = \"form\"]:visible').length") > 0
    page.locator("input[data-kind-filter=department]").uncheck()
    hidden = page.evaluate("window.kbNetwork.nodes('.dolt[kind = \"department\"]').length")
    assert hidden == page.evaluate("window.kbNetwork.nodes('[kind = \"department\"]').length") > 0
    node = page.evaluate(
        """(() => { const cy = window.kbNetwork;
                    const n = cy.nodes('[kind = "forum"]')[0] || cy.nodes('[kind = "category"]')[0];
                    document.getElementById('kb-network').scrollIntoView();
                    cy.zoom(3); cy.center(n);
                    return n.id(); })()"""
    )
    page.wait_for_timeout(500)  # let the scroll settle: Cytoscape caches the container's position
    x, y = page.evaluate(
        """(id) => { const p = window.kbNetwork.getElementById(id).renderedPosition();
                     const r = document.getElementById('kb-network').getBoundingClientRect();
                     return [r.left + p.x, r.top + p.y]; }""",
        node,
    )
    with page.expect_navigation():
        page.mouse.click(x, y)
    kind, key = node.split(":", 1)
    assert page.url == f"{server}/samverkan/{'forums' if kind == 'forum' else 'categories'}/{key}"
    assert page.errors == []


@pytest.fixture(scope="module")
def two_rounds_server(two_rounds_db):
    """A build with the synthetic 2024 round in the synthetic organisation (issue 11)."""
    yield from _serve(two_rounds_db)


def test_change_page_draws_both_rounds(page, two_rounds_server, real_server):
    page.goto(two_rounds_server + "/forandring", wait_until="networkidle")
    page.wait_for_selector("#forandring-kategorier[data-drawn]")
    assert page.locator("#forandring-kategorier rect.kb-bar").count() == 15
    assert page.locator("#forandring-kategorier line.kb-published").count() == 15  # the earlier round's marker
    assert page.locator("#forandring-former rect.kb-bar").count() == 14
    norr = page.locator("table.kb-compare tr", has_text="Testförvaltningen Norr").inner_text()
    assert "Förvaltningen för sociala insatser (sammanslagen)" in norr
    assert "Vård- och omsorgsförvaltningen (sammanslagen)" in norr
    assert page.locator(".reconstruction-notice").is_visible()
    shot(page, "forandring")
    assert page.errors == []
    page.goto(real_server + "/forandring", wait_until="networkidle")
    assert "bara en omgång med svar (2022)" in page.locator(".kb-one-round").inner_text()
    assert page.errors == []


def test_an_injected_inline_handler_or_script_is_blocked_by_the_csp(page, server):
    """As if a value had slipped through escaping: the served page (with its real headers) gets an inline
    handler, an onclick and a <script> added; the browser must run none of them, yet run the site's own
    inline scripts (allowed by hash)."""
    injected = (
        '<img src="/-/static/nope.png" onerror="window.kbInjected = 1">'
        '<button id="kb-injected" onclick="window.kbClicked = 1">x</button>'
        "<script>window.kbInjectedScript = 1</script></body>"
    )

    def inject(route):
        response = route.fetch()
        assert "'unsafe-inline'" not in response.headers["content-security-policy"].split("style-src")[0]
        route.fulfill(response=response, body=response.text().replace("</body>", injected))

    page.route(server + "/samverkan/forums", inject)
    page.goto(server + "/samverkan/forums", wait_until="networkidle")
    page.click("#kb-injected")
    page.wait_for_timeout(200)
    assert page.evaluate("[window.kbInjected, window.kbClicked, window.kbInjectedScript]") == [None, None, None]
    assert page.evaluate("window.DATASETTE_ALLOW_FACET") is True  # the site's own inline script ran
    assert page.evaluate("typeof window.DATASETTE_CLUSTER_MAP_TILE_LAYER") == "string"
    violations = [e for e in page.errors if "Content Security Policy" in e]
    assert len(violations) >= 3, page.errors
