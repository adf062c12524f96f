"""WeChat ids: ``wxid_…`` anywhere, or the id after 微信号 / 微信 / vx (6-20 characters,
a letter first, as WeChat requires)."""

from __future__ import annotations

import re

from anonymizer.redact.base import PatternRecognizer

_WXID = re.compile(r"w(?<![A-Za-z0-9_]w)xid_[A-Za-z0-9_-]{4,30}")
_AFTER_WORD = re.compile(
    r"(?:微信|weixin|WeChat|wechat|Wechat|WECHAT|(?<![A-Za-z])(?:vx|VX|Vx|wx|WX)|V信|v信|薇信|威信)(?:号|ID|id|名)?"
    r"(?:是|为|搜|加)?[：:\s]{0,3}(?P<id>[A-Za-z][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_-])"
)
# An id a few words after 微信 or 加 (加我微信我教你 ouyang_mama0817, 我的是hwq19880610): it must look
# like a handle (a digit or an underscore in it), not an English word.
_NEAR_WORD = re.compile(
    r"(?:微信|加你|加我|我的是|我的)[^A-Za-z0-9\n]{0,12}?(?P<id>[A-Za-z][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_@.-])"
)
# A handle on its own: letters, an underscore, digits (zml_1966, xiaoxue_1996wx).
_HANDLE = re.compile(r"[a-z](?<![A-Za-z0-9_@./=\"'-][a-z])[a-z0-9]*_[a-z0-9_]*[0-9]{2,}[a-z0-9]*(?![A-Za-z0-9_@./=-])")


class _WeChat(PatternRecognizer):
    def find(self, text, ctx):
        if not self.hint.search(text):
            return
        for m in _WXID.finditer(text):
            yield m.start(), m.end(), "WECHAT"
        for m in _AFTER_WORD.finditer(text):
            value = m.group("id")
            if value.startswith("wxid_") or value.lower() in ("openid", "unionid"):
                continue
            yield m.start("id"), m.end("id"), "WECHAT"
        for m in _NEAR_WORD.finditer(text):
            value = m.group("id")
            if any(c.isdigit() or c == "_" for c in value) and sum(c.islower() for c in value) >= 2 \
                    and not value.startswith("wxid_"):
                yield m.start("id"), m.end("id"), "WECHAT"
        if "_" in text:
            for m in _HANDLE.finditer(text):
                yield m.start(), m.end(), "WECHAT"


RECOGNIZER = _WeChat(kind="WECHAT", placeholder="〔微信号〕", patterns=(_WXID, _AFTER_WORD), priority=0,
                     hint=re.compile("_|微信|[Ww]e[Cc]hat|weixin|WECHAT|[vVwW][xX信]|薇信|威信|加你|加我|我的"))
