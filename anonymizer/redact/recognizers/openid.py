"""WeChat OpenIDs: ``o`` and 27 URL-safe characters."""

from __future__ import annotations

import re

from anonymizer.redact.base import PatternRecognizer

RECOGNIZER = PatternRecognizer(
    kind="OPENID", placeholder="〔OpenID〕", priority=0,
    patterns=(re.compile(r"o(?<![A-Za-z0-9_-]o)[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])"),
              # glued to its label: openidoWx1_…
              re.compile(r"o(?<=openido|OpenIDo|OPENIDo|openIdo)[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])")),
)
