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

import re
from collections import OrderedDict

from clusterkg.api.results import QueryJob, QueryOutcome

VARYING = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID)\b|\\[uU]", re.IGNORECASE)
KEPT = 1024  # jobs remembered per release, least recently used dropped
LONGEST = 16 << 10  # characters of the longest text remembered (so at most 16 MiB of texts)


def repeatable(query: str) -> bool:
    """True when the text's work cannot vary between runs over the same data (no function
    whose value changes, no escape that could spell one; words are matched anywhere, so a
    string or IRI containing one only makes the query ineligible, never the reverse)."""
    return VARYING.search(query) is None


class Costs:
    """The jobs known to cost at most `limit` seconds of CPU on this release."""

    def __init__(self, limit: float, kept: int = KEPT) -> None:
        self.limit = limit
        self.kept = kept
        # a job is its own key: every field of it decides its work or its answer's size
        self._cheap: OrderedDict[QueryJob, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._cheap)

    def known_cheap(self, job: QueryJob) -> bool:
        """True when `job` may be evaluated in the server."""
        if job not in self._cheap:
            return False
        self._cheap.move_to_end(job)
        return True

    def record(self, job: QueryJob, outcome: QueryOutcome, seconds: float,
               whole: bool = True) -> None:
        """Remember what `job` cost: `seconds` of CPU for `outcome`; `whole` is False when
        the answer left in more than one message (then it never qualifies)."""
        cheap = (whole and outcome.status == 200 and outcome.stream is None
                 and not outcome.reroute and not job.federated and seconds <= self.limit
                 and len(job.query) <= LONGEST and repeatable(job.query))
        if not cheap:
            self._cheap.pop(job, None)
            return
        self._cheap[job] = seconds
        self._cheap.move_to_end(job)
        while len(self._cheap) > self.kept:
            self._cheap.popitem(last=False)

    def remeasured(self, job: QueryJob, outcome: QueryOutcome, seconds: float) -> None:
        """A run in the server of a known-cheap job took `seconds`: past the limit (or not a
        200), the job goes back to the workers."""
        if outcome.status != 200 or seconds > self.limit:
            self._cheap.pop(job, None)
