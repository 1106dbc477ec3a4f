"""Every rewrite of `bench/shapes/` answers exactly as its straightforward form (every term, in
order), on the seed graph, on a small synthetic graph and on a release with two survey waves (the
only graph where `wave-disagreements` has rows)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench import shapes, synthetic
from clusterkg.graph import waves
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.release import release_of_layout
from clusterkg.graph.store import OxigraphStore
from clusterkg.loaders.survey.template import rows_from_tables, write_template
from tests.graph.wave_support import csv_set, with_budget

PAIRS = shapes.rewrites()


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    path = tmp_path_factory.mktemp("shapes") / "synthetic.nq"
    synthetic.write(path, organisations=60, seed=2)
    return OxigraphStore.from_file(path)


@pytest.fixture(scope="module")
def waves_store(
    built: tuple[OxigraphStore, BuildSummary], tmp_path_factory: pytest.TempPathFactory
) -> OxigraphStore:
    """The seed build served with two waves restating Czechia and Denmark, the second with the
    Czech programme's budget changed (as `tests/graph/test_release.py` loads them)."""
    folder = tmp_path_factory.mktemp("shapes-waves")
    write_template(folder / "survey", rows=rows_from_tables(built[1].out_dir / "tables",
                                                            ["CZE", "DNK"]))
    restated = csv_set(folder / "survey")
    dist = folder / "dist"
    shutil.copytree(built[1].out_dir, dist, symlinks=True)
    waves.load_wave(restated, "2018", dist)
    waves.load_wave(with_budget(restated, "12000000"), "2021", dist)
    return release_of_layout(dist)[0]


def test_every_shape_names_an_existing_rewrite() -> None:
    assert PAIRS
    for pair in PAIRS:
        assert pair.rewritten.is_file(), pair
        assert pair.rewritten.read_text() != pair.straightforward.read_text()


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_rewrite_answers_as_the_straightforward_form(
    pair: shapes.Rewrite, built_store: OxigraphStore, synthetic_store: OxigraphStore,
    waves_store: OxigraphStore,
) -> None:
    answered = False
    for store in (built_store, synthetic_store, waves_store):
        expected = shapes.answer(store, pair.straightforward.read_text())
        answered = answered or bool(expected)
        assert shapes.answer(store, pair.rewritten.read_text()) == expected
    assert answered, f"{pair.name}: no graph here gives the comparison a row"


def test_compare_reports_identical_answers(synthetic_store: OxigraphStore) -> None:
    pair = next(p for p in PAIRS if p.name == "ratings-by-measure")
    row = shapes.compare(synthetic_store, pair, repeat=1)
    assert row["identical"] is True and row["rows"] > 0


def test_a_form_cut_at_its_limit_is_a_bound_and_not_asked_again(
    synthetic_store: OxigraphStore,
) -> None:
    pair = next(p for p in PAIRS if p.name == "ratings-by-measure")
    asked: list[str] = []

    def ask(text: str) -> list[tuple[object, ...]] | bool:
        asked.append(text)
        if text == pair.straightforward.read_text():
            raise TimeoutError("partial answer: X-SQL-State S1TAT")
        return shapes.answer(synthetic_store, text)

    row = shapes.compare_at(ask, pair, repeat=3)
    assert asked.count(pair.straightforward.read_text()) == 1
    assert asked.count(pair.rewritten.read_text()) == 4  # a warm-up and three timed
    assert row["straightforward_ms"] is None and "straightforward" in row["cut_s"]
    assert row["rewritten_ms"] is not None and row["identical"] is None
    assert row["rows"] > 0


def test_a_shape_without_its_rewrite_header_is_refused(tmp_path: Path) -> None:
    (tmp_path / "q.rq").write_text("#+ summary: x\nSELECT * { ?s ?p ?o }\n")
    with pytest.raises(ValueError, match="rewritten-as"):
        shapes.rewrites(tmp_path)
