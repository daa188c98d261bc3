"""Question understanding: validate a question and parse it into what is asked.

    parse_question(text) -> Query

A Query names the asked item(s), the attribute (amount, change, ratio …), the question type
(lookup, change, superlative, compare, arithmetic, descriptive), and the constraints that
route it: years, period (1-9月, 全年 …), scope (全市, 市本级 …), status (预算, 执行, 决算, 预计)
and place names. Everyday and English wording is first rewritten into report wording with the
vocabulary in data/synonyms.json; nothing here knows any particular report.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from .config import DATA_DIR, MAX_QUESTION_CHARS
from .english import is_english, to_report_wording, unread_words
from .places import country_item_words, national_latin_words, national_phrases


class QuestionError(ValueError):
    """A question that cannot be answered as asked; the message says why."""


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_SQL = re.compile(r"(?is)\b(select\s+.+\s+from|insert\s+into|delete\s+from|drop\s+(table|database)|"
                  r"update\s+\w+\s+set|union\s+(all\s+)?select)\b|'\s*or\s*'?\d+'?\s*=\s*'?\d+|;\s*--")


# Characters nobody can see or type on purpose: lone surrogates (a broken client or a JSON
# "\\ud800" escape; the tokenizer fails on them and they cannot be written as UTF-8), zero-width
# and direction marks, soft hyphens, BOMs and C0/C1 controls other than whitespace.
_INVISIBLE = re.compile("[\ud800-\udfff\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
                        "\u00ad\u180e\x00-\x08\x0e-\x1f\x7f-\x9f]")


def clean_question(question: str) -> str:
    """The question without invisible characters (see _INVISIBLE); line breaks and tabs become
    spaces. What is asked is unchanged: the parser reads its NFKC form (full-width digits and
    letters as ASCII) and the record echoes the question as typed."""
    return re.sub(r"[\t\n\r\x0b\x0c\u2028\u2029]+", " ", _INVISIBLE.sub("", question))


def validate_question(question: object) -> str:
    """The question cleaned (clean_question) and stripped, or QuestionError: empty, too
    long, no words, markup or SQL. The checks look at its NFKC form, so full-width ＜script＞
    or ＳＥＬＥＣＴ is caught like the ASCII spelling."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文本 (the question must be a string)")
    q = clean_question(question).strip()
    if not q:
        raise QuestionError("问题为空，请输入问题 (empty question)")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"问题过长：{len(q)} 字，上限 {MAX_QUESTION_CHARS} 字 (question too long)")
    folded = unicodedata.normalize("NFKC", q)
    if not re.search(r"[^\W_]", folded):
        raise QuestionError("问题只有标点符号，请用文字提问 (question has no words)")
    if _TAG.search(folded):
        raise QuestionError("问题中含有 HTML 标记，请用普通文字提问 (HTML is not accepted)")
    if _SQL.search(folded):
        raise QuestionError("问题看起来像数据库查询语句，请用普通文字提问 (SQL is not accepted)")
    return q


# --- vocabulary -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Vocabulary:
    rewrite: tuple[tuple[re.Pattern[str], str], ...]
    groups: tuple[tuple[str, ...], ...]
    families: dict[str, tuple[str, ...]]
    distinct: tuple[str, ...] = ()  # longest first
    superlative_names: re.Pattern[str] = re.compile(r"(?!)")
    kind_words: tuple[str, ...] = ()
    joined: dict[str, tuple[str, str]] = field(default_factory=dict)  # 存贷款 -> (存款, 贷款)

    def part_of_joined(self, phrase: str) -> tuple[str, str, str] | None:
        """(joined name, the part the phrase names, the other part) when the phrase names one part
        of a joined name and not the joined name itself: 存款余额 -> (存贷款, 存款, 贷款)."""
        for name, (a, b) in self.joined.items():
            if name in phrase:
                continue
            for part, other in ((a, b), (b, a)):
                if part in phrase and other not in phrase:
                    return name, part, other
        return None

    def not_the_part(self, phrase: str, item: str) -> bool:
        """Whether a row's item is the joined total or the other part of the one the phrase names
        (存款余额 asked: not 存贷款余额, not 贷款余额)."""
        joined = self.part_of_joined(phrase)
        return bool(joined) and (joined[0] in item or (joined[2] in item and joined[1] not in item))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    raw = json.loads((DATA_DIR / "synonyms.json").read_text(encoding="utf-8"))
    rewrite = tuple((re.compile(p), r) for p, r in raw["rewrite"])
    groups = tuple(tuple(g) for g in raw["groups"])
    families = {k: tuple(v) for k, v in raw.get("families", {}).items()}
    distinct = tuple(sorted(raw.get("distinct", []), key=len, reverse=True))
    names = sorted(raw.get("superlative_names", []), key=len, reverse=True)
    superlative_names = re.compile("|".join(map(re.escape, names)) or r"(?!)")
    joined = {k: (v[0], v[1]) for k, v in raw.get("joined", {}).items()}
    return Vocabulary(rewrite, groups, families, distinct, superlative_names, tuple(raw.get("kind_words", [])),
                      joined)


def distinct_names(phrase: str) -> list[str]:
    """Names in the phrase that each identify one item (增值税 in 增值税收入), longest first,
    not counting a name inside a longer one found (增值税 inside 土地增值税)."""
    out: list[str] = []
    rest = phrase
    for name in vocabulary().distinct:
        if name in rest:
            out.append(name)
            rest = rest.replace(name, " ")
    return out


def variants(phrase: str, limit: int = 12) -> list[str]:
    """The phrase and its rewrites with synonym-group members swapped (report wording first)."""
    out = [phrase]
    for group in vocabulary().groups:
        for member in sorted(group, key=len, reverse=True):
            if member and member in phrase:
                for other in group:
                    if other != member:
                        cand = phrase.replace(member, other)
                        if cand not in out:
                            out.append(cand)
                break
        if len(out) >= limit:
            break
    return out[:limit]


# --- the parsed question --------------------------------------------------------------------

@dataclass
class Query:
    text: str  # as asked
    norm: str  # normalised, rewritten into report wording
    qtype: str = "lookup"  # lookup | change | superlative | compare | arithmetic | descriptive
    attribute: str = "amount"  # amount | change | ratio | count | standard
    items: list[str] = field(default_factory=list)
    group: str = ""  # superlative: the family compared (重点支出)
    # superlative over contenders the question lists: what they are, as the answer says it (民生投入
    # of 民生投入里，A、B、C三块; 所列各项 when the question says only the list; '' with no list)
    listed_as: str = ""
    extreme: str = "max"  # superlative: max | min
    by: str = "value"  # superlative/compare: value | change
    op: str = ""  # arithmetic: sum | total | diff | gap | except | surplus | share | remaining | ratio | per_head
    per: str = ""  # per_head: what is counted (人, 户农户, 项目), '' for 人均
    point: str = ""  # a stock at a point of the year: 年末 (年底, 年末) or 年初; '' when not said
    count: int = 0  # how many items the question says there are (这四个项目, 七项): 0 = not said
    years: list[int] = field(default_factory=list)
    period: str = ""  # 1-9月 | 全年 | ""
    scope: str = ""
    status: str = ""  # 预算 | 执行 | 决算 | 预计 | ""
    report_years: list[int] = field(default_factory=list)  # 2023年政府工作报告: the report's year, not the figure's
    places: list[str] = field(default_factory=list)  # indexed places named (canonical names)
    unknown_places: list[str] = field(default_factory=list)  # place-like names not in the catalogue (or parts of one)
    english: bool = False
    unread: list[str] = field(default_factory=list)  # English words left untranslated (not places, not function words)
    # names an item only the central government reports (中央本级支出) without naming a place
    national_item: bool = False
    # compare/arithmetic over one item in two scopes or years: per-operand overrides
    operand_scopes: list[str] = field(default_factory=list)
    operand_years: list[int] = field(default_factory=list)
    operand_statuses: list[str] = field(default_factory=list)
    operand_points: list[str] = field(default_factory=list)  # a stock at the year's end against its start
    yearly_average: bool = False  # 年均增长多少: the change per year averaged over a span, not one year's
    # other readings of two operands when a name holds a 和 itself (A和B的改革补助和C)
    alternatives: list[list[str]] = field(default_factory=list)
    # item -> words the row's sentence must also say: the driver of an item asked as what it drove
    # (以旧换新带动的消费: the report says 带动消费 of more than one driver), the whole that parts
    # are asked of (再融资债券中，一般债券和专项债券: not the new bonds' 一般债券)
    said_with: dict[str, str] = field(default_factory=dict)
    # item -> the name the question gives it in parentheses (卖地收入（国有土地使用权出让收入）): tried
    # when the item itself finds no row
    glossed: dict[str, str] = field(default_factory=dict)

    @property
    def wants_figure(self) -> bool:
        return self.qtype != "descriptive"


