"""Every human-readable programme and region label carries a language tag, taken from the
reviewed data (data/label-languages.csv, data/regions.csv), never guessed at build time."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.api.describe import select
from clusterkg.graph.store import OxigraphStore
from clusterkg.loaders.report.crosswalk import load_languages

LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
)
ID = "https://w3id.org/clusterkg/id/"


def _labels(store: OxigraphStore, iri: str) -> set[tuple[str, str, str]]:
    rows = select(store, f"SELECT ?p ?l WHERE {{ <{ID}{iri}> ?p ?l FILTER(isLiteral(?l)) }}")
    return {(r["p"].value.rsplit("#", 1)[1], r["l"].value, r["l"].language or "")
            for r in rows if r["p"].value in LABELS}


def test_every_programme_and_region_label_has_a_language_tag(built_store: OxigraphStore) -> None:
    values = " ".join(f"<{p}>" for p in LABELS)
    rows = list(select(built_store, f"""
        SELECT ?s ?l WHERE {{
          VALUES ?c {{ <https://w3id.org/clusterkg/ontology#ClusterProgramme>
                      <https://w3id.org/clusterkg/ontology#Region> }}
          VALUES ?p {{ {values} }}
          ?s a ?c ; ?p ?l FILTER(LANG(?l) = "") }}"""))
    assert [(r["s"].value, r["l"].value) for r in rows] == []
    programmes = list(select(
        built_store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/clusterkg/ontology#"
        "ClusterProgramme> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?l "
        "FILTER(LANG(?l) != '') }"))
    assert int(programmes[0]["n"].value) == 127  # 111 - guidance doc (line 408) + 17 (gap 8)


def test_names_in_another_language_are_tagged_with_it(built_store: OxigraphStore) -> None:
    assert ("prefLabel", "Politique des pôles de compétitivité", "fr") in _labels(
        built_store, "programme/FRA-poles-de-competitivite")
    assert ("prefLabel", "Nationale Clusterplattform", "de") in _labels(
        built_store, "programme/AUT-clusterplattform")


def test_the_english_name_a_source_gives_becomes_an_english_label(
    built_store: OxigraphStore,
) -> None:
    labels = _labels(built_store, "programme/DEU-spitzencluster")
    assert ("prefLabel", "Spitzenclusterwettbewerb (Leading-edge cluster competition)", "de") \
        in labels
    assert ("altLabel", "Leading-edge cluster competition", "en") in labels


def test_a_language_file_row_must_be_a_language_tag(tmp_path: Path) -> None:
    path = tmp_path / "label-languages.csv"
    path.write_text("spelling,language,english\nVinnväxt,Swedish,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 2, column language: 'Swedish'"):
        load_languages.__wrapped__(path)


def test_the_english_name_must_be_part_of_the_spelling(tmp_path: Path) -> None:
    path = tmp_path / "label-languages.csv"
    path.write_text("spelling,language,english\nVinnväxt,sv,Vinn growth\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 2, column english: 'Vinn growth' is not part"):
        load_languages.__wrapped__(path)
