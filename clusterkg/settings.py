"""Typed settings of the service, read from `CLUSTERKG_*` environment variables.

One object carries every knob of the SPARQL service, so the CLI, the tests and a deployment set
the same names: `CLUSTERKG_DATASET`, `CLUSTERKG_PORT`, `CLUSTERKG_QUERY_TIMEOUT`, ... List values
(`CLUSTERKG_SERVICE_ALLOWLIST`, `CLUSTERKG_CORS_ORIGINS`) are comma or space separated.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from clusterkg.paths import default_dist_dir

ENV_PREFIX = "CLUSTERKG_"


def _default_dataset() -> Path:
    return default_dist_dir() / "clusterkg.nq"


class Settings(BaseModel):
    """Configuration of the SPARQL service; immutable once built."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dataset: Path = Field(default_factory=_default_dataset, description="RDF dump to serve.")
    store: str | None = Field(
        default=None,
        description="Remote store URL (`oxigraph+http://127.0.0.1:7878`, issue 14): serve the "
        "release published there instead of loading `dataset` into the process.",
    )
    engine: Literal["embedded", "oxigraph"] = Field(
        default="embedded",
        description="Query engine of the release `dataset` names: `embedded` (in memory, "
        "forked into every worker) or `oxigraph` (an Oxigraph server process the service "
        "starts over the release's on-disk store; issue 17).",
    )
    store_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often a service over a remote store checks which "
        "release the store serves (a publish is followed within this time).",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    query_timeout: float = Field(default=30.0, gt=0, description="Seconds before a query dies.")
    max_rows: int = Field(default=100_000, ge=1, description="Rows (or triples) returned at most.")
    max_request_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest query or request body accepted."
    )
    query_workers: int = Field(
        default=2, ge=1, le=64, description="Forked processes evaluating queries in parallel."
    )
    service_allowlist: tuple[str, ...] = Field(
        default=(), description="Endpoint IRIs that federated SERVICE clauses may call."
    )
    admin_token: SecretStr | None = Field(
        default=None, description="Bearer token for /admin routes; without it they are refused."
    )
    cors_origins: tuple[str, ...] = ("*",)

    # --- Query path hardening (issue 9, h1): depth, memory, answer size, fairness, timeouts ---
    max_query_depth: int = Field(
        default=128, ge=8, description="Deepest bracket nesting a query may have."
    )
    query_memory_mb: int = Field(
        default=1024, ge=64, description="Address space a query worker may add to the store's."
    )
    max_answer_bytes: int = Field(
        default=64 << 20, ge=1024, description="Largest answer body, in bytes."
    )
    max_queries_per_client: int = Field(
        default=4, ge=1, description="Queries one client address may have running or queued."
    )
    queue_length: int = Field(
        default=8, ge=0, description="Requests that may wait for a worker, per lane."
    )
    queue_wait: float = Field(
        default=5.0, gt=0, description="Seconds a request may wait for a worker before a 503."
    )
    long_query_seconds: float = Field(
        default=1.0, gt=0, description="An ad-hoc query running longer holds a long-query slot."
    )
    slow_client_cooldown: float = Field(
        default=10.0, ge=0, description="Seconds a client whose long query was stopped waits."
    )
    adhoc_nice: int = Field(
        default=10, ge=0, le=19, description="CPU niceness of the ad-hoc (general) workers."
    )
    cheap_workers: int = Field(
        default=1, ge=1, le=16, description="Workers of the lane for named queries."
    )
    cheap_timeout: float = Field(
        default=5.0, gt=0, description="Time limit of a query in the named-query lane."
    )
    inline_query_ms: float = Field(
        default=2.0, ge=0, le=50,
        description="A query answered on the served release within this CPU time (ms) runs in "
        "the server, without the worker hand-off, from then on (0: never).",
    )
    public_endpoint: str | None = Field(
        default=None, description="Public IRI of /sparql: service description and query base."
    )
    header_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a client has to send the request headers."
    )
    body_timeout: float = Field(
        default=30.0, gt=0, description="Seconds a client has to send the request body."
    )
    keep_alive_timeout: float = Field(
        default=5.0, gt=0, description="Seconds an idle keep-alive connection is kept."
    )
    max_connections: int = Field(
        default=4096, ge=1, description="Concurrent connections before new ones get a 503."
    )

    def endpoint_iri(self) -> str:
        """The IRI of /sparql: configured, else derived from host and port (never from a
        request's Host header)."""
        if self.public_endpoint:
            return self.public_endpoint
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/sparql"

    # --- Uploads and survey validation (issue 9, h2): `POST /validate`, `clusterkg validate`
    # and `clusterkg load`. Each breach is a 413 (exit 2 from the CLI) naming file and limit.
    upload_max_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="Largest upload (one file, or a body)."
    )
    upload_read_timeout: float = Field(
        default=30.0, gt=0, description="Seconds to receive an upload's body (slow clients)."
    )
    validation_workers: int = Field(
        default=2, ge=1, le=16, description="Validations at once; more answer 503 Retry-After."
    )
    validation_timeout: float = Field(default=60.0, gt=0, description="Seconds per validation.")
    validation_memory_bytes: int = Field(
        default=1024 * 1024 * 1024, ge=64 * 1024 * 1024, description="Memory per validation."
    )
    validation_max_rows: int = Field(default=50_000, ge=1, description="Rows per file.")
    validation_max_cells: int = Field(default=1_000_000, ge=1, description="Cells per file.")
    validation_max_columns: int = Field(default=256, ge=1, description="Columns of a sheet.")
    validation_max_decompressed_bytes: int = Field(
        default=100 * 1024 * 1024, ge=1024, description="Bytes of an XLSX once unzipped."
    )
    validation_max_shared_string_chars: int = Field(
        default=32_767, ge=1, description="Characters of one workbook string (Excel's cell limit)."
    )
    validation_max_zip_members: int = Field(
        default=1_000, ge=1, description="Files inside one XLSX."
    )

    @field_validator("service_allowlist", "cors_origins", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(item for item in value.replace(",", " ").split() if item)
        return value

    @field_validator("store", mode="before")
    @classmethod
    def _empty_store_is_embedded(cls, value: Any) -> Any:
        return None if value == "" else value

    @model_validator(mode="after")
    def _one_source(self) -> Settings:
        if self.store and self.engine != "embedded":
            raise ValueError("CLUSTERKG_STORE serves a remote store's release, CLUSTERKG_ENGINE "
                             "the dataset's through a local engine: set one of them")
        return self

    @field_validator("admin_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from `CLUSTERKG_<FIELD>` variables; keyword overrides win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            key = ENV_PREFIX + name.upper()
            if key in env:
                values[name] = env[key]
        values.update(overrides)
        return cls(**values)

    def admin_token_value(self) -> str | None:
        """The admin token in clear, for the one place that compares it."""
        return self.admin_token.get_secret_value() if self.admin_token else None
