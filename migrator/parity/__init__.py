"""Parity: record legacy traffic, replay it after each migration phase, and diff it.

- `cassette`: request lists and cassettes (formats, streaming reader, atomic writer);
- `record`: send a request list, write a cassette; `replay`: replay + compare (+ noise, standard twins);
- `compare`, `paths`, `noise`, `expectations` (per phase, from the journal), `equivalents` (standard twins);
- `report` (pydantic results) and `render` (rich, JSON, JUnit XML, Markdown).
Secrets are redacted by `shims.recording` before anything is stored or compared.
"""

from migrator.parity.cassette import Exchange, RequestList, iter_exchanges, load_request_list
from migrator.parity.errors import ParityUsageError
from migrator.parity.record import RecordOptions, RecordResult, record
from migrator.parity.render import FORMATS, RENDERERS
from migrator.parity.replay import ParityOptions, replay_raw, run_parity
from migrator.parity.report import ExchangeResult, ParityReport

__all__ = [
    "FORMATS",
    "RENDERERS",
    "Exchange",
    "ExchangeResult",
    "ParityOptions",
    "ParityReport",
    "ParityUsageError",
    "RecordOptions",
    "RecordResult",
    "RequestList",
    "iter_exchanges",
    "load_request_list",
    "record",
    "replay_raw",
    "run_parity",
]
