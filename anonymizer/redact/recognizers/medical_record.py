"""Hospital record numbers: the value after 住院号, 门诊号, 病案号, 就诊卡号 and their kin."""

from __future__ import annotations

import re

from anonymizer.redact.base import PatternRecognizer, alternation

RECORD_WORDS = ("inpatient no", "outpatient no", "Inpatient No", "MRN", "hospital number", "住院号", "住院流水号",
                "门诊流水号", "就诊流水号", "就诊号码", "患者编号", "病人编号", "住院登记号", "检查号", "影像号",
                "病理号", "住院病历号", "门诊病历号", "诊疗号", "就医卡号", "门诊号", "病案号", "病历号", "就诊卡号", "就诊号", "住院编号", "病人ID", "患者ID",
                "登记号", "诊疗卡号", "就诊卡", "门诊ID", "住院ID", "病历编号", "病案编号", "住院病案号")
_RECORD = re.compile(
    r"(?:" + alternation(RECORD_WORDS) + r")\.?(?:码)?(?:是|为)?[^0-9A-Za-z\n]{0,4}?"
    r"(?P<number>[A-Za-z]{0,3}[ -]?[0-9](?:[0-9A-Za-z-]| (?=[0-9])){3,19})(?![0-9A-Za-z])"
)

RECOGNIZER = PatternRecognizer(kind="MEDICAL_NO", placeholder="〔病历号〕", patterns=(_RECORD,), group="number", priority=0, listed=True,
                               hint=re.compile("住院|门诊|病案|病历|就诊|病人|患者|登记号|诊疗|patient|MRN|hospital"))
