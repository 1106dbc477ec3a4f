"""Every rewrite of `bench/shapes/` answers exactly as its straightforward form (every term, in
order), on the seed graph and on a small synthetic graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import shapes, synthetic
from clusterkg.graph.store import OxigraphStore

PAIRS = shapes.rewrites()


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    path = tmp_path_factory.mktemp("shapes") / "synthetic.nq"
    synthetic.write(path, organisations=60, seed=2)
    return OxigraphStore.from_file(path)


def test_every_shape_names_an_existing_rewrite() -> None:
    assert PAIRS
    for pair in PAIRS:
        assert pair.rewritten.is_file(), pair
        assert pair.rewritten.read_text() != pair.straightforward.read_text()


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_rewrite_answers_as_the_straightforward_form(
    pair: shapes.Rewrite, built_store: OxigraphStore, synthetic_store: OxigraphStore
) -> None:
    answered = False
    for store in (built_store, synthetic_store):
        expected = shapes.answer(store, pair.straightforward.read_text())
        answered = answered or bool(expected)
        assert shapes.answer(store, pair.rewritten.read_text()) == expected
    assert answered, f"{pair.name}: no graph here gives the comparison a row"


def test_compare_reports_identical_answers(synthetic_store: OxigraphStore) -> None:
    row = shapes.compare(synthetic_store, PAIRS[0], repeat=1)
    assert row["identical"] is True and row["rows"] > 0


def test_a_shape_without_its_rewrite_header_is_refused(tmp_path: Path) -> None:
    (tmp_path / "q.rq").write_text("#+ summary: x\nSELECT * { ?s ?p ?o }\n")
    with pytest.raises(ValueError, match="rewritten-as"):
        shapes.rewrites(tmp_path)