# 2025年末/年底 (a stock at the year's end): the 末/底 goes with the year, not into the item
_YEAR = re.compile(r"((?:19|20)\d\d)\s*(?:年[末底]?)?(?!\d)")
# 年底/年末 (a balance at the year's end) or 年初 (at its start; 年初预算 is a status)
_POINT = re.compile(r"年[末底终]|期末|年初(?!预算)")
_MONTHS = re.compile(r"(\d{1,2})\s*[-—~～至到]\s*(\d{1,2})\s*月份?")
_UNTIL = re.compile(r"截[至止]\s*(?:\d{4}年)?\s*(\d{1,2})\s*月(?:底|末|份)?")
# 6月当月 / 6月份 / 6月单月: that month alone (also how a row would state it)
ONE_MONTH = re.compile(r"(?<![\d\-—–~～至到])(\d{1,2})\s*月(?:份当月|份|当月|单月)")
# the levels under the place (its counties and districts): one scope, however a report spells it
_LOWER_SCOPE = r"各?(?:县市区|县[(（]市、区[)）]|县[(（]区[)）]|县区|区县)(?:这?一?级)?"  # (县（市、区）一级)
LOWER_SCOPE = "县区"
_LOWER_SCOPE_BRACKETS = re.compile(r"县[(（]市、区[)）]")
LOWER_SCOPE_WORDS = ("县区", "区县", "县市区", "县（市、区）", "县(市、区)", "县（区）", "县(区)")
# after 对/向/给 a word for a level names who receives (市对县区转移支付): the extractor's word list,
# read from its file (importing qa.extract for it would load the whole extractor, ~0.1 s, into every
# question's start-up)
_FIGURE_LEXICON = json.loads((DATA_DIR / "figure_lexicon.json").read_text(encoding="utf-8"))
_FIGURE_CONTEXT = _FIGURE_LEXICON["context"]
_NOT_AFTER = "".join(f"(?<!{re.escape(w)})" for w in _FIGURE_CONTEXT["scope_not_after"])
# a qualifier of the figure (超过, 接近, 大约: figure_lexicon.json items.qualifiers_before) said just before
# the question word bounds the number asked (占全球比重超过多少); it is no word of the item
_QUALIFIERS = frozenset(_FIGURE_LEXICON["items"]["qualifiers_before"])
# 市县两级 (the city and its counties together) is the whole place: the extractor's word, same value
_BOTH_LEVELS = {w: v for w, v in _FIGURE_CONTEXT["scope_canonical"].items() if w.endswith("两级")}
# (地方一般公共预算本级收入, 政府性基金本级收入: 本级 after the budget's name is part of an item's
# name, not a scope)
_SCOPE = re.compile(rf"({'|'.join(map(re.escape, _BOTH_LEVELS))}|全[市县州省区盟旗国]|"
                    rf"{_NOT_AFTER}(?:{_LOWER_SCOPE}|[市县州省区]本级|(?<!预算)(?<!基金)本级|[市县州省]级))")
# a quota split between levels (figure_lexicon.json context.scope_*): 市级留用的 is the part kept at
# that level, 分给县（市、区）的 / 转贷给市县的 the part passed down, as the rows' scopes say them
_KEPT_SCOPE = re.compile(rf"([市县州省区]本级|[市县州省区]级|本级)(?:自己)?(?:{'|'.join(_FIGURE_CONTEXT['scope_kept_verbs'])})")
_ALLOCATED_SCOPE = re.compile(rf"(?:{'|'.join(_FIGURE_CONTEXT['scope_allocation_verbs'])})[给到]?"
                              rf"(?:{_LOWER_SCOPE}|{'|'.join(_FIGURE_CONTEXT['scope_allocated_lower'])})")
SCOPE_WORD = _SCOPE  # (a scope word in any text: passages are ranked by the levels they speak of)
SCOPE_ALIAS = {"市级": "市本级", "县级": "县本级", "州级": "州本级", "省级": "省本级", **_BOTH_LEVELS}


def canonical_scope(word: str) -> str:
    """A scope word as one value: 市级 -> 市本级, 区县级 / 县（市、区） -> 县区."""
    return LOWER_SCOPE if re.fullmatch(_LOWER_SCOPE, word) else SCOPE_ALIAS.get(word, word)


def lower_scope_spelling(text: str) -> str:
    """How `text` spells the levels below the place (县（市、区）, 区县级), '' when it does not."""
    m = re.search(_LOWER_SCOPE, text)
    return m.group(0).lstrip("各") if m else ""


def scope_level(scope: str) -> str:
    """whole (全市), own (市本级, 市级, 本级) or lower (县区 …) — '' when the word says none."""
    if not scope:
        return ""
    if scope.startswith("全"):
        return "whole"
    if canonical_scope(scope) == LOWER_SCOPE:
        return "lower"
    if "本级" in scope or re.fullmatch(r"[市县州省区旗]级|市直", scope):
        return "own"
    return ""


def scope_words(scope: str) -> tuple[str, ...]:
    """How a report may say a scope: 市本级 also as 市级 (SCOPE_ALIAS), or 本级 alone under a
    全市 heading; 县区 also as 区县, 县（市、区） …"""
    if scope == LOWER_SCOPE:  # (转贷市县: 市县 after a verb of passing down)
        return (*LOWER_SCOPE_WORDS, *_FIGURE_CONTEXT["scope_allocated_lower"])
    if "本级" not in scope:
        return (scope,)
    return ("本级", *(said for said, canon in SCOPE_ALIAS.items() if canon == scope))


_STATUS = [
    ("决算", re.compile(r"决算")),
    ("预计", re.compile(r"预计|预估")),
    # (一般公共预算多少: 预算 ends a budget's name there, it does not ask the budgeted figure)
    ("预算", re.compile(r"预算数|预算安排|年初预算|草案|计划安排|拟安排|预期|"
                      r"(?<!一般公共)(?<!资本经营)(?<!性基金)(?<!保险基金)预算(?:是多少|多少|为)|计划(?:是|为|多少|规模)")),
    ("执行", re.compile(r"实际(?:完成|执行|动用|使用|支出|拨付|到位)|执行数")),
]
# (a county may have a one-character name: 寿县, 歙县, 沛县)
_PLACE = re.compile(r"(?:^|(?<=[年的在关于\s，,：:；;]))((?:(?!的)[\u4e00-\u9fff]){2,4}?(?=自治州|自治县|市|县|州|省|区)|[\u4e00-\u9fff](?=县))"
                    r"(?:自治州|自治县|市|县|州|省|区)"
                    r"(?=\d|年|的|在|，|,|\s|$|财政|政府|一般|全|本级)")
_NOT_PLACE_WORDS = re.compile(r"政府|财政|预算|收入|支出|债|资金|经费|城|农|社|的|和|与|及|^[两二三四五六七八九十几多\d]+个")  # (两个开发区: a count of places, not one)
# two levels side by side (转贷给市县, 分到县区) name tiers of government, not a place
_LEVEL_PAIR = re.compile(r"[省市州县区][省市州县区]$")
_NOT_PLACE = ("全", "本", "我", "该", "各", "哪", "每", "这", "那", "给", "对", "向", "城", "农", "社", "省", "县", "市", "州", "区", "上级", "下级", "地")

# 按2024年政府工作报告的说法，/ 根据…倒推，: a clause naming what a figure is worked out from
_SOURCE_FRAME = re.compile(r"^\W*(?:按照?|根据|依据|从)([^，,。？?]{0,40}?)(?:推算|倒推|反推|测算|推断|的说法|来看|看)[，,]")
# the year before the report's own (上一年 / 上年 / 去年), said on its own, not as a baseline (比上年)
_BEFORE_YEAR = re.compile(r"(?<![比较同])(?:上一年|上年|去年)(?!同期)")
_NATIONAL = re.compile(r"我国|国务院|国家(?=拟|计划|安排|今年|去年|明年|将|要|在|的|共|累计|财政|预算|一般公共|\d|[,，。?？\s])")
_REPORT_NAME = re.compile(r"(?:((?:19|20)\d\d)\s*年?\s*(?:的|度)?)?(?:国务院|本级|我[市县州区])?"
                          r"(?:政府工作报告|财政预算报告|预算报告|决算报告|财政工作报告|工作报告|工作汇报|财政报告|报告)"
                          r"(?:里面|里|中|上|说|提到|提出|显示|指出)*")
# ranked by the change: 下降最多 / 降得最多 / 降幅最大 (a decline), 涨得最快 / 增长最快 / 增幅最大
_DECLINE_MOST = re.compile(r"(?:降|减|跌|下滑|缩)[\u4e00-\u9fff]{0,2}?最|最(?:多|大)的?(?:降|减)")
_GROWTH_MOST = re.compile(r"(?:增|涨|长|升|提高)[\u4e00-\u9fff]{0,2}?最|最快|最慢")
_SUPERLATIVE = re.compile(r"最(多|少|大|小|高|低|快|慢|强|弱|厉害|猛|明显|显著|严重|突出)|增幅最|降幅最|增速最|排名第一|排第一|位居第一|居首")
_COMPARE = re.compile(r"哪个|哪一个|哪项|哪一项|哪块|哪一块|哪类|哪一类|哪一级|哪级|哪方面|哪边|谁|还是|是否超过|是否高于|是否低于|更多|更少|更高|更低|更快")
_SUM = re.compile(r"合计|总共|一共|加起来|共计|之和|总和|加上|总计|加一块|加一起|加在一起|合起来|加总")
_DIFF = re.compile(r"差额|相差|差多少|差了多少|比.{1,20}?(多|少|高|低)\w{0,3}?(多少|几)|多出|少了多少|高出|低了多少|减去|"
                   r"扣掉|减掉|去掉")
