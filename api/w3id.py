"""The `.htaccess` that registers `https://w3id.org/clusterkg/` at w3id.org.

w3id.org keeps one folder per namespace with an `.htaccess` of rewrite rules and a README
(github.com/perma-id/w3id.org). The rules are the template `api/templates/w3id.htaccess`; the
server they point to is the one setting of `data/publication.yaml`. The rendered file ships as
`w3id/clusterkg/.htaccess` (a test keeps it equal to this output):
`python -m clusterkg.api.w3id > w3id/clusterkg/.htaccess`.
"""

from __future__ import annotations

import sys

from clusterkg.paths import API_DIR
from clusterkg.publication import https_base, publication

TEMPLATE = API_DIR / "templates" / "w3id.htaccess"


def render(server: str | None = None) -> str:
    """The rules redirecting every IRI of the namespace to `server` (an https base URL; the
    published server of `data/publication.yaml` unless given)."""
    base = https_base(server) if server is not None else publication().server
    return TEMPLATE.read_text(encoding="utf-8").replace("{{ server }}", base)


def main(argv: list[str]) -> int:
    """`python -m clusterkg.api.w3id`: print the rules for the published server."""
    if argv:
        print("usage: python -m clusterkg.api.w3id  (the server is data/publication.yaml's)",
              file=sys.stderr)
        return 2
    try:
        sys.stdout.write(render())
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
