"""What each query cost its worker on the served release, and which may run in the server.

Workers exist so that a query can be stopped at its time limit: Oxigraph cannot cancel one.
For a query already known to be tiny the hand-off costs more than the query (two process
wake-ups, about 0.5 ms, against 0.2–0.5 ms for a small library query at 1M triples), and it
cannot reach any limit. The knowledge is exact, not a guess:

- a release never changes while it is served (a new release gets a new pool and new `Costs`);
- Oxigraph evaluates deterministically: its evaluator and in-memory store hash with FxHash,
  not a per-process random seed, so the same query over the same data does the same work;
- the work is measured as the CPU time of the thread that evaluated and wrote the answer, which
  a loaded machine does not inflate as it does wall time.

So `Costs` records, per job (query text, dataset, base, formats), the CPU an answer took, and
lets the pool evaluate in the server a job that a worker (or an earlier run in the server)
answered on this release with status 200, in one message, within the limit
(`CLUSTERKG_INLINE_QUERY_MS`). Two kinds of text never qualify, because their work may differ
from run to run: a text naming a function whose value changes between runs (`RAND`, `NOW`,
`UUID`, `STRUUID`: `FILTER(RAND() < 0.01 || EXISTS {...})` is cheap most of the time), and a
text with a `\\u` escape, which could spell one. A federated job never qualifies either. A run
in the server is measured like a worker's: past the limit, the job goes back to the workers.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict

from clusterkg.api.results import QueryJob, QueryOutcome

VARYING = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID)\b|\\[uU]", re.IGNORECASE)
KEPT = 4096  # jobs remembered per release (16-byte keys), least recently used dropped


def repeatable(query: str) -> bool:
    """True when the text's work cannot vary between runs over the same data (no function
    whose value changes, no escape that could spell one; words are matched anywhere, so a
    string or IRI containing one only makes the query ineligible, never the reverse)."""
    return VARYING.search(query) is None


def job_key(job: QueryJob) -> bytes:
    """A digest of everything that decides the work of `job` and the size of its answer."""
    parts = (job.query, job.default_graphs, job.named_graphs, job.base_iri,
             job.solutions_format, job.graph_format, job.max_rows, job.max_answer_bytes,
             job.max_depth, job.service_allowlist)
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()


class Costs:
    """The jobs known to cost at most `limit` seconds of CPU on this release."""

    def __init__(self, limit: float, kept: int = KEPT) -> None:
        self.limit = limit
        self.kept = kept
        self._cheap: OrderedDict[bytes, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._cheap)

    def known_cheap(self, job: QueryJob) -> bool:
        """True when `job` may be evaluated in the server."""
        key = job_key(job)
        if key not in self._cheap:
            return False
        self._cheap.move_to_end(key)
        return True

    def record(self, job: QueryJob, outcome: QueryOutcome, seconds: float,
               whole: bool = True) -> None:
        """Remember what `job` cost: `seconds` of CPU for `outcome`; `whole` is False when
        the answer left in more than one message (then it never qualifies)."""
        key = job_key(job)
        cheap = (whole and outcome.status == 200 and outcome.stream is None
                 and not outcome.reroute and not job.federated and seconds <= self.limit
                 and repeatable(job.query))
        if not cheap:
            self._cheap.pop(key, None)
            return
        self._cheap[key] = seconds
        self._cheap.move_to_end(key)
        while len(self._cheap) > self.kept:
            self._cheap.popitem(last=False)
