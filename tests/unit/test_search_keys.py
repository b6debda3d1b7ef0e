from core.catalog.search import gram_rows, name_grams, search_keys


def test_sku_and_name_keys_are_trimmed_and_casefolded() -> None:
    keys = search_keys("  Ab-01 ", "  Apple Juice 苹果汁 ")

    assert keys.sku_key == "ab-01"
    assert keys.name_key == "apple juice 苹果汁"


def test_chinese_name_gets_pinyin_initials_and_full_pinyin() -> None:
    keys = search_keys("A001", "不锈钢杯")

    assert keys.pinyin_initials == "bxgb"
    assert keys.pinyin_full == "buxiugangbei"


def test_pinyin_keeps_latin_letters_and_digits_lowercased_without_spaces_or_punctuation() -> None:
    keys = search_keys("A002", "可口可乐（330ML） Cola")

    assert keys.pinyin_initials == "kkkl330mlcola"
    assert keys.pinyin_full == "kekoukele330mlcola"


def test_pinyin_reads_words_in_context_with_one_reading_per_character() -> None:
    keys = search_keys("A003", "重庆火锅底料")

    assert keys.pinyin_initials == "cqhgdl"
    assert keys.pinyin_full == "chongqinghuoguodiliao"


def test_full_width_latin_and_digits_become_what_a_phone_keyboard_types() -> None:
    assert search_keys("A004", "ＡＢ５００杯").pinyin_initials == "ab500b"


def test_name_grams_are_every_one_and_two_character_piece() -> None:
    assert name_grams("纯牛奶") == {"纯", "牛", "奶", "纯牛", "牛奶"}


def test_name_grams_skip_pieces_of_only_spaces_or_punctuation() -> None:
    assert name_grams("a b,") == {"a", "b", "a ", " b", "b,"}
    assert name_grams("（）") == set()


def test_name_grams_of_an_empty_name_are_empty() -> None:
    assert name_grams("") == set()


def test_gram_rows_name_the_business_and_product_once_per_gram() -> None:
    rows = gram_rows(7, 42, "杯杯")

    assert rows == [
        {"business_id": 7, "gram": "杯", "product_id": 42},
        {"business_id": 7, "gram": "杯杯", "product_id": 42},
    ]
