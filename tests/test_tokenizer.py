"""jieba with the finance dictionary: budget terms and numbers with units stay whole."""
from qa.tokenizer import tokenize


def test_dictionary_terms_stay_whole():
    text = "一般公共预算收入、社会保障和就业支出、政府性基金预算、国有资本经营预算、专项债券和三公经费"
    tokens = tokenize(text)
    for term in ["一般公共预算收入", "社会保障和就业支出", "政府性基金预算", "国有资本经营预算", "专项债券", "三公经费"]:
        assert term in tokens, term


def test_numbers_with_units_are_single_tokens():
    tokens = tokenize("2023年1-9月教育支出5.14亿元，同比增长31.4%，下降4.1个百分点，补助２００元")
    for tok in ["2023年", "1-9月", "5.14亿元", "31.4%", "4.1个百分点", "200元"]:
        assert tok in tokens, (tok, tokens)


def test_punctuation_and_stopwords_dropped():
    tokens = tokenize("教育支出是多少？")
    assert "？" not in tokens and "是" not in tokens and "多少" not in tokens
    assert "教育支出" in tokens
