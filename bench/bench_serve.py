"""Bounded load on loopback: `kb serve` against plain Datasette on the same file.

For a table page, a row page, a canned query and a JSON endpoint, CLIENTS concurrent clients request for SECONDS
seconds (in ROUNDS slices alternating between the two servers, which run side by side); prints requests/s,
p50/p95/p99 latency and errors for both servers, and the share of plain Datasette's throughput ours reaches
(target: at least 75 %, i.e. our plugins and templates cost at most 25 %; and p95 under 500 ms).

Each page is measured twice: "varm", the same address again and again (as when many council members open the
same page; `kb serve` answers from its response cache, kb.publish.cache), and "kall", a new address every
request (an ignored `_kb=<n>` argument), so every request is rendered from the database on both servers.

Plain Datasette gets the same file, metadata (so the canned query exists) and settings, but none of our
templates, static files or plugins (nor the other installed plugins). Only 127.0.0.1 is ever contacted.

    .venv/bin/python bench/bench_serve.py [--db data/samverkan.db] [--clients 50] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readme_figures import report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.core.paths import DEFAULT_DB  # noqa: E402
from kb.publish.serve import METADATA, SETTINGS  # noqa: E402

ENDPOINTS = {
    "tabellsida": "/samverkan/forums",
    "radsida": "/samverkan/departments/vard-och-omsorgsforvaltningen",
    "sparad fråga": "/samverkan/tabell_1?omgang=2022",
    "JSON": "/samverkan/statements.json?_shape=array&_size=100",
}
MODES = ("varm", "kall")
# Where each page's figures sit in the README's measurement table: the row key, then the index (among the
# numbers of its second cell, where the "95" of "p95" counts too) of: warm share of plain (x), warm p95,
# cold share of plain (%), cold p95.
README_ROWS = {
    "tabellsida": ("`kb serve` vs plain", 0, 2, 3, 5),
    "radsida": ("… row page", 0, 3, 6, 8),
    "sparad fråga": ("… canned query", None, 3, 6, 8),
    "JSON": ("… JSON endpoint", None, 3, 6, 8),
}
TARGET_SHARE, TARGET_P95_MS = 0.75, 500.0
OURS = (
    "from kb.publish.serve import serve; import sys; from pathlib import Path; "
    "serve(Path(sys.argv[1]), port=int(sys.argv[2]))"
)
PLAIN = """
import sys
from datasette.plugins import pm
for plugin in list(pm.get_plugins()):
    if not getattr(plugin, "__name__", "").startswith("datasette."):
        pm.unregister(plugin)
from datasette.cli import cli
cli.main(args=["serve", "-i", sys.argv[1], "--port", sys.argv[2], "--host", "127.0.0.1", *sys.argv[3:]],
         prog_name="datasette")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(code: str, db: Path, port: int, extra: list[str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(db), str(port), *extra],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1, trust_env=False).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"servern på port {port} startade inte")


def addresses(path: str, cold: bool):
    """The same path every time, or (cold) the path with a new ignored argument every time."""
    counter = 0
    while True:
        counter += 1
        yield f"{path}{'&' if '?' in path else '?'}_kb={counter}" if cold else path


