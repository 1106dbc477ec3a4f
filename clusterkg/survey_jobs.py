"""What the upload routes, `clusterkg validate` and `clusterkg load` run inside the sandbox.

Each job runs in a bounded child process (`survey_sandbox`) and hands back a small, picklable
`Report` (the rendered report and its JSON), never rdflib graphs. When the sandbox stops a job
at a limit, `stopped()` turns the breach into the same kind of report, naming the files and the
limit, so callers answer every outcome the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from clusterkg.graph import waves
from clusterkg.graph.locking import dist_lock
from clusterkg.loaders.survey.report import RENDERERS, as_text
from clusterkg.loaders.survey.sandbox import Breach
from clusterkg.loaders.survey.validate import Finding, SurveyResult, validate_inputs, validate_paths
from clusterkg.paths import DistLayout


@dataclass(frozen=True)
class Report:
    """A finished validation: exit code (0 valid, 1 violations, 2 unusable), its JSON, the
    report in the asked format, and the limit a file broke (the API answers 413 then)."""

    exit_code: int
    body: dict[str, object]
    rendered: str
    limit: str | None = None


@dataclass(frozen=True)
class LoadReport:
    """A finished `load`: what to print, on which stream, and the exit code."""

    exit_code: int
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)


def _report(result: SurveyResult, fmt: str) -> Report:
    limit = next((f.message for f in result.findings if f.check == "limit"), None)
    return Report(result.exit_code, result.as_json(), RENDERERS[fmt](result), limit)


def validate_files(inputs: Sequence[tuple[str, bytes]], fmt: str, max_bytes: int) -> Report:
    """Validate uploaded (name, content) pairs."""
    return _report(validate_inputs(inputs, max_bytes=max_bytes), fmt)


def validate_on_disk(paths: Sequence[Path], fmt: str, max_bytes: int) -> Report:
    """Validate files (or folders of them) on disk."""
    return _report(validate_paths(paths, max_bytes=max_bytes), fmt)


def stopped(files: Sequence[str], breach: Breach, fmt: str) -> Report:
    """The report of a run the sandbox stopped (time, memory, a crash of a reader)."""
    check = "input" if breach.limit in ("error", "died") else "limit"
    message = breach.message
    if check == "limit" and breach.limit != "cancelled":
        message += f" (limit {breach.limit}: CLUSTERKG_{breach.limit.upper()})"
    elif breach.limit == "error":
        message = f"the files could not be read: {message}"
    result = SurveyResult(
        files=list(files),
        findings=[Finding("Violation", message, ", ".join(files) or "(none)", check=check)],
        unusable=True,
    )
    return _report(result, fmt)


@dataclass(frozen=True)
class PreparedWave:
    """A wave validated in the sandbox for `POST /admin/waves`: the sealed wave file to write
    (None when refused), its quad count, the findings, and the refusal's detail, validation
    report (JSON) and breached limit (the API answers 413 then, else 422)."""

    sealed: bytes | None
    quads: int = 0
    findings: list[str] = field(default_factory=list)
    detail: str = ""
    report: dict[str, object] | None = None
    limit: str | None = None


def prepare_upload(inputs: Sequence[tuple[str, bytes]], wave: str, max_bytes: int) -> PreparedWave:
    """Validate uploaded files as wave `wave` and seal its file; the server writes it."""
    try:
        sealed, quads, result = waves.prepare_wave(inputs, wave, max_bytes=max_bytes)
    except waves.WaveError as exc:
        if exc.result is None:
            return PreparedWave(None, detail=str(exc))
        limit = next((f.message for f in exc.result.findings if f.check == "limit"), None)
        return PreparedWave(None, detail=str(exc), report=exc.result.as_json(), limit=limit)
    return PreparedWave(sealed, quads, [str(f) for f in result.findings])


def load_files(
    paths: Sequence[Path], wave: str, dist: Path, replace: bool, max_bytes: int
) -> LoadReport:
    """Validate and load a wave: all or nothing (`graph.waves.load_wave`)."""
    inputs = []
    for path in paths:
        if path.stat().st_size > max_bytes:
            return LoadReport(
                2, err=[f"not loaded: {path.name}: the file is over the limit of {max_bytes:,} "
                        "bytes; split it"],
            )  # fmt: skip
        inputs.append((path.name, path.read_bytes()))
    try:
        loaded = waves.load_wave(inputs, wave, dist, replace=replace, max_bytes=max_bytes)
    except waves.WaveError as exc:
        if exc.result is not None:
            return LoadReport(
                exc.result.exit_code or 1, [as_text(exc.result)], [f"not loaded: {exc}"]
            )
        return LoadReport(1, err=[f"not loaded: {exc}"])
    verb = "replaced" if loaded.replaced else "loaded"
    err = [
        f"{verb} wave {loaded.name}: {loaded.quads} quads in "
        f"{waves.wave_graph_iri(wave)} -> {loaded.path}"
    ]
    return LoadReport(0, err=err + [str(f) for f in loaded.result.findings])


def sweep_wave_temp(dist: Path) -> None:
    """Remove what a load stopped mid-write left beside the wave files (under the dist lock;
    the stopped child held it no longer)."""
    if waves.waves_dir(dist).is_dir():
        with dist_lock(DistLayout(dist)):
            waves.remove_leftovers(dist)