# "A里/中，B以外的部分": A - B
# 中 as "in", not the 中 of 中央/中小/中职 …
_IN = r"(?:里面|里|当中|之中|中(?![央国小心期长等职学医药]))"
_DIFF_WORD = re.compile(r"差额|相差|差多少|差了多少|多出|高出|减去|扣掉|减掉|去掉")
_EXCEPT = re.compile(r"^(.{2,30}?)" + _IN + r"[，,]?(?:除了?)?(.{2,30}?)(?:以外|之外)")
_SURPLUS = re.compile(r"结余|结存(?!限额)|收支差|收支缺口|缺口|收大于支|支大于收|收支相抵|相抵")
# "A相当于B的百分之几 / A是B的百分之多少": A / B, as a share
_PERCENT_OF = re.compile(r"^(.{2,40}?)(?:是|为|相当于|约为|约占|(?:能|可以)?覆盖)(.{2,40}?)的百分之(?:几|多少)")
_SHARE = re.compile(r"占.{0,20}?(比重|比例|百分之|多少|几成|的比)|占比|比重|所占比例|" + _PERCENT_OF.pattern[1:])
# a zone inside a place (its figures stand under its own heading or sentence) before an item
_ZONE_ITEM = re.compile(r"^([\u4e00-\u9fff]{2,12}?(?:开发区|产业园区|工业园区|园区|新区|示范区|高新区|经开区|试验区))"
                        r"([\u4e00-\u9fff]{4,})$")


# 消费券每1元拉动了多少消费 / 1块钱补贴带动了多少消费: what one yuan of the driver drove, a ratio
_PER_YUAN = re.compile(r"(?:每\s*)?(?:1|一)\s*(?:元|块钱?)(?P<driver>[\u4e00-\u9fff]{0,8}?)(?:大约|大概|约|能|可以|平均)?"
                       r"(?:拉动|带动|撬动)了?(?:多少|几)(?:元|块钱?)?(?P<driven>[\u4e00-\u9fff]{2,8})")
# "A是B的多少倍 / A相当于B的几倍": A / B
_TIMES = re.compile(r"^(.{2,40}?)(?:是|为|相当于|约为|达到)(.{2,40}?)的(?:多少|几)倍")
# "平均每人/每户(发了/领了)多少": an amount over the people (households) it reaches
# 平均每人 / 平均每户农户 / 平均每个项目 (the counted noun: `per`), then the verb of getting
_PER_HEAD = re.compile(r"平均每(?:一)?(?:个|位|名)?(?P<per>[\u4e00-\u9fff]{1,8}?)(?:[（(][\u4e00-\u9fff]{1,2}[)）])?次?"
                       r"(?=大概|大约|能|可以|拿|领|分到|得到|获得|涉及|撬动|发|补|多少|是多少|有多少|[（(，,？?]|$)"
                       r"(?:大概|大约)?(?:能|可以)?(?:拿到|领到|分到|得到|获得|涉及|撬动了?|发了|拿|领)?"
                       r"|人均(?:能|可以)?(?:领|发|得|拿|分)")
# 还差/还剩/还有多少 … 没(有)完成/花完/用完/支出/拨付: the part of a budget or task not yet done
# (返还, 归还, 偿还, 退还 are words of their own: 税收返还有多少 asks the 税收返还)
_NOT_YET_DONE = re.compile(r"(?:(?<![返归偿退])还差|(?<![返归偿退])还剩|(?<![返归偿退])还有|剩下)多少[^，,。？?]{0,6}?(?:没有?|未)(?:完成|花完|用完|花|支出|拨付|使用|到位)")
_REMAIN = re.compile(r"(?<![返归偿退])还有多少|(?<![返归偿退])还剩多少|剩余多少|多少(还)?没有?(使用|支出|拨付|到位|完成|下达|用)|还剩|剩下多少")
# "A离/距离B还有多少(空间)/还差多少": the gap B - A
_GAP = re.compile(r"(离|距离|距)(.{1,20}?)(还有|还差|还剩|差|有)(多少|多大)")
# "B里/中/当中 A 占多少": A's share of B
# a change asked as an amount (多了多少亿元, 增加多少万元), not as a rate
_AMOUNT_CHANGE_ASKED = re.compile(r"(?:增加|减少|多|少)了?多少(?:亿|万|元)|(?:增加|减少)了?多少(?!%|个百分点)")
_AGAINST_LAST_YEAR = re.compile(r"(?:比|较)(?:上年|去年|上一年)(?:同期)?(?:多|少|增加|减少)")
# 收入比年初预算增加了多少: set against the budget, a difference of statuses, not a change on last year
_AGAINST_BUDGET = re.compile(r"比(?:年初预算|预算数?|调整预算|调整后预算|计划)(?:数)?(?:增加|减少|多|少|超|高|低)")
# a status said of the year compared against (比上年执行数 / 较2025年预计数; the year may be read out
# already), not of the asked figure
_BASELINE_STATUS = re.compile(r"(?:比|较|对比|相比)\s*(?:上年|去年|上一年|(?:19|20)\d\d年|\s)\s*(?:的)?(?:实际)?"
                              r"(?:执行数|完成数|执行|完成|决算数|预算数|预计数|预计)")
# a target said with the item it is set for (城镇新增就业目标, 新增就业的预期目标)
_TARGET_WORD = re.compile(r"的?(?:预期)?目标$|^(?:预期)?目标")
_STATUS_ONLY = re.compile(r"^\W*(年初预算|预算数|预算|调整预算|调整后预算|计划|预期目标|目标)(数|安排)?")
_PART_OF = re.compile(r"^(.{2,30}?)" + _IN + r"(.{2,30}?)占")
# "A在B中占多少 / A在B中的占比": A's share of B (the whole framed by 在…中)
_PART_IN = re.compile(r"^(.{2,30}?)在(.{2,30}?)" + _IN + r"(?:的|所)?占")
_DESCRIPTIVE = re.compile(r"怎么|怎样|如何|哪些|什么措施|措施|举措|做法|办法|为什么|原因|主要|采取|工作|重点|任务|"
                          r"目标是什么|思路|方向|成效|亮点|问题|困难|挑战|建议|政策|机制|改革|介绍|说说|讲讲|概括|总结")
_NUMERIC = re.compile(r"多少|几|钱|金额|规模|数额|数量|总额|增长|增幅|增速|下降|降幅|减少|增加|同比|比上年|变化|"
                      r"完成率|占比|比重|百分|亿元|万元|元|%|标准|水平|人数|户数|合计|差额|结余|最")
# a one-character 涨/跌/升/降 (and 提标) asks a change only where the question asks it (降了多少, 降幅,
# 涨得快); inside a name it does not (提标降息惠及多少学生, 减税降费)
_CHANGE = re.compile(r"增减|涨跌|升降|增长|增幅|增速|增长率|下降|降幅|减少|增加|减幅|同比|比上年|变化|变动|"
                     r"(?:涨|跌|升|降|提标)(?=了|多少|幅|得|到|至|低|高|为|百分|几|最|[，,。？?]|$)|"
                     r"提高|提升|上调|调增|提了|多了|少了|压减|压缩|削减|调减|下调|节约|节省")
# 提高到多少 / 提高后是多少: the new level, not the change
_TO_LEVEL = re.compile(r"(提高|提|增加|增长|上调|调整|调增|降低|下调|减少)(到|至|后)")
_SPAN = re.compile(r"“?(十[一二三四五六七八九]五)”?(?:期间|时期|以来)?|过去五年|五年来|近五年")
_WHY = re.compile(r"为什么|为何|什么原因|原因是什么|原因何在|怎么会")
_CHANGE_ASKED = re.compile(r"增减|升降|涨跌|比上年|同比|较上年|比去年|(?:增长|下降|减少|增加|提高|降低|变化|变动)的?幅度|增长速度|增长了?多少|增加了?多少|减少了?多少|下降了?多少|降了多少|降低了?多少|升了多少|增幅|增速|降幅|变化|变动|"
                           r"提高了?多少|提升了?多少|上调了?多少|多了多少|少了多少|提了多少|涨了多少")
_AMOUNT_TOO = re.compile(r"是多少|有多少|多少钱|金额|规模|总额|收入多少|支出多少|多少亿|多少万")
_RATIO = re.compile(r"完成率|完成了?预算的|为预算的|预算的百分之|支付进度|执行进度|进度")
_STANDARD = re.compile(r"标准|水平")
_COUNT = re.compile(r"多少(人|户|个|家|所|项|笔|件|名|次|座|辆|套|亩|公里|处)|几(个|家|所|项|笔|件|名|人|户)|人数|户数|个数")

