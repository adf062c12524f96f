"""The peers our figures are set beside: OpenSSL, a pandas ``hmac`` pseudonymiser, Presidio.

Each peer is built to be fair: it gets the same values, the same keys and (for
Presidio) the same patterns and validators as ``anonymizer.redact``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

# -- OpenSSL: the machine's own SHA-256 / HMAC speed ---------------------------------------------

_MR_TOTAL = re.compile(r"^\+F:\d+:[^:]+:([0-9.]+)$", re.MULTILINE)


def openssl_speed(what: str, size: int, seconds: int, processes: int = 1) -> float:
    """Operations per second on ``size``-byte messages: ``what`` is ``-evp sha256`` or ``-hmac sha256``.

    ``-elapsed`` (wall clock, like every figure of ours), ``-mr`` (machine-readable: the
    total bytes/s is the ``+F`` line not prefixed by ``Got:``) and ``-multi N``: N processes
    at once, summed, so the limit meets the same contention as DuckDB's N threads.
    ``-hmac`` keys once and re-inits with no key for each message, so it measures HMAC with
    precomputed inner/outer states (2 blocks).
    """
    cmd = ["openssl", "speed", "-elapsed", "-mr", "-seconds", str(seconds), "-bytes", str(size)]
    if processes > 1:
        cmd += ["-multi", str(processes)]
    cmd += what.split()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    found = _MR_TOTAL.findall(done.stdout + "\n" + done.stderr)
    if not found:
        raise RuntimeError(f"cannot parse `{' '.join(cmd)}` output")
    return float(found[-1]) / size


def openssl_version() -> str:
    if not shutil.which("openssl"):
        return "missing"
    return subprocess.run(["openssl", "version"], capture_output=True, text=True, check=False).stdout.strip()


# -- pandas: per-row hmac, as a data team would write it -----------------------------------------

def pandas_pseudonymise(df, mobile_key: bytes, person_key: bytes):
    """Replace the two identifier columns with ``hmac`` hex digests, one call per row."""
    return df.assign(
        mobile=df["mobile"].map(lambda v: hmac.new(mobile_key, v.encode(), hashlib.sha256).hexdigest()),
        id_number=df["id_number"].map(
            lambda v: hmac.new(person_key, v.encode(), hashlib.sha256).hexdigest()),
    )


# -- Presidio with the same Chinese patterns as anonymizer.redact ---------------------------------

# The regexes anonymizer.redact used for addresses and unknown names while all its detectors were
# regexes (commit 61d793c).  Used for the peer when redact.py no longer exposes them as patterns
# (its later address and name rules are code: context, word lists, left extension), because a
# Presidio user writes PatternRecognizers, not those rules.
_ADDRESS_RE = (
    r"(?:[\u4e00-\u9fff]{2,7}(?:省|自治区))?(?:[\u4e00-\u9fff]{2,7}市)?(?:[\u4e00-\u9fff]{1,7}[区县])?"
    r"[\u4e00-\u9fff]{1,12}(?:路|街|大道|巷|道)[0-9]{1,5}号(?:[0-9]{1,4}(?:栋|幢|号楼))?(?:[0-9]{1,5}室)?"
)
_CUES_RE = "先生|女士|小姐|老师|阿姨|师傅|经理|大爷|大妈"
_INTRODUCERS_RE = "收件人|联系人|代"


def _name_regexes() -> tuple[str, str, str]:
    """(surname + cue, introducer, introducer-as-look-behind) as redact.py had them."""
    from faker.providers.person.zh_CN import Provider

    surnames = "|".join(sorted(Provider.last_names, key=len, reverse=True))
    cue = f"(?:{surnames})(?:{_CUES_RE})"
    tail = f"((?:{surnames})[\u4e00-\u9fff]{{1,2}}?)(?=[，,。、；;：:\\s]|咨询|来电|反映|$)"
    return cue, f"(?:{_INTRODUCERS_RE}){tail}", f"(?<=(?:{_INTRODUCERS_RE})){tail}"


class PeerSpan(NamedTuple):
    start: int
    end: int
    kind: str


class Presidio:
    r"""Presidio analyzer + anonymizer on a blank spaCy ``zh`` pipeline, with our patterns.

    * each pattern recogniser of ``anonymizer.redact`` (IDs, documents, e-mails, OpenIDs,
      mobiles, landlines, cards, WeChat ids, plates, record and social-security numbers)
      becomes a ``PatternRecognizer`` with the same regexes; its validator (ISO 7064 for IDs,
      Luhn for cards) is ``validate_result`` (a failed check drops the match, as in ours);
    * addresses and unknown names (surname + courtesy cue; surname + 1-2 characters after
      收件人/联系人/代) are the regexes redact.py had while they were regexes, kept here; the
      introducer's capture group becomes a variable-width look-behind, which Presidio's
      ``regex`` engine supports;
    * Presidio compiles patterns case-insensitive by default; ``global_regex_flags=0`` gives
      the same (case-sensitive) semantics as ours;
    * known names are an ad-hoc recogniser per note.  Presidio's own ``deny_list`` wraps the
      words in ``\W`` boundaries, which never match inside Chinese text (no spaces between
      words), so the ad-hoc recogniser is a plain alternation of the escaped names: the same
      exact-substring match as ours.
    """

    def __init__(self, workdir: Path | None = None) -> None:
        logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
        logging.getLogger("presidio-anonymizer").setLevel(logging.ERROR)
        import spacy
        from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import OperatorConfig

        import anonymizer.redact as R

        self._Pattern, self._PatternRecognizer = Pattern, PatternRecognizer
        self._tmp = tempfile.TemporaryDirectory(prefix="bench-spacy-zh-", dir=workdir)
        model = Path(self._tmp.name) / "blank_zh"
        nlp = spacy.blank("zh")  # default segmenter "char": no jieba / pkuseg needed
        self.segmenter = nlp.tokenizer.segmenter
        nlp.to_disk(model)
        engine = NlpEngineProvider(nlp_configuration={
            "nlp_engine_name": "spacy", "models": [{"lang_code": "zh", "model_name": str(model)}],
        }).create_engine()

        class Checked(PatternRecognizer):
            def __init__(self, check, **kw):
                super().__init__(**kw)
                self._check = check

            def validate_result(self, pattern_text: str) -> bool:
                return bool(self._check(pattern_text))

        def rec(entity: str, regex: str, check=None, name: str = "") -> PatternRecognizer:
            kw = {"supported_entity": entity, "supported_language": "zh",
                  "name": name or f"cn_{entity.lower()}",
                  "patterns": [Pattern(entity.lower(), regex, 0.85)], "global_regex_flags": 0}
            return Checked(check, **kw) if check else PatternRecognizer(**kw)

        # every pattern recogniser of anonymizer.redact, as its patterns and validator; addresses
        # and unknown names are rules in code there, so the regexes it once had stand in
        registry = RecognizerRegistry(supported_languages=["zh"])
        for i, r in enumerate(R.RECOGNIZERS):
            if r.kind in ("NAME", "ADDRESS"):
                continue
            for j, rx in enumerate(getattr(r, "patterns", ())):
                registry.add_recognizer(rec(r.kind, rx.pattern, getattr(r, "validate", None),
                                            name=f"cn_{r.kind.lower()}_{i}_{j}"))
        cue, _, intro = _name_regexes()
        for r in (rec("ADDRESS", _ADDRESS_RE), rec("NAME", cue), rec("NAME", intro, name="cn_name_introduced")):
            registry.add_recognizer(r)
        self.pattern_source = ("identifiers: every pattern recogniser of anonymizer.redact (patterns and "
                               "validators, context words not applied); addresses and unknown names: the "
                               "regexes redact.py had (its current rules for them are code, not patterns)")
        self.analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["zh"])
        self.anonymizer = AnonymizerEngine()
        self.operators = {kind: OperatorConfig("replace", {"new_value": ph})
                          for kind, ph in R.PLACEHOLDERS.items()}
        self.redact("客户张三来电，电话13812345678。", ["张三"])  # warm up (spaCy, regex compiles)

    def _analyze(self, text: str, known_names) -> list:
        names = sorted({n for n in known_names if n and len(n) >= 2}, key=len, reverse=True)
        ad_hoc = []
        if names:
            ad_hoc.append(self._PatternRecognizer(
                supported_entity="NAME", supported_language="zh", name="known_names",
                patterns=[self._Pattern("known", "|".join(re.escape(n) for n in names), 0.9)],
                global_regex_flags=0))
        return self.analyzer.analyze(text, language="zh", ad_hoc_recognizers=ad_hoc)

    def redact(self, text: str, known_names) -> str:
        return self.anonymizer.anonymize(text, self._analyze(text, known_names), self.operators).text

    def find(self, text: str, known_names) -> list[PeerSpan]:
        """The analyzer's spans, for scoring as ours are scored."""
        return [PeerSpan(r.start, r.end, r.entity_type) for r in self._analyze(text, known_names)]


def versions(*dists: str) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for d in dists:
        try:
            out[d] = version(d)
        except PackageNotFoundError:
            out[d] = "missing"
    return out


def timed(fn, *args) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out
