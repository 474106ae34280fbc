"""Target mentions: aliases from ``config/targets.yaml`` found with spaCy's Matcher.

Matching runs on a folded form of each token (lower case, no accents, ’ -> ', the
apostrophe of an English possessive dropped: "Morocco's" -> "morocco"), so it is case-,
accent- and elision-insensitive. Arabic aliases also match with an attached proclitic
(و "and", ف, ب, ل, and لل for ل + ال): "وروسيا" is "and Russia". Second-person address ("tes maîtres",
"vous êtes") in a comment that addresses someone (``@name`` or a reply) is resolved to
the target whose demonym or slur names the addressee in the addressing sentence
("le marochie haineux, esclave de ton roitelet"): that is as far as it goes; other
pronouns are not resolved.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from spacy.matcher import Matcher
from spacy.tokens import Token
from spacy.util import filter_spans

from . import nlp
from .resources import load_yaml

SECOND_PERSON = {"tu", "toi", "te", "t'", "ton", "ta", "tes", "vous", "votre", "vos"}


def fold(text: str) -> str:
    """Lower case without accents, typographic apostrophes made plain."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def match_form(text: str) -> str:
    """``fold`` for alias matching: also drops the apostrophe spaCy leaves on an English
    possessive ("Morocco'" + "s"); elided articles (l', d') are two characters and kept."""
    text = fold(text)
    return text[:-1] if len(text) > 2 and text.endswith("'") else text


ARABIC_PROCLITICS = ("و", "ف", "ب", "ل")


def arabic_variants(word: str) -> list[str]:
    """An Arabic-script alias with the one-letter proclitics that attach to it."""
    if not re.match(r"[\u0600-\u06FF]", word):
        return [word]
    out = [word] + [p + word for p in ARABIC_PROCLITICS]
    if word.startswith("ال"):
        out.append("لل" + word[2:])
    return out


if not Token.has_extension("fold"):
    Token.set_extension("fold", getter=lambda t: match_form(t.text))


@dataclass(frozen=True, eq=False)
class Targets:
    """Targets with their alias groups, as loaded from YAML."""

    spec: dict
    source: str = "targets.yaml"

    def __hash__(self):
        return hash((self.source, tuple(self.spec)))

    def __eq__(self, other):
        return isinstance(other, Targets) and (self.source, list(self.spec)) == (other.source, list(other.spec))

    @property
    def names(self) -> list[str]:
        return list(self.spec)

    def subset(self, names) -> "Targets":
        unknown = [n for n in names if n not in self.spec]
        if unknown:
            raise ValueError(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(self.spec)}")
        return Targets({n: self.spec[n] for n in names}, self.source)


def load_targets(path=None, names=None, salience: bool = False) -> Targets:
    """Read and validate targets (default ``config/targets.yaml``).

    By default the stance targets (entries without ``salience_only: true``); ``names``
    picks entries by name, ``salience=True`` returns every entry.
    """
    spec = load_yaml(path or "targets.yaml")
    where = path or "analysis/config/targets.yaml"
    if not isinstance(spec, dict) or not spec:
        raise ValueError(f"{where}: no targets defined")
    for name, t in spec.items():
        groups = (t or {}).get("groups") or {}
        if not any(g.get(k) for g in groups.values() for k in ("phrases", "prefixes", "demonyms")):
            raise ValueError(f"{where}: target {name!r} has no aliases; give it at least one phrase")
    targets = Targets(spec, str(where))
    if names:
        return targets.subset(names)
    if salience:
        return targets
    return targets.subset([n for n, t in spec.items() if not t.get("salience_only")])


@lru_cache(maxsize=8)
def _matcher(targets: Targets) -> Matcher:
    pipeline = nlp.french()
    matcher = Matcher(pipeline.vocab)
    for name, t in targets.spec.items():
        for gname, g in t["groups"].items():
            kind = "demonym" if gname == "demonyms" or "demonyms" in g else "alias"
            pats = []
            for phrase in (g.get("phrases") or []) + (g.get("demonyms") or []):
                toks = [match_form(tok.text) for tok in pipeline.make_doc(str(phrase))]
                pats.append([{"_": {"fold": {"IN": arabic_variants(toks[0])}}}] + [{"_": {"fold": tok}} for tok in toks[1:]])
            for pre in g.get("prefixes") or []:
                pats.append([{"_": {"fold": {"REGEX": f"^{fold(str(pre))}"}}}])
            matcher.add(f"{name}|{gname}|{kind}", pats)
        excluded = [[{"_": {"fold": match_form(tok.text)}} for tok in pipeline.make_doc(str(phrase))]
                    for phrase in t.get("exclude") or []]
        if excluded:
            matcher.add(f"{name}|exclude|exclude", excluded)
    return matcher


