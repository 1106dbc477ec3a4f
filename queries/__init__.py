"""Named SPARQL queries for researchers, one per .rq file."""
