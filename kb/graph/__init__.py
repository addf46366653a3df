"""Graph: the incidence graph of a round, its metrics, the gaps and the graph exports.

Owns the graph model (`incidence`), NetworkX metrics with the optional igraph backend (`metrics`,
`metrics_igraph`), gap scoring, stability and explanation text (`gap_scoring`, `gap_stability`,
`gap_text`, with `gaps` composing them), the graph tables in the db (`store`) and GEXF/GraphML/JSON
exports (`export`), and both perspectives in one graph, departments' and organisations' (`perspective`,
`perspective_commands`; issue 12). May import `kb.core`, `kb.survey`, `kb.coding` and the `ingest` loaders.
"""
