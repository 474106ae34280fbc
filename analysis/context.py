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

from .lexicon import lexicons
from .mentions import fold

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
    toks = [t for t in tok.subtree if not t.is_punct]
    while toks and toks[0].dep_ == "case":
        toks.pop(0)
    text = " ".join(" ".join(t.text for t in toks).split())
    if len(text) <= 60:
        return text
    keep = [tok] + [c for c in tok.children
                    if c.dep_ in ("det", "amod", "flat:name", "nummod", "compound") or c.pos_ == "ADJ"]
    return " ".join(t.text for t in sorted(keep, key=lambda t: t.i))


def holder(tok) -> str:
    """``author`` or the text of the source the stance is attributed to."""
    reporting = lexicons("evidentiality")["reporting_verbs"]
    sent = tok.sent
    doc = tok.doc
    # 1. "selon nos sources, ...", "d'après Reuters, ...", "according to X, ...": the words up to the comma
    for t in sent:
        word = fold(t.text)
        if word == "apres" and t.i > sent.start and fold(doc[t.i - 1].text) in ("d'", "d"):
            word = "d'apres"
        if word in SOURCE_PREPS and t.i < tok.i:
            words = []
            for u in doc[t.i + 1 + (word == "according"):sent.end]:
                if u.is_punct or u.i == tok.i:
                    break
                words.append(u.text)
            if words and len(words) <= 8:
                return " ".join(words)
    # 2. a reporting verb before the mention, with "que" between them: its subject
    for verb in sent:
        if verb.i >= tok.i or not reporting.count(verb.lemma_) or verb.pos_ not in ("VERB", "AUX"):
            continue
        if any(fold(u.text) in ("que", "qu'") for u in doc[verb.i + 1:tok.i]):
            subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubj:pass")]
            if subj and fold(subj[0].text) not in SELF_HOLDERS:
                return _phrase(subj[0])
    # 3. agent of a passive evaluation attached to the mention's noun
    for noun in (tok, tok.head):
        for rel in noun.children:
            if rel.dep_.startswith("acl"):
                agents = [c for c in rel.subtree if c.dep_ == "obl:agent"]
                if agents:
                    return _phrase(agents[0])
    return "author"
