"""The HTTP face of the graph: SPARQL, JSON-LD resources, pages."""
