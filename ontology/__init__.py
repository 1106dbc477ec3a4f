"""The OWL ontology, SKOS vocabularies and ontology checks (Turtle and SPARQL files)."""
