"""Closed lists read from the SKOS files in `ontology/vocabularies/`, and matching cells
against them.

The report's answer options sit run together in one cell ("Fostering innovation capacity
Fostering R&D activities, …"). `match_items` reads such a cell left to right, taking the
longest label that fits at each position, so an item whose label contains a comma ("World class
clusters, European Silicon Valleys") stays one item. Text that matches no label is an
`ExtractionError`, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rdflib
from rdflib.namespace import SKOS

from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.report.cells import squash
from clusterkg.paths import VOCABULARIES_DIR


@dataclass(frozen=True)
class Vocabulary:
    """A concept scheme: notation -> preferred label, plus every label (preferred, alternative
    and hidden, case-folded) that identifies a concept; `hidden` the hidden labels alone (cue
    phrases and symbols)."""

    scheme: str
    pref_labels: dict[str, str]
    labels: dict[str, str]
    hidden: dict[str, str]

    @property
    def notations(self) -> list[str]:
        return list(self.pref_labels)

    def lookup(self, text: str) -> str | None:
        """The notation whose label is exactly `text` (ignoring case and spacing)."""
        return self.labels.get(squash(text).casefold())


@cache
def load_vocabulary(name: str, directory: Path = VOCABULARIES_DIR) -> Vocabulary:
    """The scheme in `<directory>/<name>.ttl`."""
    graph = rdflib.Graph().parse(directory / f"{name}.ttl", format="turtle")
    pref: dict[str, str] = {}
    labels: dict[str, str] = {}
    hidden: dict[str, str] = {}
    scheme = ""
    for concept in graph.subjects(SKOS.inScheme, None):
        scheme = str(graph.value(concept, SKOS.inScheme))
        notation = str(graph.value(concept, SKOS.notation))
        pref[notation] = str(graph.value(concept, SKOS.prefLabel))
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in graph.objects(concept, prop):
                labels[squash(str(label)).casefold()] = notation
        for label in graph.objects(concept, SKOS.hiddenLabel):
            hidden[squash(str(label)).casefold()] = notation
    return Vocabulary(scheme, dict(sorted(pref.items())), labels, hidden)


def match_items(
    text: str, vocabulary: Vocabulary, *, document: str, line: int, column: str
) -> list[str]:
    """Notations of the labels run together in `text`, in order; leftover text is an error."""
    found: list[str] = []
    rest = squash(text)
    by_length = sorted(vocabulary.labels, key=len, reverse=True)
    while rest:
        folded = rest.casefold()
        for label in by_length:
            if folded.startswith(label) and (
                len(folded) == len(label) or not folded[len(label)].isalnum()
            ):
                found.append(vocabulary.labels[label])
                rest = rest[len(label) :].lstrip(" ;,.")
                break
        else:
            raise ExtractionError(
                document, line, column, f"text matches no item of {vocabulary.scheme}: {rest!r}"
            )
    return found
