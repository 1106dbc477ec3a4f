"""What survey validation reports: findings that name file, sheet, row, column, value, what was
expected and the severity, and the result of a run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from clusterkg.loaders.records import Record

MAX_BYTES = 20 * 1024 * 1024
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Finding:
    """One problem, located where a person fixes it."""

    severity: str
    message: str
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    focus: str | None = None
    path: str | None = None
    check: str = "table"

    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        value = f" (value {self.value!r})" if self.value is not None else ""
        expected = f"; expected {self.expected}" if self.expected else ""
        subject = f" [{self.focus}]" if self.focus and self.row is None else ""
        return f"{self.severity}: {self.where()}{subject}: {self.message}{value}{expected}"

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class SurveyResult:
    """The outcome of validating a set of survey files."""

    files: list[str]
    findings: list[Finding] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    data: ox.Store = field(default_factory=ox.Store)  # the mapped triples, default graph
    unusable: bool = False

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.unusable and not self.violations

    @property
    def exit_code(self) -> int:
        """0 valid, 1 violations, 2 unusable input."""
        return 2 if self.unusable else (1 if self.violations else 0)

    @property
    def status(self) -> str:
        return ("unusable", "invalid", "valid")[[2, 1, 0].index(self.exit_code)]

    def as_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "conforms": self.conforms,
            "files": self.files,
            "records": len(self.records),
            "triples": len(self.data),
            "violations": len(self.violations),
            "warnings": sum(1 for f in self.findings if f.severity == "Warning"),
            "findings": [f.as_json() for f in self.findings],
        }