# words that carry the question, not the item
_FILLER_WORDS = (
    r"下辖的|下辖|所辖|请问|请告诉我|告诉我|我想知道|想了解|想知道|查一下|查询|请|一下|大概|大约|具体|分别|各自|现在|目前|到目前|能|能领|要|"
    r"是多少|有多少|为多少|多少钱|多少|是几|有几|几|多大|怎么样|如何|是否|有没有|吗|呢|吧|啊|"
    r"同比|比上年|较上年|比去年|增长率|增长了|增长|增幅|增速|下降了|下降|降幅|减少了|减少|增加了|增加|减幅|变化|变动|提高了|提高到|提高后|提高|提到|"
    r"完成率|完成了|完成|实现了|实现|执行数|执行|实际|达到了|达到|共计|合计|总共|一共|加起来|之和|总和|总计|"
    r"加一块|加一起|加在一起|合起来|加总|"
    r"差额|相差|差了|差|多出|收支差|缺口|占比|比重|比例|所占|占|百分之|"
    r"最多|最少|最大|最小|最高|最低|最快|最慢|最厉害|最猛|最明显|最显著|最严重|最突出|厉害|最|排名第一|排第一|哪个|哪一个|哪项|哪一项|哪块|哪一块|哪类|哪一类|哪一级|哪级|哪边|哪些|谁|还是|更多|更少|更高|更低|更快|"
    r"金额|规模|数额|总额|数量|情况|水平|怎样|"
    r"预算数|预算安排|年初预算|安排了|安排|草案|计划|打算|准备|预计数|决算数|预计|预期|决算|收了|收|花了|花|用了|"
    r"今年|去年|明年|上年|本年|当年|全年|一年|年度|年底|年末|截至|截止|每月|每年|每人|每个|月|年|"
    r"下达的|下达|核定的|核定|批准的|批准|批的|批|给|投向|投到|投在|投进|争取到|争取|筹集了|筹集|筹措了|筹措|发放了|拨付了|拨了|领|发了|的钱|块钱|钱|哪|累计|"
    r"万亿元|亿元|万元|元|更|得|还得|比|到|至|财政|这块|这一块|这方面|方面|领域|拟按|拟|按|说|报告里|报告中|报告|"
    r"推算|倒推|反推|测算|说法|从|"
    r"降得|涨得|升得|掉得|免掉|数|压减了|压减|压缩了|压缩|削减了|削减|幅度|下来|提了|更大|更小|更慢|"
    r"增减|涨跌|升降|"
    r"的|了|是|有|为|在|中|里|上|与|和|及|跟|、|，|,|？|\?|。|！|!|：|:|；|;|“|”|\"|'|\s"
)
# verbs of paying out that open an item phrase (发的惠农补贴); inside or after it they stay (几年一共要发多少)
_LEADING_VERB = re.compile(r"发|发放|通过|年发|定|定下")
# verbs of paying out or getting inside the phrase: what follows is what was paid or got
# (因为税收表现好拿到的激励资金: before the verb, why and to whom)
_PAYING_VERB = re.compile(r"(?:发|发放|拨付|拿到|拿|获得|得到|领到|分到)了?")
# verbs jieba leaves as tokens of their own after the item (定了, 用掉了, 花掉了)
_TRAILING_VERBS = frozenset(("定", "定为", "用", "掉", "用掉", "花掉", "用完", "花完"))
# a token is dropped only when it is made of filler words entirely, so 自有资金 keeps its 有
_FILLER_TOKEN = re.compile(rf"(?:{_FILLER_WORDS})+")
# one-character question words a guessed word may swallow (额是, 数比, 多收)
_FILLER_TAIL = re.compile(r"(?<=.)[是为有比收]$")
_CONNECTORS = frozenset("和 与 跟 及 以及 、 还是 比 加上 减去 扣掉 减掉 去掉 同 对比 相比 vs 占".split())
_TRAILING = re.compile(r"(多|少|高|低|快|慢|大|小|强|弱)+$")



def normalize_question(text: str) -> tuple[str, bool]:
    """NFKC, English → report wording, everyday → report wording. Returns (text, was_english)."""
    q = unicodedata.normalize("NFKC", text).strip()
    english = is_english(q)
    if english:
        q = to_report_wording(q)
    for pat, rep in vocabulary().rewrite:
        q = pat.sub(rep, q)
    return q, english


def parse_question(text: str, places: dict[str, str] | None = None) -> Query:
    """Parse a (validated or raw) question. Never raises on arbitrary text.

    `places` maps names a question may use for an indexed report's place (湛江, 湛江市,
    zhanjiang …) to a canonical name; they are recognised and removed from the item. Each step
    reads its part of the question and removes it from what the next steps see.
    """
    norm, english = normalize_question(text or "")
    q = Query(text=text, norm=norm, english=english)
    rest = _read_places(q, norm, places or {})
    rest, year_list = _read_report_and_period(q, rest)
    rest, scopes = _read_scope_and_status(q, rest)
    rest = _read_unknown_places(q, rest, english)
    q.unread = [w for w in q.unread if w not in (places or {})]  # (zhangye: a place in pinyin)
    _read_type(q, rest, scopes, year_list)
    rest = _read_two_points(q, rest)
    if q.qtype == "change" and "年均" in rest:
        q.yearly_average, rest = True, rest.replace("年均", " ")
    _read_items(q, rest, scopes, year_list)
    if q.operand_points and q.items:
        # (a stock at two points: its balances, not what was put in or taken out during the year)
        stock = q.items[0] if _STOCK_ITEM.search(q.items[0]) else q.items[0] + "余额"
        q.items = [stock, stock]
    return q


# 从年初到年末减少了多少 / 年末比年初增加多少: one stock at the year's end against its start
_BOTH_POINTS = re.compile(r"从?年初(?:到|至)年[末底]|年[末底](?:比|较)年初|年初(?:和|与|跟)年[末底]")
_STOCK_ITEM = re.compile(r"余额|结余|结存|滚存|存量")
_CHANGE_SAID = re.compile(r"[增减]*(?:增加|减少|增长|下降|变化|变动|净增|净减|多了|少了|[增减]了)")


def _read_two_points(q: Query, rest: str) -> str:
    m = _BOTH_POINTS.search(rest)
    if not m or not _CHANGE_SAID.search(rest[m.end():]) or q.qtype not in ("change", "arithmetic", "compare"):
        return rest
    q.qtype, q.op, q.attribute, q.point = "arithmetic", "diff", "amount", ""
    q.operand_points = ["年末", "年初"]
    return rest[:m.start()] + " " + _CHANGE_SAID.sub(" ", rest[m.end():])


@lru_cache(maxsize=1)
def _country_re() -> re.Pattern[str]:
    items = "|".join(re.escape(w.removeprefix("国家")) for w in country_item_words())
    return re.compile(f"国家(?!{items})" if items else "国家")


def _read_places(q: Query, rest: str, places: dict[str, str]) -> str:
    for alias in sorted(places, key=len, reverse=True):
        hay = rest.lower().replace(" ", "") if alias.isascii() else rest
        if alias and alias in hay:
            if places[alias] not in q.places:
                q.places.append(places[alias])
            if not alias.isascii():
                # 红河州 / 三明市 go with the name; 红河州本级 keeps its scope 州本级; only the place's
                # own level word goes with it (某某县（市、区） of a city 某某市: 县（市、区） is the city's counties)
                own = "|".join(w for w in ("自治州", "自治县", "市", "州", "县", "区") if places[alias].endswith(w))
                suffix = f"(?:{own})?" if own else ""
                rest = re.sub(re.escape(alias) + suffix + r"(?!本级|级)", " ", rest)
    if "全国" in places.values() and _NATIONAL.search(rest):
        # 国家拟安排…/国务院: the country (not 国家助学金, an item's name)
        if "全国" not in q.places:
            q.places.append("全国")
        rest = _NATIONAL.sub(" ", rest)
    if "全国" in places.values() and not q.places and (m := _country_re().search(rest)):
        # 国家赤字 / 国家超长期特别国债 with no place named: the country, unless 国家 begins an
        # item's own name (国家助学金, 国家级; places.json: country_item_words)
        q.places.append("全国")
        rest = rest[:m.start()] + " " + rest[m.end():]
    if "全国" in places.values() and any(p in rest for p in national_phrases()):
        q.national_item = True
    return rest


def _read_report_and_period(q: Query, rest: str) -> tuple[str, list[int]]:
    source = _SOURCE_FRAME.match(rest)
    if source and (_YEAR.search(rest[source.end():]) or _BEFORE_YEAR.search(rest[source.end():])):
        # 按2024年的安排倒推，2023年…是多少: the clause says where the figure is worked out from
        # (its year is the report's), the rest what is asked
        q.report_years = [int(y) for y in _YEAR.findall(source.group(1))][:1]
        rest = " " + rest[source.end():]
        if q.report_years and not _YEAR.search(rest) and _BEFORE_YEAR.search(rest):
            rest = _BEFORE_YEAR.sub(f"{q.report_years[0] - 1}年", rest, count=1)  # 上一年 of that report
    named = _REPORT_NAME.search(rest)
    if named:  # "2023年政府工作报告里…": routes to a report; says nothing of the figure's year
        if named.group(1):
            q.report_years = [int(named.group(1))]
        rest = rest[:named.start()] + " " + rest[named.end():]
    year_list = [int(y) for y in _YEAR.findall(rest)]
    q.years = sorted(set(year_list))
    point = _POINT.search(rest)
    if point:
        q.point = "年初" if "初" in point.group(0) else "年末"
    span = _SPAN.search(rest)
    m = _MONTHS.search(rest)
    if span:
        q.period = span.group(1) or "五年"
        rest = _SPAN.sub(" ", rest)
    elif m:
        q.period = f"{int(m.group(1))}-{int(m.group(2))}月"
    else:
        m = _UNTIL.search(rest)
        one = ONE_MONTH.search(rest)
        if m:
            q.period = f"1-{int(m.group(1))}月"
        elif one:
            q.period = f"{int(one.group(1))}月"  # 6月当月 / 6月份: that month alone, not 1-6月
        elif "全年" in rest:
            q.period = "全年"
    rest = ONE_MONTH.sub(" ", _UNTIL.sub(" ", _MONTHS.sub(" ", rest)))
    return _YEAR.sub(" ", rest), year_list


def _read_scope_and_status(q: Query, rest: str) -> tuple[str, list[str]]:
    rest = _ALLOCATED_SCOPE.sub(f" {LOWER_SCOPE} ", _KEPT_SCOPE.sub(r" \1 ", rest))
    scopes = [canonical_scope(m) for m in _SCOPE.findall(rest)]
    if q.national_item:
        # 中央一般公共预算本级支出: 本级 is part of the national item's name, not a scope
        scopes = [s for s in scopes if s != "本级"]
    if scopes:
        q.scope = scopes[0]
        rest = _SCOPE.sub(lambda m: m.group(0) if q.national_item and m.group(0) == "本级" else " ", rest)
    own = _BASELINE_STATUS.sub(" ", rest)  # 比上年执行数增长多少: 执行 is the baseline's, not the figure's
    for status, pat in _STATUS:
        if pat.search(own):
            q.status = status
            break
    return rest, scopes


