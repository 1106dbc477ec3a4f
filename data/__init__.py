"""Bundled source documents (read-only copies) and the reviewed data files that repair them."""
