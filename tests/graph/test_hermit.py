"""HermiT's own command line: its answer read back (hierarchy, equivalents, types, unsatisfiable
classes), an inconsistent input refused, a failed run reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.graph import hermit, reasoner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graph" / "hermit"
EX = "http://example.org/"


def _needs_java() -> None:
    if not reasoner.java_available():
        pytest.fail("no Java runtime: `make setup` installs one for HermiT")


def test_answer_is_read_with_equivalents_and_superclasses() -> None:
    answer = hermit.parse((FIXTURES / "small.out").read_text(encoding="utf-8"))
    assert answer.unsatisfiable == {EX + "E"}
    assert answer.equivalents[EX + "B"] == {EX + "C"}
    assert answer.types(EX + "i") == {EX + "A", EX + "B", EX + "C"}
    assert answer.types(EX + "j") == {hermit.THING}
    assert answer.types(EX + "nobody") == set()


def test_hermit_runs_on_n_triples() -> None:
    """The recorded answer (`small.out`) is what HermiT says today, with the build's options."""
    _needs_java()
    answer = hermit.run(FIXTURES / "small.nt")
    assert answer == hermit.parse((FIXTURES / "small.out").read_text(encoding="utf-8"))
    assert answer.types(EX + "i") >= {EX + "A", EX + "B", EX + "C"}


def test_an_inconsistent_input_is_refused() -> None:
    _needs_java()
    with pytest.raises(hermit.HermitInconsistent):
        hermit.run(FIXTURES / "inconsistent.nt")


def test_a_failed_run_is_not_mistaken_for_an_answer(tmp_path: Path) -> None:
    _needs_java()
    with pytest.raises(hermit.HermitFailed, match="exited with"):
        hermit.run(tmp_path / "missing.nt")


def test_the_command_asks_only_for_classes_and_instances() -> None:
    line = hermit.command(FIXTURES / "small.nt")
    assert line[-3:-1] == ["-c", "-I"] and "-O" not in line and "-D" not in line
    assert "-XX:TieredStopAtLevel=1" in line
    assert line[-1].startswith("file:///")


def test_an_unreadable_input_fails_although_hermit_exits_with_0(tmp_path: Path) -> None:
    _needs_java()
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://example.org/a> not N-Triples\n", encoding="utf-8")
    with pytest.raises(hermit.HermitFailed, match="pear-shaped"):
        hermit.run(bad)
