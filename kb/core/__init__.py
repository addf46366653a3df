"""Core: what every stage shares and nothing else.

Owns the db connection, the atomic write and what makes a file a Samverkan KB db of this schema version
(`db`), input errors (`errors`), repository paths (`paths`), slugs (`slug`), rounding (`rounding`), output
formats (`output`), the Swedish click classes, click's own messages in Swedish and the shared CLI contract
(`swedish_click`, `click_sv`, `cli_common`) and the fingerprint of build inputs (`fingerprint`).
May import only the standard library and third-party packages: never `ingest` or another `kb` package.
"""