def _read_unknown_places(q: Query, rest: str, english: bool) -> str:
    # a place we have no report for; beside an indexed place, a part of it (三明永安市, 湛江经开区)
    for m in _PLACE.finditer(rest):
        name = m.group(0)
        if not m.group(1).startswith(_NOT_PLACE) and not _NOT_PLACE_WORDS.search(m.group(1)) \
                and not _LEVEL_PAIR.search(name):
            q.unknown_places.append(name)
    for name in q.unknown_places:
        rest = rest.replace(name, " ")
    if english:
        q.unread = unread_words(rest, national_latin_words())
        # untranslated words (place names in pinyin, or noise) with what hangs on them: ya'an's, h1
        rest = re.sub(r"[a-z0-9'\-]*[a-z][a-z0-9'\-]*|(?<![\w])['\-]+(?![\w])", " ", rest)
    return rest


def _read_type(q: Query, rest: str, scopes: list[str], year_list: list[int]) -> None:
    """Question type and operation, attribute, and what a superlative or comparison ranks by."""
    q.qtype, q.op = _question_type(rest)
    if q.op == "share" and _question_type(_after_paying_verb(rest))[0] == "lookup":
        # 因税收占比和增幅表现拿到的激励资金是多少: the 占比 is why it was got, not what is asked
        q.qtype, q.op = "lookup", ""
    two_years = len(set(year_list)) >= 2
    if (len(set(scopes)) >= 2 or two_years) and _COMPARE.search(rest) and q.op not in ("share", "diff", "gap"):
        q.qtype, q.op = "compare", ""  # 全市和市本级…哪个多 / 2025年和2026年哪个多
    if q.qtype == "change" and two_years and re.search(r"比|从", rest) \
            and _AMOUNT_CHANGE_ASKED.search(rest):
        q.qtype, q.op = "arithmetic", "diff"  # 2025年比2021年 / 从2021年到2025年多了多少亿元: the two years' levels apart
    q.attribute = _attribute(rest, q.qtype)
    if q.qtype == "superlative":
        q.extreme = "min" if re.search(r"最(少|小|低|慢)|降幅最小", rest) else "max"
        if _DECLINE_MOST.search(rest):
            q.by = "decline"
        elif _GROWTH_MOST.search(rest):
            q.by = "change"
    if q.qtype == "compare" and (re.search(r"增长|增幅|增速|更快|(?:涨|升|增|长)得(?:更)?快", rest)
                                 or _CHANGE_AMOUNT.search(rest)):
        q.by = "change"  # (哪个提高的钱多 / A的增加额和B的增加额: the amounts they rose by)
    elif q.qtype == "compare" and re.search(r"降得|降幅|下降|跌得|减少得", rest):
        q.by = "decline"


# the amount something rose by, compared: 提高的钱多 / 增加额 / 增加得多
_CHANGE_AMOUNT = re.compile(r"的?(?:增加额|增加值|增量|提高额|(?:提高|增加|上调)(?:的|了|得)(?:钱数?|金额|数额)?(?:更)?(?:多|大))")


# 预备费预算 / 预算里的预备费: 预算 says the status, not the item, when it stands beside a whole
# item (one ending as items end); 一般公共预算, 预算稳定调节基金 keep theirs
_STATUS_AFTER_ITEM = re.compile(r"(?<=[费出入金助券额款])预算(?:数)?$")
_STATUS_BEFORE_ITEM = re.compile(r"^预算(?![稳内收支执调草数])(?=.{3,})")


def _status_off_item(q: Query, item: str) -> str:
    bare = _STATUS_BEFORE_ITEM.sub("", _STATUS_AFTER_ITEM.sub("", item))
    if bare != item and not q.status:
        q.status = "预算"
    return bare


def _read_items(q: Query, rest: str, scopes: list[str], year_list: list[int]) -> None:
    """The items asked, and how operands differ (scope, year, status) when one item is asked twice."""
    counted = _COUNTED.search(rest)
    if counted:
        q.count = _chinese_number(counted.group(1))
    q.items = _items(rest, q)
    for k, item in enumerate(q.items):
        driven = _DRIVEN.fullmatch(item)
        if driven and q.qtype in ("lookup", "change", "arithmetic", "compare"):
            q.items[k] = driven.group(2)
            q.said_with[driven.group(2)] = driven.group(1)
    if q.qtype in ("lookup", "change") and len(q.items) == 1 and (zone := _ZONE_ITEM.match(q.items[0])) \
            and _subject_of(zone.group(2)) != zone.group(2):
        # 经济技术开发区税收收入: the zone's row, whose heading or sentence names the zone
        q.items = [zone.group(2)]
        q.said_with[zone.group(2)] = zone.group(1)
    if q.op == "share" and len(q.items) == 2 and _SHARE_IN_MONEY.search(q.norm):
        # 社保基金收入中财政补贴占多少钱: the part's amount, asked as money, not its share
        part, whole = q.items
        q.qtype, q.op, q.items = "lookup", "", [part]
        q.said_with[part] = whole
    if q.qtype in ("lookup", "change") and len(q.items) == 1 and (payer := _PAYER.search(q.norm)) \
            and _TRANSFER.search(q.items[0]):
        # 省里给的转移支付 / X省给Y市的专项转移支付: the transfers from that level (省对我市…),
        # not those the place passes down (市对县区…)
        item = re.sub(rf"^.*?{payer.group(1)}(?:里|级)?", "", q.items[0]) or q.items[0]
        q.items = [item]
        q.said_with[item] = payer.group(1)
    if q.qtype in ("lookup", "change") and len(q.items) == 1 and (gloss := _GLOSS.search(q.norm)) \
            and not _NOT_A_GLOSS.match(gloss.group(1)) and not _SCOPE.search(gloss.group(1)):
        q.glossed[q.items[0]] = gloss.group(1)
    if q.qtype in ("lookup", "change") and q.attribute != "ratio":
        # (a list's name keeps its 预算: 三公经费预算合计; 完成预算的比例 asks the outturn's ratio)
        q.items = [_status_off_item(q, it) for it in q.items]
    if q.op == "share" and len(set(scopes)) >= 2 and _COMPARE.search(rest) and q.items:
        # 税收占收入的比重，全市和市本级哪个高: the stated ratio of each scope, compared
        q.qtype, q.op, q.attribute, q.items = "compare", "", "ratio", [q.items[0] + "占比"]
    if q.op == "total" and q.items:
        family = vocabulary().families.get(q.items[0]) or next(
            (m for f, m in vocabulary().families.items() if f in q.items[0]), None)
        if family:  # 三公经费合计: its members, which the report may list without a total
            q.group = q.items[0]
    if q.qtype in ("compare", "arithmetic") and q.op in ("diff", "") and len(q.items) == 1:
        # 实际收入比年初预算多多少: one item, executed against budgeted
        parts = [p for p in _split(rest) if p.strip()]
        if len(parts) >= 2 and any(_STATUS_ONLY.search(p) for p in parts[1:]):
            q.items = q.items * 2
            q.operand_statuses = ["执行", "预算"]
    if q.qtype in ("compare", "arithmetic") and q.op in ("diff", "") and len(q.items) == 2 \
            and _STATUS_ONLY.fullmatch(q.items[1]) and not _STATUS_ONLY.fullmatch(q.items[0]):
        # 支出比预算数少了多少: the second operand names only a status, so it is the first item budgeted
        # (实际就业比2024年的目标多多少: and each operand keeps its own year)
        q.items = [q.items[0]] * 2
        q.operand_statuses = ["执行", "预算"]
        if len(set(year_list)) >= 2:
            q.operand_years = year_list[:2]
    if q.qtype in ("compare", "arithmetic") and q.op in ("diff", "") and len(q.items) == 2 \
            and not q.operand_statuses:
        # 2024年城镇新增就业目标和2023年实际城镇新增就业: one item, planned against done, each in its year
        planned = [bool(_TARGET_WORD.search(it)) for it in q.items]
        bare = [_TARGET_WORD.sub("", it) for it in q.items]
        if planned[0] != planned[1] and min(map(len, bare)) >= 2 \
                and (bare[0].endswith(bare[1]) or bare[1].endswith(bare[0])):
            q.items = [max(bare, key=len)] * 2
            q.operand_statuses = ["预算" if p else "执行" for p in planned]
            if len(set(year_list)) >= 2:
                q.operand_years = year_list[:2]
    if len(q.items) == 2 and q.items[0] == q.items[1] and not q.operand_statuses:
        q.items = q.items[:1]  # (A和A said twice; one item asked at two statuses stays two operands)
    if q.qtype in ("compare", "arithmetic") and q.op not in ("surplus", "remaining") and len(q.items) == 1:
        # one item in two scopes (市本级…占全市) or two years (2026年…比2025年)
        if len(scopes) >= 2 and scopes[0] != scopes[1]:
            q.items = q.items * 2
            q.operand_scopes = scopes[:2]
        elif len(year_list) >= 2 and year_list[0] != year_list[1]:
            q.items = q.items * 2
            # (从2021年到2025年 asks the later level against the earlier, as 2025年比2021年 does)
            q.operand_years = year_list[:2][::-1] if re.search(r"从[^，,]{0,6}?(?:到|至)", rest) else year_list[:2]
            if _SPAN.fullmatch(q.period) or q.period == "五年":
                q.period = ""  # “十四五”期间从2021年到2025年: the years say which levels; the span only frames them
            if _TARGET_WORD.search(q.items[0]) and not q.op:
                # 就业，2026年的目标和2025年实际: the target is the year said just before it
                q.items = [_TARGET_WORD.sub("", q.items[0])] * 2
                q.operand_statuses = [_status_of_year(q.text, y) for y in q.operand_years]
    if q.qtype == "superlative":
        # 民生投入里，A、B、C三块哪块最多: the group is what the list stands in, not its members
        where = re.match(r"(.{2,}?)(?:里面|里|当中|之中|中)[，,]", rest) if len(q.items) >= 2 else None
        q.group = _group_phrase(where.group(1) if where and q.items[0] in rest[where.end():] else rest)
        run = _LIST_RUN.search(rest) if len(q.items) >= 2 else None
        if run:  # (the list and its count are the contenders, not what they are)
            last = run.group(1).split("、")[-1]
            counted = _COUNTED.search(last)  # A、B、C三项投入: 投入 is what they are
            said = rest[:run.start(1)] + " " + (last[counted.end():] if counted else "")
            q.listed_as = _group_phrase(re.sub(r"[()]", " ", _COUNTED.sub(" ", said + " " + rest[run.end(1):]))) \
                or "所列各项"
    if q.qtype in ("compare", "arithmetic") and q.op in ("", "sum", "diff") and len(q.items) >= 2:
        q.alternatives = _two_part_readings(rest, q)


