"""Every recogniser, found in ``anonymizer/redact/recognizers/``: a new class of personal
data is one new module there exposing ``RECOGNIZER`` (or ``RECOGNIZERS``)."""

from __future__ import annotations

import importlib
import pkgutil

from anonymizer.redact import recognizers
from anonymizer.redact.base import Recognizer


def _discover() -> tuple[Recognizer, ...]:
    found: list[Recognizer] = []
    for info in sorted(pkgutil.iter_modules(recognizers.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{recognizers.__name__}.{info.name}")
        found += getattr(module, "RECOGNIZERS", None) or [module.RECOGNIZER]
    return tuple(sorted(found, key=lambda r: r.order))


RECOGNIZERS = _discover()
PLACEHOLDERS: dict[str, str] = {}
PRIORITY: dict[str, int] = {}
for _r in RECOGNIZERS:
    if not _r.kind:
        continue  # a recogniser of several kinds (labelled fields): each kind is declared elsewhere
    if PLACEHOLDERS.setdefault(_r.kind, _r.placeholder) != _r.placeholder:
        raise RuntimeError(f"two placeholders for {_r.kind}")
    PRIORITY[_r.kind] = min(PRIORITY.get(_r.kind, _r.priority), _r.priority)
