"""Publish: what readers and other tools see of the knowledge base.

Owns Datasette serving and its plugin (`serve`, `plugin`; the plugin imports the hooks of `profiles`,
the profile pages built from `profile_data`, and of `cache`, the response cache; `swedish` holds number
formats and Swedish words for Datasette's templates), the forum registry tables (`forums`,
`forums.sql`), DCAT metadata (`dcat`) and the publication extras in the db: search indexes and verify
findings (`publication`). May import every lower stage: `kb.core`, `kb.survey`, `kb.coding`, `kb.graph`.
"""
