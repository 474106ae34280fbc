from analysis import context, mentions, nlp


def mention_token(text, surface):
    doc = nlp.french()(text)
    m = next(m for m in mentions.find_mentions(doc, mentions.load_targets()) if m["surface"] == surface)
    return doc, doc[m["i"]]


def test_holder_from_selon_and_reporting_verbs():
    _, tok = mention_token("Selon nos sources, l’Algérie veut un partenariat avec la Russie.", "Russie")
    assert context.holder(tok) == "nos sources"
    _, tok = mention_token("Nos sources certifient que l’Algérie n’est guère hostile à un déploiement russe.", "russe")
    assert context.holder(tok) == "Nos sources"
    _, tok = mention_token("Reuters a révélé que le groupe Wagner serait payé 9 millions.", "groupe Wagner")
    assert context.holder(tok) == "Reuters"


def test_holder_from_passive_agent():
    _, tok = mention_token("Ils veulent contrebalancer l’influence française qui n’est plus appréciée par le régime "
                           "algérien.", "française")
    assert context.holder(tok) == "le régime algérien"


def test_author_is_the_default_holder():
    _, tok = mention_token("Macron a donné un coup de poignard au régime.", "Macron")
    assert context.holder(tok) == "author"


def test_clause_separates_two_targets_across_strong_punctuation():
    doc, alg = mention_token("l’Algérie n’acceptera que des maliens…les marochiens qu’ils aillent au diable", "Algérie")
    _, mar = mention_token("l’Algérie n’acceptera que des maliens…les marochiens qu’ils aillent au diable", "marochiens")
    a = doc.text[slice(*context.clause(alg))]
    m = doc.text[slice(*context.clause(mar))]
    assert "marochiens" not in a and "Algérie" not in m
