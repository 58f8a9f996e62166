from service.retrieval.expansion import QueryExpander, english_words
from service.retrieval.glossary import Glossary


def _glossary() -> Glossary:
    return Glossary.model_validate(
        {
            "terms": [
                {
                    "id": "technical_gatekeeper",
                    "category": "cute_role",
                    "zh": "技术把关者",
                    "en": "technical gatekeeper",
                    "synonyms": {"zh": ["技术把关"], "en": ["technical buyer"]},
                    "definition": {"zh": "评估技术的人", "en": "Evaluates the technology."},
                }
            ],
            "lexicon": [
                {"en": ["approach", "approaching"], "zh": ["接近"]},
                {"en": ["gatekeeper"], "zh": ["把关者"]},
            ],
        }
    )


def test_longest_phrase_wins_and_all_names_are_added():
    expansion = QueryExpander(_glossary()).expand("How do I approach a Technical Gatekeeper?")
    assert expansion.matched == ("approach", "technical gatekeeper")
    assert expansion.chinese == ("接近", "技术把关者", "技术把关")


def test_unknown_words_expand_to_nothing():
    assert QueryExpander(_glossary()).expand("weather tomorrow").chinese == ()


def test_english_words_keep_hyphens_and_apostrophes():
    assert english_words("Need-payoff isn't 80/20") == ["need-payoff", "isn't", "80", "20"]


def test_passages_are_tagged_with_the_english_names_of_the_concepts_they_mention():
    from service.retrieval.expansion import PassageTagger

    tagger = PassageTagger(_glossary())
    assert tagger.tags("如何接近技术把关者") == ["technical gatekeeper", "gatekeeper", "approach"]
    assert tagger.tags("今天天气很好") == []