def search_text(q: Query) -> str:
    """The text to retrieve passages with: the question in report wording, plus the report
    term for each asked item when the question used an everyday one (学校 -> 教育)."""
    extra = []
    for item in q.items or ([q.group] if q.group else []):
        alts = variants(item, limit=2)
        extra.append(alts[1] if len(alts) > 1 else item)
    if not q.wants_figure:
        return " ".join([q.norm, *extra])
    # a figure's item comes first and counts twice: what is asked outweighs how it is asked
    return " ".join([*extra, *extra, q.norm])


def _question_type(rest: str) -> tuple[str, str]:
    if _WHY.search(rest):
        return "descriptive", ""  # 为什么下降: the reason, in the report's words, not the figure
    # 基础养老金最低标准提高多少: 最低 in a name asks for no extreme
    ranked = vocabulary().superlative_names.sub(" ", rest)
    if _SUPERLATIVE.search(ranked) and "哪" in rest:
        return "superlative", ""  # 哪一块占比最大: which one, not a share to compute
    if _TIMES.search(rest) or _PER_YUAN.search(rest):
        return "arithmetic", "ratio"  # A是B的多少倍 / 每1元A拉动多少B
    if _PER_HEAD.search(rest):
        return "arithmetic", "per_head"  # 平均每人多少
    if _GAP.search(rest):
        return "arithmetic", "gap"
    if _EXCEPT.search(rest):
        return "arithmetic", "except"
    if _SURPLUS.search(rest):
        return "arithmetic", "surplus"
    if _SHARE.search(rest) and not _RATIO.search(rest):
        return "arithmetic", "share"
    if _NOT_YET_DONE.search(rest):
        return "arithmetic", "remaining"  # 还差多少没完成调整预算 / 还剩多少没花完: what is left of it
    if _AGAINST_LAST_YEAR.search(rest) and not _DIFF_WORD.search(rest) and not _COMPARE.search(rest):
        return "change", ""  # 比上年多争取了多少 / 比上年少了多少: the change on last year, asked as an amount
    if (_DIFF.search(rest) and ("比" in rest or _DIFF_WORD.search(rest))) or _AGAINST_BUDGET.search(rest):
        return "arithmetic", "diff"  # (降低了多少 alone is a change)
    if _SUM.search(rest) and _CHANGE_ASKED.search(rest) and len([p for p in _split(rest) if p.strip()]) < 2:
        return "change", ""  # 一共降了多少个百分点
    if _SUM.search(rest) and len([p for p in _split(rest) if p.strip()]) >= 2:
        return "arithmetic", "sum"
    if _SUM.search(rest):
        return "arithmetic", "total"  # 七项支农资金一共多少: the stated total, else its members added
    if _REMAIN.search(rest):
        return "arithmetic", "remaining"
    if _SUPERLATIVE.search(ranked):
        return "superlative", ""
    if "哪些" in rest and not re.search(r"多少|几", rest):
        return "descriptive", ""  # 花了哪些钱: what it was spent on, not an amount
    if _COMPARE.search(rest) and len([p for p in _split(rest) if _clean(p)]) >= 2:
        return "compare", ""
    if _DESCRIPTIVE.search(rest) and not _NUMERIC.search(rest):
        return "descriptive", ""
    if not _NUMERIC.search(rest) and re.search(r"什么|哪|怎|介绍|说明|讲", rest):
        return "descriptive", ""
    if _TO_LEVEL.search(rest):
        return "lookup", ""  # 提高到多少 asks the new level, not the change
    clauses = [c for c in re.split(r"[,，;；]", rest) if c.strip()]
    if len(clauses) >= 2 and "多少" in clauses[0] and not _CHANGE.search(clauses[0]) \
            and any(_CHANGE.search(c) for c in clauses[1:]):
        return "lookup", ""  # X是多少，增长了多少: the amount is asked first; its change is said beside it
    if _CHANGE.search(rest) and (not _AMOUNT_TOO.search(rest) or _CHANGE_ASKED.search(rest)):
        return "change", ""
    return "lookup", ""


_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# 这四个(校建项目) / 七项 / 3类: a count of listed items (not 四本预算, a name)
_COUNTED = re.compile(r"(?<![哪第每任单唯])(?:这|那)?([二两三四五六七八九十]|[一二三四五六七八九十]{2,3}|\d{1,2})\s*(?:个|项|类|笔|块|所)")


def _chinese_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 1:
        return _NUMERALS.get(text, 0)
    if text.startswith("十"):
        return 10 + _NUMERALS.get(text[1:], 0)
    tens, _, ones = text.partition("十")
    return _NUMERALS.get(tens, 0) * 10 + _NUMERALS.get(ones, 0)


def _attribute(rest: str, qtype: str) -> str:
    if qtype == "change":
        return "change"
    if _RATIO.search(rest) or re.search(r"[^完成]率|比例|比重", rest):
        return "ratio"
    if _COUNT.search(_GROUP_FILLER.sub("", rest)):
        return "count"
    if _STANDARD.search(rest) and qtype == "lookup":
        return "standard"
    return "amount"


def _words(text: str) -> list[str]:
    """jieba words with the finance dictionary (budget terms stay whole). A word jieba guessed
    (no dictionary holds it) that ends in a question word is cut before it: 发放额是多少 cuts as
    发放/额是 and 完成数比年初 as 完成/数比, and the 是 or 比 asks or compares, it does not name."""
    from .tokenizer import cut, known_word
    out = []
    for w in cut(text):
        if len(w) < 2 or known_word(w):
            out.append(w)
        elif _FILLER_TOKEN.fullmatch(w):
            out += list(w) if any(c in _CONNECTORS for c in w) else [w]  # 数比: the 比 compares
        elif tail := _FILLER_TAIL.search(w):
            out += [w[:tail.start()], tail.group()]
        else:
            out.append(w)
    return out


# the measure word after 多少/几 (多少个问题, 几个项目, 多少户农户) counts; it does not name
_MEASURE_WORDS = "个项名位家所笔件次户人座辆套处条类种只批"
_CLASSIFIER = re.compile(rf"万?[{_MEASURE_WORDS}]")
_COUNTING_WORD = re.compile(rf"(?:多少|几)[{_MEASURE_WORDS}]")


def _without_classifiers(words: list[str]) -> list[str]:
    """The words without a measure word that follows 多少/几 (or is cut together with it: 几个)."""
    out, counting = [], False
    for w in words:
        if counting and _CLASSIFIER.fullmatch(w) or _COUNTING_WORD.fullmatch(w):
            counting = False
            continue
        counting = w in ("多少", "几")
        out.append(w)
    return out


def _without_qualifiers(words: list[str]) -> list[str]:
    """The words without a qualifier (超过, 接近) that stands just before 多少/几."""
    return [w for i, w in enumerate(words)
            if not (w in _QUALIFIERS and i + 1 < len(words) and words[i + 1].startswith(("多少", "几")))]


# which-words whose measure word jieba may cut off as a word of its own
_WHICH = re.compile(r"哪一?[级个项块类本笔边方]")


def _clean(phrase: str) -> str:
    """The phrase without question words: whole filler tokens are dropped, content kept."""
    phrase = re.sub(r"[（(][^）)]*[）)]", "", phrase)  # (含上划中央收入): a note, not the item
    phrase = _WHICH.sub(" ", phrase)  # (jieba cuts 哪一级 as 哪/一级)
    words = _without_qualifiers(_without_classifiers(_words(phrase)))
    words = [w for w in words if not _FILLER_TOKEN.fullmatch(w)]
    while words and _LEADING_VERB.fullmatch(words[0].strip()):
        words = words[1:]  # 通过一卡通发的补贴 / 发的惠农补贴: how it was paid, not what
    while words and words[-1].strip() in _TRAILING_VERBS:
        words = words[:-1]  # 赤字规模定了多少 / 预备费用掉了多少: what was done with it, not what
    kept = "".join(words).strip()
    return re.sub(r"(.{2,})\1", r"\1", kept)  # 卫生健康卫生健康支出 after a synonym rewrite


