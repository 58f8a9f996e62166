from service.text import asked_part, detect_language, match_key, sentences


def test_language_detection():
    assert detect_language("如何接近技术把关者?") == "zh"
    assert detect_language("How do I approach a technical gatekeeper?") == "en"
    assert detect_language("SPIN提问法是什么?") == "zh"
    assert detect_language("What does 内线 mean in key-account sales?") == "en"


def test_match_key_follows_the_evaluation_rule():
    assert match_key("Feature：特点 ( 1 )") == "Feature特点1"
    assert match_key("都 达到了 “B”级") == "都达到了B级"


def test_sentences_split_on_chinese_and_english_ends():
    assert sentences("第一句。第二句！Third one? 尾") == ["第一句。", "第二句！", "Third one?", "尾"]


def test_the_asked_part_of_a_message_is_its_question_sentences():
    assert asked_part("How many projects are you buying for? Just want a feel for the volume.") == (
        "How many projects are you buying for?"
    )
    assert asked_part("我们做过很多项目。一期有多少户？") == "一期有多少户？"
    assert asked_part("一期有多少户？") == "一期有多少户？"  # all of it is asked
    assert asked_part("We cut downtime by a third.") == "We cut downtime by a third."  # nothing asked
