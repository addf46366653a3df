"""Build, save and load the coding pipeline; code texts with it.

The pipeline is ``spacy.blank("sv")`` + ``samverkan_normaliser`` + ``samverkan_matcher``. Building
it loads the full Swedish morphology (a few seconds); it is then saved with ``nlp.to_disk`` in a
cache directory keyed by the codebook's and this code's hash, and later runs load it from there.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.coding.codebook import DEFAULT_CODEBOOK, Codebook, load_codebook
from kb.core.paths import ROOT

PIPELINE_VERSION = "1"
DEFAULT_CACHE = ROOT / ".cache" / "kb-coding"
_CODE_FILES = ("forms.py", "morphology.py", "normalise.py", "matcher.py", "pipeline.py")


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "-"


def cache_dir_for(codebook: Codebook, cache_root: Path | None = None) -> Path:
    """The directory the pipeline for this codebook (and this code) is saved in."""
    root = Path(cache_root or os.environ.get("KB_CODING_CACHE") or DEFAULT_CACHE)
    digest = hashlib.sha256(codebook.sha.encode())
    here = Path(__file__).parent
    for name in _CODE_FILES:
        digest.update((here / name).read_bytes())
    digest.update(PIPELINE_VERSION.encode())
    for package in ("spacy", "spacy-lookups-data", "simplemma", "hunspell-sv", "chunspell"):
        digest.update(f"{package}={_version(package)}".encode())
    return root / digest.hexdigest()[:16]


def _words(codebook: Codebook) -> tuple[set[str], set[str], set[str]]:
    """Every word the codebook matches on (targets), the prefix-enabled ones and the base forms."""
    words: set[str] = set()
    prefixes: set[str] = set()
    keys: set[str] = set()
    for theme in codebook.themes:
        for term in theme.terms:
            words.update(term.text.split())
            if " " not in term.text:
                keys.add(term.text)
            if term.prefix:
                prefixes.add(term.text)
        for phrase in theme.exclude_phrases:
            words.update(phrase.split())
        for pattern in theme.patterns:
            for token in pattern.tokens:
                base = token.get("BASE")
                if isinstance(base, str):
                    words.add(base.lower())
                    keys.add(base.lower())
                elif isinstance(base, dict):
                    for values in base.values():
                        words.update(v.lower() for v in values)
                        keys.update(v.lower() for v in values)
    return words, prefixes, keys


def build_pipeline(codebook: Codebook, morphology=None):
    """Build the pipeline in memory from a codebook (slow: loads the dictionaries)."""
    import spacy

    from kb.coding import matcher as _matcher  # noqa: F401 - registers the factory
    from kb.coding import normalise as _normalise  # noqa: F401 - registers the factory
    from kb.coding.forms import FormIndex
    from kb.coding.morphology import default_morphology

    morphology = morphology or default_morphology()
    words, prefix_words, keys = _words(codebook)
    # Terms are written in their base form: that form is the key every inflection maps to.
    targets, prefixes = words, prefix_words
    nlp = spacy.blank("sv")
    normaliser = nlp.add_pipe("samverkan_normaliser")
    normaliser.index = FormIndex.build(morphology, targets, prefixes, keys)
    matcher = nlp.add_pipe("samverkan_matcher")
    matcher.set_codebook(codebook.to_data())
    matcher._compile()  # validate patterns now, with a clear error
    return nlp


def ensure_pipeline(codebook: Codebook | None = None, cache_root: Path | None = None) -> Path:
    """Build and save the pipeline unless the cache already holds it; return its directory."""
    codebook = codebook or load_codebook(DEFAULT_CODEBOOK)
    target = cache_dir_for(codebook, cache_root)
    if (target / "config.cfg").exists():
        return target
    nlp = build_pipeline(codebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".build-"))
    try:
        nlp.to_disk(tmp)
        try:
            tmp.rename(target)
        except OSError:  # built concurrently by someone else
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


_LOADED: dict[Path, Any] = {}


def load_pipeline(codebook: Codebook | None = None, cache_root: Path | None = None):
    """The pipeline for a codebook, loaded from the cache (built there first if needed)."""
    import spacy

    from kb.coding import matcher as _matcher  # noqa: F401
    from kb.coding import normalise as _normalise  # noqa: F401

    path = ensure_pipeline(codebook, cache_root)
    if path not in _LOADED:
        _LOADED[path] = spacy.load(path)
    return _LOADED[path]


@dataclass
class Result:
    """The codings of one text: themes found (affirmed) and negated matches (for audit)."""

    id: str
    kind: str | None
    codings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def themes(self) -> list[dict[str, Any]]:
        return [c for c in self.codings if not c["negated"]]

    @property
    def negated(self) -> list[dict[str, Any]]:
        return [c for c in self.codings if c["negated"]]

    @property
    def theme_ids(self) -> set[str]:
        return {c["theme"] for c in self.themes}

    JSON_KEYS = ("theme", "start", "end", "text", "rule", "layer", "confidence")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "themes": [{k: c.get(k) for k in self.JSON_KEYS} for c in self.themes],
            "negated": [{k: c.get(k) for k in self.JSON_KEYS} for c in self.negated],
        }


def code_texts(nlp, rows: Iterable[tuple[str, str, str | None]], batch_size: int = 1000) -> Iterator[Result]:
    """Code (id, text, kind) rows with nlp.pipe; the kind, when known, restricts the themes."""
    matcher = nlp.get_pipe("samverkan_matcher")
    rows = list(rows)
    texts = (unicodedata.normalize("NFC", text) for _, text, _ in rows)  # spans count NFC code points
    for (row_id, _, kind), doc in zip(rows, nlp.pipe(texts, batch_size=batch_size), strict=True):
        codings = doc.user_data.get("kb_codings", [])
        if kind:
            codings = [c for c in codings if matcher.kind.get(c["theme"]) == kind]
        yield Result(row_id, kind, [{k: v for k, v in c.items() if not k.startswith("token_")} for c in codings])


def code_one(nlp, text: str, kind: str | None = None) -> Result:
    """Code one text with a single nlp() call."""
    doc = nlp(unicodedata.normalize("NFC", text))
    codings = doc.user_data.get("kb_codings", [])
    if kind:
        kinds = nlp.get_pipe("samverkan_matcher").kind
        codings = [c for c in codings if kinds.get(c["theme"]) == kind]
    return Result("", kind, [{k: v for k, v in c.items() if not k.startswith("token_")} for c in codings])
