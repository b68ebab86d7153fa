"""Official wording of reader-facing sentences: number formats and a phrase check.

Every sentence the brief generates passes :func:`sentence_problems` (the tests run it over
the whole brief): no ASCII identifiers (variable names, table ids, CLI hints), no "0个"
(write "没有单位……"), none of the banned phrases, no arrows in running text, percentages
to one decimal, and no contradictory pairs such as a large ρ next to "无明显关系".
The formatters (:func:`pct`, :func:`pct_points`, :func:`growth`, :func:`count_units`) are
how the brief writes numbers, so the check and the writing agree.
"""

from __future__ import annotations

import math
import re

#: phrases a 绩效办 reply never uses (and what to write instead, for the message)
BANNED: dict[str, str] = {
    "近乎抛硬币": "等次结果不确定性较大",
    "抛硬币": "等次结果不确定性较大",
    "规模中性": "与规模的相关系数及其区间",
    "→": "文字(如“由……变为……”)",
    "←": "文字",
    "⇒": "文字",
    "->": "文字",
    "=>": "文字",
}
#: ASCII tokens a reader may meet in prose (statistical symbols, standard abbreviations)
ALLOWED_ASCII = frozenset({"GDP", "PM", "PM2", "n", "A4", "DOCX", "Excel", "HTML", "CPI"})
#: wording that claims no relation; contradicts |ρ| ≥ NO_RELATION_MAX_RHO in one sentence
NO_RELATION = ("无明显关系", "没有明显关系", "无关", "不相关", "基本无关")
NO_RELATION_MAX_RHO = 0.3

_ZERO_COUNT = re.compile(r"(?<![\d.])0个")
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_PERCENT = re.compile(r"(\d+(?:\.(\d+))?)\s?%")
_RHO = re.compile(r"ρ\s*[=＝]\s*([−\-+]?\d+(?:\.\d+)?)")
#: an ASCII hyphen used as a minus sign: before a digit, not after a digit, letter or dot
#: (2015-2019, A-1 and file-2 stay)
_ASCII_MINUS = re.compile(r"(?<![0-9A-Za-z_.\-])-(?=\d)")


def _minus(text: str) -> float:
    return float(text.replace("−", "-"))


def sentence_problems(sentence: str) -> list[str]:
    """What is wrong with one reader-facing sentence (empty list: nothing)."""
    out: list[str] = []
    for phrase, instead in BANNED.items():
        if phrase in sentence:
            out.append(f"banned phrase '{phrase}' (write {instead})")
    if _ASCII_MINUS.search(sentence):
        out.append("ASCII hyphen as a minus sign (write − U+2212: the hyphen lets a line "
                   "break between the sign and its number)")
    if _ZERO_COUNT.search(sentence):
        out.append("'0个' (write 没有单位……)")
    for word in _ASCII_WORD.findall(sentence):
        if word not in ALLOWED_ASCII:
            out.append(f"ASCII identifier '{word}' in prose")
    for m in _PERCENT.finditer(sentence):
        decimals = m.group(2)
        after = sentence[m.end():m.end() + 4]
        if after.startswith(("置信区间", "区间")):
            continue  # an interval level (90%区间) is a convention, not a measured share
        if decimals is None or len(decimals) != 1:
            out.append(f"percentage '{m.group(0)}' not to one decimal")
    rhos = [abs(_minus(v)) for v in _RHO.findall(sentence)]
    if any(r >= NO_RELATION_MAX_RHO for r in rhos) and any(p in sentence for p in NO_RELATION):
        out.append("contradiction: |ρ| ≥ 0.3 next to a 'no relation' phrase")
    return out


def check_sentences(sentences: list[str]) -> list[tuple[str, str]]:
    """(sentence, problem) for every problem in ``sentences``."""
    return [(s, p) for s in sentences for p in sentence_problems(s)]


# --- number formats -----------------------------------------------------------------------
def num(x: float, digits: int = 2) -> str:
    """A number with a real minus sign (−0.12), "—" for NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    text = f"{x:.{digits}f}"
    if text.startswith("-"):
        text = "−" + text[1:]
        if float(text[1:]) == 0:
            text = text[1:]
    return text


def real_minus(text: str) -> str:
    """Negative numbers in running text with the minus sign U+2212 (−0.11): line breaking
    keeps it with its digits, where LibreOffice broke "区间-" / "0.59" across two lines at
    an ASCII hyphen. Hyphens between digits (2015-2019) or after a letter stay."""
    return _ASCII_MINUS.sub("−", text)


def pct(share: float) -> str:
    """A share (0–1) as a percentage to one decimal: 0.625 → 62.5%."""
    return "—" if share is None or math.isnan(share) else f"{share * 100:.1f}%"


def pct_points(diff: float) -> str:
    """A difference of shares (0–1) in 百分点: 0.125 → 12.5个百分点."""
    return "—" if diff is None or math.isnan(diff) else f"{num(diff * 100, 1)}个百分点"


def growth(rate: float) -> str:
    """A growth rate (0.11) as a percentage: 11.0%."""
    return pct(rate)


def count_units(n: int, what: str = "单位", verb: str = "") -> str:
    """"3个单位" or, for zero, "没有单位" (never "0个")."""
    return f"没有{what}{verb}" if n == 0 else f"{n}个{what}{verb}"


#: What a share's bootstrap interval says when every resample gave the same value (all the
#: units involved alike, e.g. none of 4 small units ever in the top tier: "0.0%至0.0%")
SINGLE_POINT = "各次重抽样结果均相同,区间不能说明其不确定性"
#: the same in a table cell, where SINGLE_POINT does not fit (a sentence explains it)
SAME_EVERY_RESAMPLE = "各次相同"


def single_point(lo: float | None, hi: float | None) -> bool:
    """A bootstrap interval collapsed to one value (every resample gave the same): a
    percentile interval then shows no uncertainty although the units may be few."""
    return lo is not None and hi is not None and math.isfinite(lo) and lo == hi


def interval(lo: float, hi: float, level: float = 0.9, digits: int = 2) -> str:
    """"90%置信区间−0.45至0.52"."""
    return f"{level * 100:.0f}%置信区间{num(lo, digits)}至{num(hi, digits)}"
