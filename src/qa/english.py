"""English questions → report wording, so the Chinese question parser reads them (question.py).

Three layers of data/english.json, each a general finance vocabulary:
1. `phrases`: multi-word terms (general public budget revenue → 一般公共预算收入), longest first,
   tolerant of plurals and of hyphen-or-space spelling (state-owned / state owned);
2. `words`: single content words that no phrase covered (fund → 基金, deposits → 存款), so an
   unlisted compound (social insurance fund benefits) still reaches the parser as 社会保险基金待遇
   instead of vanishing word by word;
3. `measure_verbs`: spend / collect say the measure asked (支出 / 收入). The measure joins a bare
   budget or fund the question names (spend from its general public budget → 一般公共预算支出) and is
   dropped when the item already names it (spend on education → 教育支出, not 支出教育支出).

4. `postposed`: adjectives whose report word follows the item (outstanding government debt →
   政府债务余额); a budget named after the item (debt interest in the general public budget) goes
   before it, and the object of a spending verb takes its measure (spend on education → 教育支出).

Words left untranslated stay in the text: they may be a place in pinyin, which the parser reads
next; it drops the rest (question._read_unknown_places), remembering those that are no
`function_words` (Query.unread): an item left as a bare 支出 by them is not answered. A question that
names its measure as a noun (`measure_nouns`: tax revenue) names its item formally.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from .config import DATA_DIR

_HAN = r"\u4e00-\u9fff"
_MARK = "\u27e8{}\u27e9"  # ⟨支出⟩: a measure said by a verb, placed once the items are known
_MARKED = re.compile("\u27e8([^\u27e9]+)\u27e9")
_POST = "\u27ea{}\u27eb"  # ⟪余额⟫: a word said before the item in English, after it in the report
_POSTED = re.compile(f"\u27ea([^\u27eb]+)\u27eb((?:\\s+(?:[{_HAN}]+|\\([^)]*\\)))*)")
_WORD = re.compile(r"(?<![a-z])[a-z][a-z\-]*(?![a-z])")
# runs of report wording that are the question's words, not an item: what is asked, a scope, a time
_NOT_ITEM = re.compile(r"多少|是多少|如何|哪项|占比|合计|差额|和|还是|比|增长|下降|变化|增幅|同比|最多|最少|"
                       r"年末|年初|预算|决算|全[国省市州县区]|[省市州县区]?本级|[省市州县区]级|\d*年?")
# A of/on B, with B's owner (ya'an's) and scope (全市) between: B is the owner of A
_OWNED = re.compile(f"([{_HAN}]+)\\s+(?:of|on)\\s+((?:[a-z\\-']+\\s+){{0,3}})"
                    f"((?:全[国省市州县区]|[省市州县区]?本级|[省市州县区]级)\\s+)?([{_HAN}]+)")


@dataclass(frozen=True)
class EnglishLexicon:
    phrases: tuple[tuple[re.Pattern[str], str], ...]
    words: dict[str, str]
    verbs: tuple[tuple[re.Pattern[str], str], ...]
    postposed: tuple[tuple[re.Pattern[str], str], ...] = ()
    function_words: frozenset[str] = frozenset()
    measure_nouns: frozenset[str] = frozenset()


def _plural(word: str) -> str:
    """A word's pattern in the singular or the plural (subsidy/subsidies, allowance/allowances;
    a term written in the plural, tax and fee reductions, also meets reduction)."""
    if re.fullmatch(r"[a-z]+ies", word):
        return word[:-3] + "(?:y|ies)"
    if re.fullmatch(r"[a-z]+y", word) and not word.endswith(("ay", "ey", "oy")):
        return word[:-1] + "(?:y|ies)"
    if re.fullmatch(r"[a-z]{3,}[^su]s", word):
        return word[:-1] + "s?"
    if re.fullmatch(r"[a-z]+", word) and not word.endswith("s"):
        return word + "(?:e?s)?"
    return word


def _term_pattern(term: str) -> str:
    """`term` with any hyphen/space between its words and an optional plural ending on each word of
    four letters or more (allowances for the very elderly meets allowance for the very elderly)."""
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", term.strip()) if p]
    parts = [_plural(p) if len(p) >= 4 or i == len(parts) - 1 else p for i, p in enumerate(parts)]
    return r"(?<![a-z])" + r"[\s\-]+".join(parts) + r"(?![a-z])"


@lru_cache(maxsize=1)
def lexicon() -> EnglishLexicon:
    raw = json.loads((DATA_DIR / "english.json").read_text(encoding="utf-8"))
    phrases = tuple((re.compile(_term_pattern(e)), zh)
                    for e, zh in sorted(raw["phrases"], key=lambda pr: -len(pr[0])))
    verbs = tuple((re.compile(_term_pattern(v) if " " in v else r"(?<![a-z])" + re.escape(v) + r"(?![a-z])"), m)
                  for m, vs in raw["measure_verbs"].items() for v in sorted(vs, key=len, reverse=True))
    postposed = tuple((re.compile(_term_pattern(e)), zh) for e, zh in raw.get("postposed", {}).items())
    return EnglishLexicon(phrases, dict(raw["words"]), verbs, postposed, frozenset(raw.get("function_words", ())),
                         frozenset(raw.get("measure_nouns", ())))


def unread_words(rest: str, also_known: frozenset[str] = frozenset()) -> list[str]:
    """Latin words of a translated question left untranslated that may name something (official,
    receptions): not function words (english.json), not in `also_known` (words for the country)."""
    fw = lexicon().function_words
    out = []
    for w in re.findall(r"[a-z][a-z0-9\-]*(?:'s)?", rest):
        w = w.removesuffix("'s")
        if w not in fw and w not in also_known and not any(s in fw for s in _singulars(w)[1:]):
            out.append(w)
    return out


def names_measure(text: str) -> bool:
    """Whether an English question names its measure as a noun (tax revenue, education spending),
    not only by a verb (spend on education): the item is then named formally."""
    nouns = lexicon().measure_nouns
    return any(w in nouns for w in re.findall(r"[a-z]+", text.lower()))


def is_english(text: str) -> bool:
    """Mostly Latin letters: an English question (a Chinese term in parentheses may stand in it)."""
    letters = len(re.findall(r"[A-Za-z]", text))
    han = len(re.findall(f"[{_HAN}]", text))
    return letters > 2 * max(han, 1)


def _singulars(word: str) -> list[str]:
    out = [word]
    if word.endswith("ies"):
        out.append(word[:-3] + "y")
    if word.endswith("es"):
        out.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        out.append(word[:-1])
    return out


def _word(word: str, words: dict[str, str]) -> str | None:
    for w in _singulars(word):
        if w in words:
            return words[w]
    if "-" in word:  # state-owned, debt-service: the parts, when every part is known
        parts = [_word(p, words) for p in word.split("-") if p]
        if parts and all(parts):
            return "".join(parts)  # type: ignore[arg-type]
    return None


# spend on Y / spent for Y: the verb's measure belongs to its object (教育 -> 教育支出)
_VERB_OBJECT = re.compile(f"\u27e8([^\u27e9]+)\u27e9\\s+(?:on|for|to)\\s+(?:the\\s+)?([{_HAN}]+)(?![{_HAN}])")
# a bare budget spending or collecting (the provincial-level budget spent): the account, no plan
_ACCOUNT_BUDGET = re.compile(f"(?<![{_HAN}])预算\\s+(?=\u27e8)")


def _verb_objects(q: str) -> str:
    """⟨支出⟩ on 教育 -> 教育支出 (the budget named before it stays before it: 一般公共预算 教育支出);
    a bare 预算 just before the verb names the account spent from, not a planned figure."""
    q = _ACCOUNT_BUDGET.sub(" ", q)
    return _VERB_OBJECT.sub(lambda m: f" {m.group(2) if m.group(2).endswith(m.group(1)) else m.group(2) + m.group(1)} ", q)


def _place_measures(q: str) -> str:
    """Each ⟨支出⟩/⟨收入⟩ said by a verb: dropped when an item names that measure already, joined
    to a bare budget or fund the question names, else left as the word itself."""
    for measure in dict.fromkeys(_MARKED.findall(q)):
        rest = _MARKED.sub(" ", q)
        runs = re.findall(f"[{_HAN}]+", rest)
        if any(measure in r for r in runs):
            q = q.replace(_MARK.format(measure), " ")
            continue
        bare = [r for r in runs if r.endswith(("预算", "基金"))]
        if bare:
            q = q.replace(_MARK.format(measure), " ")
            q = re.sub(f"(?<![{_HAN}]){re.escape(bare[-1])}(?![{_HAN}])", bare[-1] + measure, q, count=1)
            continue
        named = [r for r in runs if not _NOT_ITEM.fullmatch(r)]
        q = q.replace(_MARK.format(measure), " " if named else f" {measure} ")
    return q


def _postposed(q: str) -> str:
    """⟪余额⟫ 专项 政府债务 -> 专项 政府债务余额: the word goes after the run of item words that follows
    it (a scope, a time or a year ends the run)."""
    def place(m: re.Match[str]) -> str:
        runs = re.findall(f"[{_HAN}]+|\\([^)]*\\)", m.group(2))
        item = [r for r in runs if not _NOT_ITEM.fullmatch(r)]
        if not item:
            return " " + m.group(1) + m.group(2)
        last = max(i for i, r in enumerate(runs) if r == item[-1])
        runs[last] += m.group(1)
        return " " + " ".join(runs)
    return _POSTED.sub(place, q)


# X in the (2023年 national) 一般公共预算: the budget's name goes before the item, as the report says it
_IN_BUDGET = re.compile(f"(?<![{_HAN}])([{_HAN}]+)(\\s+(?:in|from|under)\\s+(?:the\\s+)?(?:[a-z0-9{_HAN}]*年?\\s+){{0,2}})"
                        f"([{_HAN}]*预算)(?![{_HAN}])")


def _budget_first(q: str) -> str:
    m = _IN_BUDGET.search(q)
    if not m or _NOT_ITEM.fullmatch(m.group(1)) or m.group(1).startswith(m.group(3)):
        return q
    return q[:m.start()] + f"{m.group(3)}{m.group(1)}{m.group(2)}" + q[m.end():]


def _english_order(q: str) -> str:
    """Chinese puts the owner first: payments on debt → 债务付息, balance of the fund → 基金余额,
    and 中央/地方 (central, local) before the item they qualify."""
    for _ in range(3):  # balance of deposits of institutions: twice
        q2 = _OWNED.sub(lambda m: m.group(0) if _NOT_ITEM.fullmatch(m.group(1)) or _NOT_ITEM.fullmatch(m.group(4))
                        else f"{m.group(2) or ''}{m.group(3) or ''} {m.group(4)}{m.group(1)}", q)
        if q2 == q:
            break
        q = q2
    level = re.search(f"(?<![{_HAN}])(中央|地方)(?![{_HAN}])", q)
    if level:
        item = next((m for m in re.finditer(f"[{_HAN}]+", q) if not _NOT_ITEM.fullmatch(m.group(0))
                     and m.group(0) not in ("中央", "地方")), None)
        if item is not None:
            q = q[:level.start()] + " " + q[level.end():]
            q = re.sub(f"(?<![{_HAN}]){re.escape(item.group(0))}(?![{_HAN}])", level.group(1) + item.group(0), q, count=1)
    return q


def to_report_wording(text: str) -> str:
    """An English question (NFKC already applied) in report wording; untranslated words kept."""
    lex = lexicon()
    q = text.lower().replace("\u2019", "'")
    q = re.sub(r"\b((?:19|20)\d\d)\b", r"\1年", q)
    for pat, zh in lex.phrases:
        q = pat.sub(f" {zh} ", q)
    for pat, zh in lex.postposed:  # (after the phrases: outstanding government debt is one of them)
        q = pat.sub(" " + _POST.format(zh) + " ", q)
    for pat, measure in lex.verbs:
        q = pat.sub(" " + _MARK.format(measure) + " ", q)
    q = _WORD.sub(lambda m: f" {zh} " if (zh := _word(m.group(0), lex.words)) else m.group(0), q)
    q = _verb_objects(q)
    q = _place_measures(q)
    q = _postposed(q)
    q = _budget_first(q)
    q = _english_order(q)
    # a measure word standing alone before an item that ends in it (支出 教育支出): said twice
    q = re.sub(f"(?<![{_HAN}])(支出|收入)\\s+(?=[{_HAN}]*\\1(?![{_HAN}]))", " ", q)
    q = re.sub(r"(支出|收入)\s*\1", r"\1", q)
    return re.sub(r"\s+", " ", q).strip()
