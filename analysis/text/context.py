"""Around a mention: the clause it sits in, and who holds the stance expressed there.

The clause is read off spaCy's dependency parse: from the mention up to the nearest
clause head, minus the other clauses hanging from that head (conjuncts, adverbial,
complement and parataxis clauses) that do not contain the mention. Short clauses
(under four words) fall back to the sentence. Neither runs across strong punctuation
(… ; : ! ?), which in comments separates what the parser often joins.

The holder is ``author`` unless the parse shows reported speech: an ``selon X`` /
``d'après X`` / ``according to X`` phrase, a reporting verb whose complement clause
holds the mention (``nos sources certifient que ...``), or the agent of a passive
evaluative verb attached to the mention (``l'influence française qui n'est plus
appréciée par le régime algérien``).
"""
from __future__ import annotations

from analysis.text.lexicon import lexicons
from analysis.text.normalise import fold

CLAUSE_DEPS = {"conj", "parataxis", "advcl", "ccomp", "acl:relcl", "acl"}
STRONG_PUNCT = {"…", "...", ";", ":", "!", "?", "!!", "?!"}  # a clause never runs across these
SOURCE_PREPS = {"selon", "d'apres", "according"}
SELF_HOLDERS = {"nous", "on", "je", "j'"}  # the outlet or commenter speaking


def clause(tok) -> tuple[int, int]:
    """Character span of the clause holding token ``tok``."""
    head = tok
    while head.dep_ not in CLAUSE_DEPS and head.dep_ != "ROOT" and head.head.i != head.i:
        head = head.head
    skip = set()
    for child in head.children:
        if child.dep_ in CLAUSE_DEPS and not (child.left_edge.i <= tok.i <= child.right_edge.i):
            skip.update(t.i for t in child.subtree)
    keep = [t for t in head.subtree if t.i not in skip and not t.is_space]
    while keep and keep[0].is_punct:
        keep.pop(0)
    while keep and keep[-1].is_punct and keep[-1].text not in "!?…":
        keep.pop()
    sent = tok.sent
    if sum(not t.is_punct for t in keep) < 4 or not keep:
        keep = list(sent)
    left = max([t.i + 1 for t in keep if t.i < tok.i and t.text in STRONG_PUNCT], default=keep[0].i)
    right = min([t.i for t in keep if t.i > tok.i and t.text in STRONG_PUNCT], default=keep[-1].i + 1)
    span = [t for t in keep if left <= t.i < right and not t.is_space] or [tok]
    return span[0].idx, span[-1].idx + len(span[-1].text)


def cue_text(tok, start: int, end: int) -> str:
    """The clause with the verb the mention *does* blanked out, for counting stance cues.

    When the mention is the subject of a transitive verb ("l'Algérie soutient le Mali"),
    that verb says what the target does to something else, not what the writer thinks of
    the target; an intransitive or copular predicate ("Taboune va dégager", "X est
    pourri") still counts.
    """
    doc, text = tok.doc, tok.doc.text
    verb = tok.head
    while tok.dep_ in ("flat:name", "fixed") and verb.head.i != verb.i:
        tok, verb = verb, verb.head
    if tok.dep_ == "nsubj" and verb.pos_ == "VERB" and any(
            c.dep_ in ("obj", "iobj", "obl:arg", "ccomp", "xcomp") for c in verb.children):
        if start <= verb.idx < end:
            return text[start:verb.idx] + " " * len(verb.text) + text[verb.idx + len(verb.text):end]
    return doc.text[start:end]


def _phrase(tok) -> str:
    """The noun phrase headed by ``tok`` without its preposition; when that runs long, the
    head with its determiners and adjectives only."""
    relative = {t.i for c in tok.children if c.dep_.startswith("acl") for t in c.subtree}
    toks = [t for t in tok.subtree if t.i not in relative]
    while toks and (toks[0].dep_ == "case" or toks[0].is_punct):
        toks.pop(0)
    while toks and toks[-1].is_punct:
        toks.pop()
    text = " ".join("".join(t.text_with_ws for t in toks).split())
    if len(text) <= 60:
        return text
    keep = [tok] + [c for c in tok.children
                    if c.dep_ in ("det", "amod", "flat:name", "nummod", "compound") or c.pos_ == "ADJ"]
    return " ".join(t.text for t in sorted(keep, key=lambda t: t.i))


SUBJECTS = {"nsubj", "nsubj:pass", "csubj"}
RELATIVE = {"qui", "que", "qu'", "lequel", "laquelle", "lesquels", "who", "which", "that"}


def _subject(verb):
    """The subject of ``verb`` and the tokens naming it: its own subject, a relative pronoun's
    antecedent ("un lobby qui veut", without the relative clause), for an infinitive or
    participle the subject of the verb it depends on; where the parse gives none (the small
    parser often misses it), the nearest bare noun phrase before the verb in its sentence."""
    v = verb
    for _ in range(4):
        subj = [c for c in v.children if c.dep_ in SUBJECTS]
        if subj:
            s = subj[0]
            if fold(s.text) in RELATIVE and v.dep_.startswith("acl") and v.head.i != v.i:
                rel = {t.i for t in v.subtree}
                return v.head, {t.i for t in v.head.subtree} - rel
            return s, {t.i for t in s.subtree}
        if v.dep_ in ("xcomp", "advcl", "acl") and v.head.i != v.i and v.head.pos_ in ("VERB", "AUX"):
            v = v.head
            continue
        break
    for t in reversed(verb.doc[verb.sent.start:verb.i]):
        if t.is_punct:
            break
        if t.pos_ in ("NOUN", "PROPN", "PRON") and not any(c.dep_ == "case" for c in t.children) and t.dep_ != "obj":
            return t, {u.i for u in t.subtree if u.i < verb.i}
    return None, set()


