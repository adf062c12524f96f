"""The font stacks of every HTML page we write (quality page, risk report, subject access, dbt docs).

Our pages are half Chinese.  Named CJK families come first so a machine that has one draws
Chinese with it instead of a Latin font's empty boxes (tofu), and in its simplified-Chinese
forms (left to fontconfig, Chinese in code came out in Noto's Japanese variant): Debian's
``fonts-noto-cjk`` (``make browser`` installs it for the tests), Adobe's name for the same
font, WenQuanYi on older Linux, and the macOS and Windows system fonts.
"""

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei")
CJK_MONO_FONTS = ("Noto Sans Mono CJK SC",)  # the same glyphs at fixed width, for code and JSON


def _quoted(names) -> str:
    return ", ".join(f'"{name}"' for name in names)


FONT_FAMILY = f"{_quoted(CJK_FONTS)}, system-ui, sans-serif"
# Latin code fonts first (CJK fonts' Latin is proportional or wide), then Chinese
MONO_FAMILY = f'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, {_quoted(CJK_MONO_FONTS + CJK_FONTS)}, monospace'
