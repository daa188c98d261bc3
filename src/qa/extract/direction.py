"""Change words: 同比增长, 比上年增收, 增加至 … at the end of the words before a number."""
from __future__ import annotations

import re

from .lexicon import _lexicon, _words, lex_cache


def _direction_at_end(seg: str, unit: str = "%") -> tuple[str | None, int, bool]:
    """Does `seg` end with a change word (同比增长, 比上年增收, 月增 …)?

    Returns (canonical direction, length of the change phrase, level) — level is True for
    增加至/提高到 (the number that follows is the new level, not the change).
    """
    lex = _lexicon().lex
    s = seg.rstrip(" ")
    level = False
    for w in _words("changes.level_after_direction"):
        if s.endswith(w):
            core = s[: -len(w)]
            d = _ends_with_direction(core, before_level=True)
            if d:
                return d[0], d[1] + len(w), True
    d = _ends_with_direction(s)
    if d:
        word = s[len(s) - d[1]:]
        if unit not in ("%", "个百分点", "百分点") and any(word.endswith(w) for w in lex["changes.direction_only_for_rates"]):
            return None, 0, False  # 林分优化提升19595亩 is a level, not a change
        return d[0], d[1], level
    return None, 0, False


def _ends_with_direction(s: str, before_level: bool = False) -> tuple[str, int] | None:
    lex = _lexicon().lex
    dirs = lex["changes.direction_words"]
    s2 = s[:-1] if s.endswith("了") else s
    extra = len(s) - len(s2)
    for w in sorted(dirs, key=len, reverse=True):
        if s2.endswith(w):
            if w in lex["changes.direction_single_char"] and not before_level:
                # a lone 增/降/多/少 must follow a change prefix (月增70元, 比上年多) —
                # otherwise it is part of a word (新增, 差不多); 降至/增至 are fine
                before = s2[: -len(w)]
                if not any(before.endswith(p) for p in lex["changes.direction_prefixes"]):
                    continue
            n = len(w) + extra
            before = s2[: -len(w)]
            cm = _COMPARED_PREFIX.search(before) or _COMPARED_PHRASE.search(before)
            if cm:  # 较五年前下降 / 比2018年增长 / 比上年年初预算财力增加
                n += len(cm.group())
                before = before[: cm.start()]
            found = True
            while found:  # 同口径比上年减少: several prefixes
                found = False
                for p in sorted(lex["changes.direction_prefixes"], key=len, reverse=True):
                    if p in ("年", "月") and re.search(r"[0-9半全上下初末底季度一二三四五六七八九十两]$", before[: -len(p)] or "x"):
                        continue  # 上半年下降4.6%: 年 ends a period, it is not 年增
                    if before.endswith(p):
                        n += len(p)
                        before = before[: -len(p)]
                        found = True
                        break
            return dirs[w], n
    return None


_COMPARED_PREFIX = re.compile(r"(?:较|比|同)(?:[0-9]{4}年(?:同期|底|末)?|[一二三四五六七八九十]+年前|上年同期|上年|去年同期|去年|同期|年初|上月|上季度)$")
# a longer comparison base: 比上年年初预算财力 / 比2018年初预算代编数 (not 比重, 比例, 较快)
_COMPARED_PHRASE = re.compile(r"(?<![占之])(?:比|较)(?![重例率较快大好多少高低口])[^,;:。%比较]{1,16}$")
_BASELINE_OF = re.compile(r"(?:较|比|相比)[^,;:。]{1,20}的$")
_RATIO_OF = re.compile(r"(?:为|占|完成|达到|达|相当于|是)([^,;:。]{0,24}?)的(?:比重|比例|份额)?(?:为|达到|达|是)?$")

_FLAT_AFTER = re.compile(r"[^,;:。0-9]{0,8}?[,;]?\s*(?:(?:与|和|同|较|比)[^,;:。0-9%]{0,12}?)?(?:基本|保持|同比)?持平")
_COMPARED_TO = re.compile(r"(?:较|比)(?:[0-9]{4}年|上年同期|上年|去年同期|去年|同期|年初)")

@lex_cache(maxsize=2)
def _old_to_new_re(bare: bool = False) -> re.Pattern[str]:
    """The words between an old and a new level: (部门)提高到 / 增加至 / 调整为 (`bare`: no noun)."""
    verbs = "|".join(re.escape(w) for w in _words("changes.old_to_new_verbs"))
    # (从2021年的X亿元增长到2025年的Y亿元: the new level's year may stand between)
    return re.compile(("" if bare else r"[\u4e00-\u9fff]{0,4}?") + "(?:" + verbs + r")(?:到|至|为)"
                      + r"(?:(?:19|20)\d\d年(?:末|底)?的?)?")


