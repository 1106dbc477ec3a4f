"""The `#+ view:` header of the library's queries: the view the query page opens a query in.
A chart needs a numeric column beside a category; a map needs the country authority IRI."""

from __future__ import annotations

import re

from clusterkg.queries.library import library, parse_header

VIEWS = {"table", "chart", "map"}


def test_views_are_known_and_fit_their_query() -> None:
    views = {name: parse_header(q.path).get("view", []) for name, q in library().items()}
    assert sum(1 for v in views.values() if v == ["chart"]) >= 5
    assert any(v == ["map"] for v in views.values())
    for name, view in views.items():
        assert len(view) <= 1 and set(view) <= VIEWS, f"{name}: view {view}"
        select = re.search(r"^SELECT(.*?)^WHERE", library()[name].text, re.S | re.M)
        assert select, name
        if view in (["chart"], ["map"]):
            assert re.search(r"COUNT|SUM|AVG|\?amount|\?\w*EUR", select.group(1)), (
                f"{name}: a {view[0]} needs a numeric column")
        if view == ["map"]:
            assert "?country " in select.group(1), f"{name}: a map needs the ?country IRI"
