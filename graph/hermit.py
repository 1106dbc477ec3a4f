"""HermiT run as its own command line, on our N-Triples, and its answer read back.

owlready2's `sync_reasoner_hermit` copies the input into its SQLite quadstore, writes it out
again, asks HermiT for everything (`-c -O -D -I`: classes, object and data properties,
instances) and applies the answer to its store. The build needs only the types of individuals,
the unsatisfiable classes and the consistency verdict, so this module runs the same jar
(owlready2's bundled HermiT with owlready2's own output classes first on the class path) with
`-c -I` only, on the file the build wrote, and reads the answer's three line forms itself:
`SubClassOf( <sub> <super> )`, `EquivalentClasses( <a> <b> ... )` and `Type( <i> <class> )`.

The run is short (a few seconds), so the JVM is told so: the client compiler only
(`TieredStopAtLevel=1`; the optimising compiler costs more CPU than it saves here) and the
serial collector (no collector threads competing for the machine's cores).
`bench.reasoner` measures each choice; `tests/ontology/test_ontology.py` proves the answer equal
to owlready2's on the seed graph.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import owlready2

from clusterkg import iris

HERMIT_DIR = Path(owlready2.__file__).resolve().parent / "hermit"
# owlready2's patched classes (its output format) come before the jar's own
CLASSPATH = f"{HERMIT_DIR}:{HERMIT_DIR / 'HermiT.jar'}"
MAIN_CLASS = "org.semanticweb.HermiT.cli.CommandLine"
JVM_OPTIONS = ("-Xmx2000M", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
ACTIONS = ("-c", "-I")  # classify classes, then instances; no property classification
NOTHING = iris.OWL + "Nothing"
THING = iris.OWL + "Thing"
_LINE = re.compile(r"^(SubClassOf|EquivalentClasses|Type)\( ((?:<[^>]+>\s*)+)\)$", re.MULTILINE)
_IRI = re.compile(r"<([^>]+)>")


class HermitInconsistent(RuntimeError):
    """HermiT found the input inconsistent."""


class HermitFailed(RuntimeError):
    """HermiT (or Java) stopped with an error other than inconsistency."""


@dataclass
class Answer:
    """HermiT's class hierarchy and the direct types of each named individual."""

    superclasses: dict[str, set[str]] = field(default_factory=dict)
    equivalents: dict[str, set[str]] = field(default_factory=dict)
    direct_types: dict[str, set[str]] = field(default_factory=dict)

    @property
    def unsatisfiable(self) -> set[str]:
        """Classes equivalent to `owl:Nothing` (other than OWL's own)."""
        return {c for c in self.equivalents.get(NOTHING, set()) if not c.startswith(iris.OWL)}

    def ancestors(self, cls: str) -> set[str]:
        """`cls`, its equivalents and every class above them."""
        seen: set[str] = set()
        todo = [cls]
        while todo:
            c = todo.pop()
            if c in seen:
                continue
            seen.add(c)
            todo.extend(self.equivalents.get(c, ()))
            todo.extend(self.superclasses.get(c, ()))
        return seen

    def types(self, individual: str) -> set[str]:
        """Every class `individual` belongs to, direct or not."""
        found: set[str] = set()
        for cls in self.direct_types.get(individual, ()):
            if cls not in found:
                found |= self.ancestors(cls)
        return found


def parse(output: str) -> Answer:
    """Read the lines of `-c -I` output (owlready2's `HierarchyDumperFSS` format)."""
    answer = Answer()
    for relation, names in _LINE.findall(output):
        terms = _IRI.findall(names)
        if relation == "SubClassOf":
            answer.superclasses.setdefault(terms[0], set()).add(terms[1])
        elif relation == "Type":
            answer.direct_types.setdefault(terms[0], set()).add(terms[1])
        else:
            for term in terms:
                answer.equivalents.setdefault(term, set()).update(t for t in terms if t != term)
    return answer


def command(path: Path, actions: Sequence[str] = ACTIONS,
            jvm_options: Sequence[str] = JVM_OPTIONS) -> list[str]:
    """The command line that runs HermiT on the N-Triples file at `path`."""
    return [owlready2.JAVA_EXE, *jvm_options, "-cp", CLASSPATH, MAIN_CLASS, *actions,
            path.resolve().as_uri()]


def run(path: Path, actions: Sequence[str] = ACTIONS,
        jvm_options: Sequence[str] = JVM_OPTIONS) -> Answer:
    """Run HermiT on the N-Triples file at `path` and read its answer.
    Raises HermitInconsistent or HermitFailed."""
    done = subprocess.run(command(path, actions, jvm_options), capture_output=True, check=False)
    return answer_of(done.returncode, done.stdout, done.stderr)


def answer_of(returncode: int, stdout: bytes, stderr: bytes) -> Answer:
    """HermiT's answer from a finished run's exit code and output."""
    message = stderr.decode("utf-8", "replace")
    if returncode != 0 and "InconsistentOntologyException" in message:
        raise HermitInconsistent("Inconsistent ontology")
    # HermiT's command line exits with 0 when the input cannot be read ("It all went
    # pear-shaped"), so its error output is read too
    if returncode != 0 or "pear-shaped" in message or "Exception" in message:
        raise HermitFailed(f"HermiT exited with {returncode}: {message[:2000]}")
    return parse(stdout.decode("utf-8"))
