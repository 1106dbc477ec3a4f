"""SHACL shapes that gate every build and every survey load."""
