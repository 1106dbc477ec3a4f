"""Loaders: document tables -> tidy records -> RDF."""