def _status_of_year(text: str, year: int) -> str:
    """预算 when a target word follows the year before another year is said, else 执行."""
    m = re.search(rf"{year}\s*年(?:(?!(?:19|20)\d\d).)*?目标", text)
    return "预算" if m else "执行"


def _two_part_readings(rest: str, q: Query) -> list[list[str]]:
    """Every way to read the question as two operands split at one 和/与/及/跟: the first
    reading (split at every connector) fails when an operand's own name holds a 和."""
    words = _words(rest)
    cuts = [i for i, w in enumerate(words) if w in ("和", "与", "及", "以及", "跟")]
    out = []
    for i in cuts:
        left, right = "".join(words[:i]), "".join(words[i + 1:])
        if q.qtype == "compare" or q.op == "sum":
            left = _after_subject(left)
        pair = [_TRAILING.sub("", _clean(_drop_context(_cut_counted(p)))) for p in (left, right)]
        if all(len(p) >= 2 for p in pair):
            pair = _inherit_subject(_share_head(pair))
            if pair != q.items and pair not in out:
                out.append(pair)
    return out


def _split(text: str) -> list[str]:
    """Split at connector words (和, 比, 占 …) that jieba sees as words of their own."""
    parts, cur = [], []
    text = _LOWER_SCOPE_BRACKETS.sub("县市区", text)  # (the 、 of 县（市、区） joins no operands)
    for w in _words(text):
        if w in _CONNECTORS:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(w)
    parts.append("".join(cur))
    return parts


def _items(rest: str, q: Query) -> list[str]:
    """Item phrases: one for lookups, the operands for compare/arithmetic."""
    if q.op == "gap":
        m = _GAP.search(rest)
        first, second = _clean(rest[:m.start()]), _clean(m.group(2))
        if first and second:
            first, second = _inherit_subject([first, second])
        return [p for p in (second, first) if p]  # the gap is the target minus where we are
    if q.op == "except":
        m = _EXCEPT.search(rest)
        whole, part = _clean(m.group(1)), _clean(m.group(2))
        return [p for p in (whole, part) if p]
    if q.op == "share":
        m = _PART_IN.search(rest)
        if m and _clean(m.group(1)) and _clean(m.group(2)):
            return [_clean(m.group(1)), _clean(m.group(2))]
        m = _PART_OF.search(rest)
        if m and _clean(m.group(1)) and _clean(m.group(2)):
            return [_clean(m.group(2)), _clean(m.group(1))]
        m = _PERCENT_OF.search(rest)
        if m and _clean(m.group(1)) and _clean(m.group(2)):
            return [_clean(m.group(1)), _clean(m.group(2))]
    if q.qtype == "superlative":
        return _listed(rest)
    if q.op == "ratio" and not _TIMES.search(rest):
        m = _PER_YUAN.search(rest)
        driver = _clean(m.group("driver")) or _clean(rest[:m.start()])
        driven = _clean(m.group("driven"))
        if driver and driven:
            q.said_with[driven] = driver
            return [driven, driver]
    if q.op == "ratio":
        m = _TIMES.search(rest)
        first, second = _clean(m.group(1)), _clean(m.group(2))
        driven = _DRIVEN.search(first)
        if driven and len(second) < 2:
            second = driven.group(1)  # 消费券拉动的消费是发放额的几倍: the amount paid out is the vouchers'
        if first and second:
            return _inherit_subject([first, second])
    if q.op == "per_head":
        m = _PER_HEAD.search(rest)
        q.per = (m.group("per") or "") if m else ""
        whole = _clean(_PER_HEAD.sub(" ", rest))
        return [whole] if whole else []
    if q.op == "remaining":
        m = _NOT_YET_DONE.search(rest) or _REMAIN.search(rest)
        head = _clean(rest[:m.start()]) if m else ""
        return [head] if head else []
    if q.op == "total":
        whole = _clean(_SUM.sub(" ", _COUNTED.sub(" ", rest)))
        return [whole] if whole else []
    if q.op == "sum":
        listed = _PAREN_LIST.search(rest)
        parts = [_clean(p) for p in re.split(r"[、和及]", listed.group(1))] if listed else []
        if len([p for p in parts if len(p) >= 2]) >= 2:
            return [p for p in parts if len(p) >= 2]  # 两笔专项（A、B）加起来: the list in parentheses
    if q.qtype == "compare" and q.by == "change":
        rest = _CHANGE_AMOUNT.sub(" ", rest)
    if q.qtype == "compare" and not q.op and (shared := _whose_item(rest)):
        names, item = shared
        q.said_with.update({n + item: n for n in names})
        return [n + item for n in names]
    if q.qtype in ("compare", "arithmetic") and q.op not in ("surplus", "remaining"):
        if q.op == "sum":  # …和C加起来: the sum's word is not part of the last operand (加上 joins two)
            rest = _SUM.sub(lambda m: m.group(0) if m.group(0) == "加上" else " ", rest)
        clauses = re.split(r"[，,]", rest)
        if q.qtype == "arithmetic" and len(clauses) >= 2 and len([p for p in _split(clauses[0]) if _clean(p)]) >= 2 \
                and all(len([p for p in _split(c) if _clean(p)]) <= 1 and not _HEAD_ONLY.match(_clean(c))
                        for c in clauses[1:]):
            rest = clauses[0]  # 限额减去余额，还有多少举债空间: the operands are all in the first clause
        raw = _split(rest)
        whose = ""
        if q.qtype == "compare" or q.op == "sum":  # (a share's part keeps its whose: 落地实施的项目)
            after = _after_subject(raw[0])
            whose, raw[0] = _clean(raw[0][:len(raw[0]) - len(after)].rstrip("的")), after
        parts = [_TRAILING.sub("", _clean(_drop_context(_cut_counted(p)))) for p in raw]
        if q.op == "diff":  # 送审金额扣掉审减后: what is taken away, not a time after it
            parts = [re.sub(r"(?<=..)[之以]?后$", "", p) for p in parts]
        parts = [p for p in parts if len(p) >= 2]
        if len(parts) >= 2:
            parts = _inherit_subject(_share_head(parts))
            whole = _clean(_context_of(_cut_counted(raw[0])))
            if len(whole) >= 2 and (q.qtype == "compare" or q.op == "sum"):
                q.said_with.update({p: whole for p in parts if whole not in p})
            elif q.op == "sum" and len(whose) >= 2:
                # 再融资债券转贷给市县的一般债券和专项债券: the parts of that whole, not of another's
                q.said_with.update({p: whose for p in parts if whose not in p})
            return parts
    if q.qtype in ("lookup", "change") and not q.op:
        part = _PART_ASKED.search(rest)
        if part and len(_clean(part.group(2))) >= 2:
            # 社保基金中养老保险基金收入: the part is asked, not the whole it is part of
            return [_clean(part.group(2))]
    whole = _clean(_after_paying_verb(rest)) if q.qtype in ("lookup", "change") else _clean(rest)
    if (q.qtype == "change" and _AGAINST_LAST_YEAR.search(rest)) or q.op == "diff" or q.qtype == "compare":
        whole = _TRAILING.sub("", whole)  # 比上年多争取了多少 / 比预算多收了多少 / 哪一级更多: 多 says which way, not what
    return [whole] if whole else []


_SHARE_IN_MONEY = re.compile(r"占(?:了)?多少(?:钱|[万亿]?元)")
# who pays a transfer: the level before 给 (省里给的, 中央给的, X省给Y市的)
_PAYER = re.compile(r"(省|中央|上级)(?:里|级|财政)?给")
_TRANSFER = re.compile(r"转移支付|税收返还|补助|返还")
# 卖地收入（国有土地使用权出让收入）: the item's formal name, given in parentheses after it; a note
# (含…, 不含…, 主要是…) or a list (A、B) is no name
_GLOSS = re.compile(r"[(（]([\u4e00-\u9fff“”]{4,20}(?:收入|支出|资金|基金|税|费|补助|补贴|余额|债务|债券|投资|经费|标准|价格|指数))[)）]")
_NOT_A_GLOSS = re.compile(r"含|不含|包括|包含|即|主要|以|按|其中|扣除|剔除")


# A中B / A里的B, A a whole (…收入, …基金, …预算): B is asked (中央, 中小学, 中职 are names, not 中)
_PART_ASKED = re.compile(r"([\u4e00-\u9fff]{2,}(?:收入|支出|基金|预算|资金|税收|债务|债券|经费))"
                         r"(?:中|里|当中|之中)(?![央国小心期长等职学医药])的?([\u4e00-\u9fff]{2,})")


def _whose_item(rest: str) -> tuple[list[str], str] | None:
    """'收入，中央和地方哪个多' / '经开区和高新区，谁的收入更多' -> (['中央', '地方'], '收入'): one
    clause pairs short names with no head noun of their own, the other names the item they share.
    None when the question is not so built (教育支出和卫生健康支出哪个多 names two items)."""
    clauses = [c for c in re.split(r"[，,]", rest) if _TRAILING.sub("", _clean(c))]  # (哪个少: no clause)
    if len(clauses) == 1:
        return _whose_item_after(clauses[0])
    if len(clauses) != 2:
        return None
    for pair, other in (clauses, clauses[::-1]):
        raw = _split(pair)
        names = [_TRAILING.sub("", _clean(p)) for p in raw]
        if len(raw) < 2 or not all(2 <= len(n) <= 10 and _subject_of(n) == n for n in names):
            continue  # (names of zones run long: 经济技术开发区和综合保税区，哪个的收入多)
        if len(_split(other)) != 1 or re.search(r"(?:里面|里|当中|之中|中)\s*$", other):
            continue  # (A里，B和C: A is where B and C sit, not what they share)
        item = _TRAILING.sub("", _clean(other))
        if len(item) >= 4 and _subject_of(item) != item:
            return names, item
    return None


