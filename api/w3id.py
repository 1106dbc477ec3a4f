"""The `.htaccess` that registers `https://w3id.org/clusterkg/` at w3id.org, for a server.

w3id.org keeps one folder per namespace with an `.htaccess` of rewrite rules and a README
naming the maintainers (github.com/perma-id/w3id.org). The rules are the template
`api/templates/w3id.htaccess`; the public address of the server is the one thing a deployment
supplies: `python -m clusterkg.api.w3id https://clusterkg.example.eu > clusterkg/.htaccess`.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from clusterkg.paths import API_DIR

TEMPLATE = API_DIR / "templates" / "w3id.htaccess"


def render(server: str) -> str:
    """The rules redirecting every IRI of the namespace to `server` (an https base URL)."""
    parts = urlsplit(server)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"server must be an https base URL such as https://host/path, "
                         f"got {server!r}")
    return TEMPLATE.read_text(encoding="utf-8").replace("{{ server }}", server.rstrip("/"))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m clusterkg.api.w3id https://<server>", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(render(argv[0]))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
