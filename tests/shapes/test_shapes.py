"""The shapes: well-formed (SHACL-SHACL), split by concern, covering every ontology class, and
the valid/ and invalid/ example graphs (one test each)."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH

from clusterkg.paths import ONTOLOGY_FILE, SHAPES_DIR
from clusterkg.shapes.validation import (
    ValidationOutcome,
    check_shapes,
    load_shapes,
    validate,
    with_context,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))


def test_shapes_validate_against_shacl_shacl() -> None:
    assert check_shapes() == []


def test_shapes_are_split_by_concern_and_severity() -> None:
    names = {p.name for p in SHAPES_DIR.glob("*.ttl")}
    assert {"core.ttl", "recommended.ttl", "vocabularies.ttl"} <= names
    recommended = rdflib.Graph().parse(SHAPES_DIR / "recommended.ttl")
    severities = set(recommended.objects(None, SH.severity))
    assert severities == {SH.Warning}


def test_every_ontology_class_is_targeted() -> None:
    ontology = rdflib.Graph().parse(ONTOLOGY_FILE)
    targeted = set(load_shapes().objects(None, SH.targetClass))
    missing = []
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if not isinstance(cls, rdflib.URIRef):
            continue
        ancestors = set(ontology.transitive_objects(cls, RDFS.subClassOf))
        if not ancestors & targeted:
            missing.append(str(cls))
    assert missing == []


def _outcome(path: Path) -> ValidationOutcome:
    data = rdflib.Graph().parse(path, format="turtle")
    return validate(with_context(data))


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_example(path: Path) -> None:
    outcome = _outcome(path)
    assert outcome.violations == [], "\n".join(map(str, outcome.violations))


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example(path: Path) -> None:
    expect = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect:").split()
    severity, component = expect
    outcome = _outcome(path)
    found = {(p.severity, p.component) for p in outcome.problems}
    assert (severity, component) in found, "\n".join(map(str, outcome.problems))
    if severity == "Warning":
        assert outcome.violations == [], "\n".join(map(str, outcome.violations))
