"""clusterkg: a knowledge graph of European cluster policy."""

__version__ = "0.1.0"
