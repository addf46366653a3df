"""Core: what every stage shares and nothing else.

Owns the db connection and atomic write (`db`), input errors (`errors`), repository paths (`paths`), slugs
(`slug`), rounding (`rounding`), output formats (`output`), the Swedish click classes and the shared CLI
helpers (`swedish_click`, `cli_common`) and the fingerprint of build inputs (`fingerprint`).
May import only the standard library and third-party packages: never `ingest` or another `kb` package.
"""
