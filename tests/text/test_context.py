from analysis.text import context, mentions, nlp


def mention_token(text, surface):
    doc = nlp.french()(text)
    m = next(m for m in mentions.find_mentions(doc, mentions.load_targets()) if m["surface"] == surface)
    return doc, doc[m["i"]]


def test_holder_from_selon_and_reporting_verbs():
    _, tok = mention_token("Selon nos sources, l’Algérie veut un partenariat avec la Russie.", "Algérie")
    assert context.holder(tok) == "nos sources"
    _, tok = mention_token("Nos sources certifient que l’Algérie n’est guère hostile à un déploiement russe.", "Algérie")
    assert context.holder(tok) == "Nos sources"
    _, tok = mention_token("Nos sources certifient que l’Algérie n’est guère hostile à un déploiement russe.", "russe")
    assert context.holder(tok) == "l’Algérie"  # "hostile à": the predicate's subject holds the stance
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


def test_volition_frame_moves_the_stance_to_its_subject():
    _, tok = mention_token("Selon nos sources, l’Algérie veut un partenariat avec la Russie.", "Russie")
    holder, content, (a, b) = context.attribution(tok)
    assert holder == "l’Algérie"  # the innermost frame wins over the sentence's source
    assert content == "veut un partenariat avec la Russie" and content[a:b] == "Russie"


def test_relative_clause_antecedent_is_the_holder():
    _, tok = mention_token("Un lobby qui veut libérer la région de l’emprise de Paris.", "Paris")
    holder, content, (a, b) = context.attribution(tok)
    assert holder == "Un lobby" and "qui" not in content.split() and content[a:b] == "Paris"
    assert content.startswith("veut libérer la région")


def test_accusation_and_trailing_source():
    _, tok = mention_token("Alger accuse Paris de néocolonialisme.", "Paris")
    assert context.holder(tok) == "Alger"
    _, tok = mention_token("La France doit partir, selon Alger.", "France")
    holder, content, _ = context.attribution(tok)
    assert holder == "Alger" and content == "La France doit partir"


def test_first_person_frame_is_the_author():
    _, tok = mention_token("Je veux que la France parte.", "France")
    assert context.holder(tok) == "author"
