"""WeChat ids: ``wxid_…`` anywhere, or the id after 微信号 / 微信 / vx (6-20 characters,
a letter first, as WeChat requires)."""

from __future__ import annotations

import re

from anonymizer.redact.base import PatternRecognizer

_WXID = re.compile(r"(?<![A-Za-z0-9_])wxid_[A-Za-z0-9_-]{4,30}")
_AFTER_WORD = re.compile(
    r"(?:微信|weixin|WeChat|wechat|Wechat|WECHAT|(?<![A-Za-z])(?:vx|VX|Vx|wx|WX)|V信|v信|薇信|威信)(?:号|ID|id|名)?"
    r"(?:是|为|搜|加)?[：:\s]{0,3}(?P<id>[A-Za-z][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_-])"
)


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


RECOGNIZER = _WeChat(kind="WECHAT", placeholder="〔微信号〕", patterns=(_WXID, _AFTER_WORD), priority=0,
                     hint=re.compile("wxid_|微信|[Ww]e[Cc]hat|weixin|WECHAT|[vVwW][xX信]|薇信|威信"))