class Connection:
    """One keep-alive HTTP/1.1 connection on loopback, as light as possible so the client side costs little
    (httpx took more CPU than the servers it measured). Reads Content-Length or chunked bodies."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        if headers.get("connection") == "close":
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def load(base: str, path: str, clients: int, seconds: float, cold: bool = False) -> dict:
    latencies: list[float] = []
    errors = 0
    paths = addresses(path, cold)
    stop = time.monotonic() + seconds
    host, port = base.split("//", 1)[1].rsplit(":", 1)

    async def worker() -> None:
        nonlocal errors
        connection = Connection(host, int(port))
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                ok = await asyncio.wait_for(connection.get(next(paths)), 30) == 200
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                ok = False
                connection.close()
            latencies.append(time.perf_counter() - started)
            errors += not ok
        connection.close()

    began = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.monotonic() - began
    return {"latencies": latencies, "elapsed": elapsed, "errors": errors, "requests": len(latencies)}


def measure(bases: dict[str, str], clients: int, seconds: float, rounds: int) -> dict[tuple[str, str], dict]:
    """Alternate the servers in short slices, so a change in the machine's load hits both alike."""
    samples: dict[tuple[str, str], list[dict]] = {}
    for label, path in ENDPOINTS.items():
        for base in bases.values():
            asyncio.run(load(base, path, min(clients, 5), 1))  # warm up
        for mode in MODES:
            for _ in range(rounds):
                for name, base in bases.items():
                    run = asyncio.run(load(base, path, clients, seconds / rounds, cold=mode == "kall"))
                    samples.setdefault((name, f"{label} {mode}"), []).append(run)
    results = {}
    for key, runs in samples.items():
        latencies = sorted(x for run in runs for x in run["latencies"])
        cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
        results[key] = {
            "rps": sum(run["requests"] for run in runs) / sum(run["elapsed"] for run in runs),
            "p50": cuts[49] * 1000,
            "p95": cuts[94] * 1000,
            "p99": cuts[98] * 1000,
            "errors": sum(run["errors"] for run in runs),
        }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description="Belastningstest av kb serve mot vanlig Datasette (loopback).")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=4, help="Växla mellan servrarna så här många gånger per sida.")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"Databasen {args.db} finns inte: kör `kb build` först.", file=sys.stderr)
        return 2
    settings = [
        x for k, v in SETTINGS.items() for x in ("--setting", k, str(v).lower() if isinstance(v, bool) else str(v))
    ]
    servers = {
        "kb serve": (OURS, []),
        "vanlig datasette": (PLAIN, ["--metadata", str(METADATA), *settings]),
    }
    processes, bases = [], {}
    try:
        for name, (code, extra) in servers.items():
            port = free_port()
            processes.append(start(code, args.db.resolve(), port, extra))
            bases[name] = f"http://127.0.0.1:{port}"
        results = measure(bases, args.clients, args.seconds, args.rounds)
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
    print(f"{args.clients} samtidiga klienter, {args.seconds:g} s per sida, 127.0.0.1")
    print(f"{'server':<18}{'sida':<20}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'fel':>6}")
    for (name, label), r in results.items():
        print(f"{name:<18}{label:<20}{r['rps']:>8.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}{r['errors']:>6}")
    ok = True
    for label in ENDPOINTS:
        for mode in MODES:
            key = f"{label} {mode}"
            ours, plain = results[("kb serve", key)], results[("vanlig datasette", key)]
            share = ours["rps"] / plain["rps"] if plain["rps"] else float("inf")
            print(f"{key}: kb serve klarar {share:.0%} av vanlig Datasettes genomströmning, p95 {ours['p95']:.0f} ms")
            row, warm_share, warm_p95, cold_share, cold_p95 = README_ROWS[label]
            if mode == "varm":
                if warm_share is not None:
                    report(f"  {key}, gånger vanlig Datasette", share, "x", key=row, index=warm_share, digits=1)
                report(f"  {key}, p95", ours["p95"], "ms", key=row, index=warm_p95, digits=0)
            else:
                report(f"  {key}, andel av vanlig Datasette", 100 * share, "%", key=row, index=cold_share, digits=0)
                report(f"  {key}, p95", ours["p95"], "ms", key=row, index=cold_p95, digits=0)
            if label in ("tabellsida", "radsida") and mode == "varm":
                ok = ok and share >= TARGET_SHARE and ours["p95"] < TARGET_P95_MS
    print(
        f"Mål för tabell- och radsidor (varm): minst {TARGET_SHARE:.0%} och p95 under {TARGET_P95_MS:.0f} ms: "
        + ("uppfyllt" if ok else "INTE uppfyllt")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
