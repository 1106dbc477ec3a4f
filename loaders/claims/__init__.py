"""Claims and quotes: reviewed facts that rest on exact quotes of the sources, and the claims
of the prose checked against the tables."""
