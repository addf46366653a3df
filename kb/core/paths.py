"""Where the project's files live (relative to the repository root)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INGEST_DIR = ROOT / "ingest"
DATA_DIR = ROOT / "data"
DEFAULT_DB = DATA_DIR / "samverkan.db"
DATASETTE_DIR = ROOT / "datasette"
