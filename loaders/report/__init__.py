"""Report extraction: each document table or text part into tidy records, one module per table,
the helpers they share (document lines, cells, crosswalks, regions, vocabularies) in modules
of their own."""