def _whose_item_after(clause: str) -> tuple[list[str], str] | None:
    """'经开区和高新区一般公共预算收入谁高' -> (['经开区', '高新区'], '一般公共预算收入'): a short name
    with no head noun, then another name the shared item follows (cut where the rest of the words
    first make an item of four or more characters that ends in a head noun)."""
    raw = [p for p in _split(clause) if _clean(p)]
    if len(raw) != 2:
        return None
    first = _TRAILING.sub("", _clean(raw[0]))
    if not 2 <= len(first) <= 5 or _subject_of(first) != first or first != raw[0].strip():
        return None  # (GDP增速和居民人均可支配收入增速: the first name is asked about on its own)
    from .tokenizer import known_word
    second = _TRAILING.sub("", _clean(raw[1]))
    words = _words(second)
    # cuts between words, and inside the first word where a dictionary word ends it (地方|一般公共预算收入)
    cuts = [len("".join(words[:k])) for k in range(1, len(words))]
    cuts += [k for k in range(2, min(6, len(words[0]) - 3)) if known_word(words[0][k:])] if words else []
    for at in cuts:
        name, item = second[:at], second[at:]
        if 2 <= len(name) <= 5 and _subject_of(name) == name and len(item) >= 4 and _subject_of(item) != item:
            return [first, name], item
    return None


def _after_subject(part: str) -> str:
    """'全市一般公共预算的上解上级支出' -> '上解上级支出': before 的 is whose, shared by all operands."""
    at = part.rfind("的")
    return part[at + 1:] if at >= 2 and len(re.findall(r"[\u4e00-\u9fff]", part[at + 1:])) >= 3 else part


def _cut_counted(part: str) -> str:
    """'碧桂园幼儿园这四个校建项目' -> '碧桂园幼儿园': what follows the count names the group."""
    m = _COUNTED.search(part)
    return part[:m.start()] if m and m.start() >= 2 else part


# B里A / B当中，A: B only says where A sits (bare 中 is too often part of a word, unless a comma
# closes it, or 的 after a whole's head noun: 发行的政府债券中，新增债券… / 再融资债券中省级留用的一般…)
_CONTEXT_PART = re.compile(r"^(.{2,}?)(?:(?:里面|里|当中|之中)[，,]?|中[，,]|"
                           r"(?<=收入|支出|基金|预算|资金|税收|债务|债券|经费)中\s*的)(.{2,})$")


# the operands a question lists in parentheses after naming them together: 两笔专项（A、B）
_PAREN_LIST = re.compile(r"[(（]([^()（）]{2,}、[^()（）]{2,})[)）]")
_HEAD_ONLY = re.compile(r"^(收入|支出|余额|限额|总额|资金|债务|收支)$")


# 消费券拉动的消费 (的 already dropped): the consumption is asked, the vouchers say whose
_DRIVEN = re.compile(r"([\u4e00-\u9fff]{2,}?)(?:带动|拉动|撬动)([\u4e00-\u9fff]{2,})")


def _after_paying_verb(rest: str) -> str:
    """'给农户打卡发了多少惠农补贴' -> '多少惠农补贴': after a verb of paying out comes what was paid;
    before it, to whom and how (kept when nothing is named after it: 补贴发放了多少)."""
    words = _words(rest)
    paid = [k for k, w in enumerate(words) if _PAYING_VERB.fullmatch(w.strip())]
    if not paid:
        return rest
    after = words[paid[-1] + 1:]
    named = "".join(w for w in after if not _FILLER_TOKEN.fullmatch(w) and not _CLASSIFIER.fullmatch(w))
    return "".join(after) if len(named) >= 2 else rest


def _context_of(part: str) -> str:
    """'法定债务里一般债务' -> '法定债务': what _drop_context drops ('' when nothing)."""
    m = _CONTEXT_PART.match(part)
    return m.group(1) if m else ""


def _drop_context(part: str) -> str:
    """'法定债务里一般债务' -> '一般债务': a leading 'B里/中' only says where A sits."""
    m = _CONTEXT_PART.match(part)
    return m.group(2) if m else part


def _inherit_subject(parts: list[str]) -> list[str]:
    """'一般公共预算支出' + '收入' -> + '一般公共预算收入': a bare head noun takes the subject
    of the operand beside it; '政府债务余额' + '省批限额' -> '政府债务省批限额'."""
    out = list(parts)
    for i, p in enumerate(parts):
        others = [o for o in parts if o != p and len(o) > len(p)]
        if not others:
            continue
        subject = _subject_of(others[0])
        core = _subject_of(p)
        if _HEAD_ONLY.match(p):
            out[i] = subject + p
        elif core and core != p and len(subject) > len(core) and subject.endswith(core):
            out[i] = subject + p[len(core):]  # 政府性基金支出 … 基金收入 -> 政府性基金收入
        elif subject and len(subject) >= 2 and not any(subject[k:k + 2] in p for k in range(len(subject) - 1)) \
                and re.search(r"(余额|限额)$", p):
            out[i] = subject + p
    return out


def _subject_of(item: str) -> str:
    """'政府债务余额' -> '政府债务', '一般公共预算支出' -> '一般公共预算': the item without its head."""
    return re.sub(r"(余额|限额|总额|规模|金额|数额|收入|支出|资金)$", "", item)


_GROUP_FILLER = re.compile(r"(?:这|那)?几大?[项类个本块笔]|这几|那几|各项|各类|各个|主要|中(?![央国小心期长等职学医药])的?|"
                           r"里的?|当中|之中|哪一块|哪一本|哪一类|哪一个|哪一项|哪一笔|哪块|哪本|哪类|哪个|哪项|哪笔|哪边|"
                           r"一块|一本|一笔|钱|花钱|来源|所列的?|列出的?|列举的?|"
                           # 各项支出 / 用途里 / 哪方面: how the members are counted, not which family
                           r"各(?!级)|用途|用得|用在|投得|花得|发得|方面|类别")


# contenders a question lists: A、B、C up to the words that end the list
_LIST_RUN = re.compile(r"([^，。,(]{2,}?(?:、[^，。,、]{2,}?)+)(?:这|那|等|中|里|哪|谁|，|,|$)")


def _listed(rest: str) -> list[str]:
    """Items a superlative question lists itself (A、B、C这几类支出哪个最多), or a known family
    (四本预算) expanded from the vocabulary; [] when the question names only the group."""
    listed = _LIST_RUN.search(rest)
    if listed:
        body = listed.group(1)
        body = body[body.rfind("(") + 1:] if "(" in body else body
        body = re.split(r"——|—|：|:", body)[-1]  # 三笔钱——A、B、C: the list is after the dash
        first, sep, others = body.partition("、")
        if "的" in first and len(first) - first.rfind("的") > 2:
            body = first[first.rfind("的") + 1:] + sep + others  # 全市一般公共预算的A、B: A, not the subject
        raw = body.split("、")
        counted = _COUNTED.search(rest)
        if len(raw) >= 2 and "和" in raw[-1] and not _named_with_and(raw[-1]):
            # A、B、C和D: the last 和 joins two members — unless it is inside a name (社会保障和就业, the
            # vocabulary's; 居家和社区养老: a short left side) or the question counts the members already
            left, _, right = raw[-1].rpartition("和")
            if len(_clean(left)) >= 4 and not (counted and _chinese_number(counted.group(1)) <= len(raw)):
                raw = raw[:-1] + [left, right]
        # (卫生健康三块: the count closing the list is not part of its last member)
        parts = [_clean(_GROUP_FILLER.sub("", re.sub(r"[()]", "", _cut_counted(p)))) for p in raw]
        parts = [p for p in parts if len(p) >= 2]
        if len(parts) >= 2:
            tail = re.search(r"(支出|收入|资金|债券|税)", rest[listed.end():])
            return _share_head(parts + [tail.group(1)]) [:-1] if tail else parts
    for family, members in vocabulary().families.items():
        if family in rest:
            after = rest[rest.index(family) + len(family):]
            tail = re.search(r"(收入|支出)", after)
            return [m + (tail.group(1) if tail else "") for m in members]
    return []


def _named_with_and(phrase: str) -> bool:
    """Whether the phrase holds a name that itself says 和 (社会保障和就业), by the vocabulary."""
    return any("和" in name and name in phrase for group in vocabulary().groups for name in group)


def _group_phrase(rest: str) -> str:
    return _TRAILING.sub("", _clean(_GROUP_FILLER.sub("", rest)))


def _share_head(parts: list[str]) -> list[str]:
    """'教育和卫生健康支出' -> 教育支出, 卫生健康支出: operands share the last operand's head noun."""
    m = re.search(r"(支出|收入|资金|债券|余额|经费|补助|投入)$", parts[-1])
    if not m:
        return parts
    head = m.group(1)
    # (a Latin name — GDP — and a noun that is an item by itself — 赤字, 债务 — are whole: 支出 does
    # not join them)
    return [p if p.endswith(head) or re.search(r"(支出|收入|资金|债券|余额|经费|补助|投入|赤字|债务|限额)$|[A-Za-z]", p)
            else p + head for p in parts]
