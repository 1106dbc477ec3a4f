"""`python -m clusterkg.api`: serve the dataset named by the `CLUSTERKG_*` environment."""

from clusterkg.api.app import serve

serve()