def find_mentions(doc, targets: Targets) -> list[dict]:
    """Mentions in one spaCy Doc: ``target, group, kind, start_char, end_char, i, ner``."""
    matches = _matcher(targets)(doc)
    spans = []
    for key, a, b in matches:
        span = doc[a:b]
        span.label_ = doc.vocab.strings[key]
        spans.append(span)
    out = []
    for span in filter_spans(spans):  # longest wins, so "Algérie Part" hides "Algérie"
        target, group, kind = span.label_.split("|")
        if kind == "exclude":
            continue
        out.append({"target": target, "group": group, "kind": kind, "start_char": span.start_char,
                    "end_char": span.end_char, "i": span.root.i, "surface": span.text,
                    "ner": span.root.ent_type_ or ""})
    return out


@lru_cache(maxsize=1)
def _anaphora_config():
    spec = load_yaml("anaphora.yaml")
    classes = {match_form(w): cls for cls, words in spec["nouns"].items() for w in words}
    return {match_form(d) for d in spec["determiners"]}, classes, set(spec.get("singular_only") or ())


SINGULAR_DETS = {"le", "la", "l'", "ce", "cet", "cette", "son", "sa", "the", "this", "that", "its", "هذا", "هذه", "هاد", "هادا", "هاذ", "had"}
LINKS = {"de", "d'", "du", "des", "of"}


def anaphors(doc, found: list[dict]) -> list[dict]:
    """Anaphoric state nouns in ``doc`` ("ce régime", "la junte", "ses dirigeants"; rule in
    ``config/anaphora.yaml``) that are not themselves mentions: ``i, start_char, end_char,
    surface, cls`` (the noun's class, matched against each target's ``anaphora`` list)."""
    dets, classes, singular_only = _anaphora_config()
    taken = {k for m in found for k in range(m["start_char"], m["end_char"])}
    starts = {doc.char_span(m["start_char"], m["end_char"], alignment_mode="expand").start for m in found}
    out = []
    for tok in doc:
        form = match_form(tok.text)
        cls = classes.get(form)
        if cls is None or tok.idx in taken:
            continue
        prev = match_form(doc[tok.i - 1].text) if tok.i > 0 else ""
        bare_arabic = form.startswith("ال")
        if prev not in dets and not bare_arabic:
            continue
        if cls in singular_only and prev in dets and prev not in SINGULAR_DETS:
            continue
        nxt = tok.i + 1
        if nxt < len(doc) and match_form(doc[nxt].text) in LINKS:
            nxt += 1
        if nxt in starts:  # "le pouvoir d'Alger", "le gouvernement malien": the name is the mention
            continue
        first = tok.i - 1 if prev in dets else tok.i
        out.append({"i": tok.i, "start_char": doc[first].idx, "end_char": tok.idx + len(tok.text),
                    "surface": doc.text[doc[first].idx:tok.idx + len(tok.text)], "cls": cls})
    return out


def dominant(found_lists, targets: Targets) -> str | None:
    """The entity named most often over all mentions lists, if strictly more often than any other."""
    counts: dict[str, int] = {}
    for ms in found_lists:
        for m in ms:
            if m.get("kind") != "address":
                counts[m["target"]] = counts.get(m["target"], 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def addressee(docs_mentions) -> str | None:
    """Target naming the addressee: first demonym or slur in the sentence holding the ``@`` or
    the comment's first sentence."""
    for doc, mentions in docs_mentions:
        first = next(doc.sents, None)
        for m in mentions:
            tok = doc[m["i"]]
            in_address = "@" in tok.sent.text or (first is not None and tok.sent.start == first.start)
            if m["kind"] == "demonym" and in_address and tok.pos_ in ("NOUN", "PROPN", "ADJ"):
                return m["target"]
    return None
