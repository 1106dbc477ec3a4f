"""Graph: store, build pipeline, provenance, reasoning."""