def _frame_stems() -> tuple[set, set]:
    lex = lexicons("evidentiality")
    lemmas = set()
    for cat in ("frame_verbs", "reporting_verbs"):
        lemmas |= {w for w, _ in lex[cat].words}
    stems = {w[:-2] for w in lemmas if w.endswith(("er", "ir", "re")) and len(w) >= 6}
    return lemmas, stems


def _is_frame_verb(tok) -> bool:
    """A volition/reporting verb, by lemma or, since the small parser mislemmatises ("accuse" ->
    "accus"), by the stem of such a verb on a verb or participle."""
    lemmas, stems = _frame_stems()
    if tok.pos_ in ("VERB", "AUX") and fold(tok.lemma_) in lemmas:
        return True
    word = fold(tok.text)
    return tok.pos_ in ("VERB", "AUX", "ADJ") and any(word.startswith(s) for s in stems if len(word) <= len(s) + 6)


def _content(keep, tok) -> tuple[str, tuple[int, int]]:
    """Text of the tokens ``keep`` (in order, spacing as written) and the span of ``tok`` in it."""
    keep = sorted(keep, key=lambda t: t.i)
    while keep and keep[0].is_punct:
        keep.pop(0)
    while keep and keep[-1].is_punct:
        keep.pop()
    text, mark = "", (0, 0)
    for k, t in enumerate(keep):
        if t.i == tok.i:
            mark = (len(text), len(text) + len(t.text))
        text += t.text + (t.whitespace_ if k + 1 < len(keep) else "")
    return text, mark


def _source_phrase(sent, tok):
    """A sentence-scoped "selon X" / "d'après X" / "according to X": (holder words, tokens to hide)."""
    doc = sent.doc
    for t in sent:
        word = fold(t.text)
        if word == "apres" and t.i > sent.start and fold(doc[t.i - 1].text) in ("d'", "d"):
            word = "d'apres"
        if word in SOURCE_PREPS:
            words = []
            for u in doc[t.i + 1 + (word == "according"):sent.end]:
                if u.is_punct or u.i == tok.i:
                    break
                words.append(u)
            if words and len(words) <= 8:
                return words, set(range(t.i - (word == "d'apres"), words[-1].i + 1))
    return None, set()


def attribution(tok) -> tuple[str, str, tuple[int, int]]:
    """Who holds the stance toward the mention ``tok``, and what that holder says about it.

    Returns ``(holder, content, mark)``: ``holder`` is ``author`` or the phrase naming the
    holder; ``content`` is the holder's proposition without the frame that attributes it
    ("libérer la région de l'emprise de Paris" for "un lobby qui veut libérer ..."), with
    ``mark`` the mention's span in it. The innermost frame wins: the agent of a passive
    attached to the mention's noun ("l'influence française qui n'est plus appréciée par
    Alger"); walking up from the mention, a volition, intention, accusation or reporting verb
    whose object or complement holds the mention (its subject holds the stance; a relative
    pronoun stands for its antecedent), or a predicate such as "partisans de", "hostile à"
    (its subject); then a sentence-scoped "selon X" / "d'après X" / "according to X", wherever
    it stands in the sentence. A first-person holder (je, nous, on) is the author.
    """
    predicates = lexicons("evidentiality")["frame_predicates"]
    sent = tok.sent
    source, source_hidden = _source_phrase(sent, tok)
    for noun in (tok, tok.head):
        for rel in noun.children:
            if rel.dep_.startswith("acl") and rel.i > tok.i:
                agents = [c for c in rel.subtree if c.dep_ == "obl:agent"]
                if agents and not (agents[0].left_edge.i <= tok.i <= agents[0].right_edge.i):
                    hidden = {t.i for t in agents[0].subtree} | source_hidden
                    keep = [t for t in noun.subtree if t.i not in hidden and fold(t.text) not in RELATIVE]
                    return _phrase(agents[0]), *_content(keep, tok)
    child, node = tok, tok.head
    while node.i != child.i and sent.start <= node.i < sent.end:
        if child.dep_ not in SUBJECTS and child.dep_ != "obl:agent":
            is_pred = node.pos_ in ("ADJ", "NOUN") and predicates.count(node.lemma_) and any(
                c.dep_ == "cop" for c in node.children)
            if is_pred or _is_frame_verb(node):
                subj, named = _subject(node)
                if subj is not None and subj.i != tok.i and tok.i not in named:
                    if fold(subj.text) in SELF_HOLDERS:
                        return "author", "", (0, 0)
                    hidden = named | source_hidden
                    keep = [t for t in node.subtree if t.i not in hidden and fold(t.text) not in RELATIVE]
                    return _phrase(subj), *_content(keep, tok)
        child, node = node, node.head
    if source:
        return " ".join(u.text for u in source), *_content([u for u in sent if u.i not in source_hidden], tok)
    return "author", "", (0, 0)


def holder(tok) -> str:
    """``author`` or the text of the source the stance is attributed to (see :func:`attribution`)."""
    return attribution(tok)[0]
