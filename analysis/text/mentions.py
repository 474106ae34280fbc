"""Target mentions: aliases from ``config/targets.yaml`` found with spaCy's matchers.

The ``target_mentions`` pipeline component (registered with ``@Language.factory``, config
``targets``: a targets file) runs last in :func:`analysis.text.nlp.french`: it writes each
token's folded form to ``NORM`` once per Doc (lower case, no accents, ’ -> ', the apostrophe
of an English possessive dropped: "Morocco's" -> "morocco") and the mentions of every entry
of the file to ``doc.spans["targets"]``, so a parsed Doc carries them and salience and stance
read the same spans. Matching on the folded form makes it case-, accent- and
elision-insensitive. Arabic aliases also match with an attached proclitic
(و "and", ف, ب, ل, and لل for ل + ال): "وروسيا" is "and Russia". Second-person address ("tes maîtres",
"vous êtes") in a comment that addresses someone (``@name`` or a reply) is resolved to
the target whose demonym or slur names the addressee in the addressing sentence
("le marochie haineux, esclave de ton roitelet"): that is as far as it goes; other
pronouns are not resolved.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import filter_spans

from analysis.errors import ConfigError
from analysis.resources import check_keys, config_path, load_yaml
from analysis.text import nlp
from analysis.text.normalise import fold

SECOND_PERSON = {"tu", "toi", "te", "t'", "ton", "ta", "tes", "vous", "votre", "vos"}


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

    def subset(self, names) -> Targets:
        unknown = [n for n in names if n not in self.spec]
        if unknown:
            raise ValueError(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(self.spec)}")
        return Targets({n: self.spec[n] for n in names}, self.source)


TARGET_KEYS = ("label", "groups", "exclude", "salience_only", "anaphora")
GROUP_KEYS = ("phrases", "prefixes", "demonyms", "why")


def load_targets(path=None, names=None, salience: bool = False) -> Targets:
    """Read and validate targets (default ``config/targets.yaml``).

    By default the stance targets (entries without ``salience_only: true``); ``names``
    picks entries by name, ``salience=True`` returns every entry.
    """
    spec = load_yaml(path or DEFAULT_TARGETS)
    where = str(config_path(path or DEFAULT_TARGETS))
    if not isinstance(spec, dict) or not spec:
        raise ValueError(f"{where}: no targets defined")
    for name, t in spec.items():
        check_keys(t or {}, TARGET_KEYS, f"{where}: target {name!r}")
        for gname, g in ((t or {}).get("groups") or {}).items():
            check_keys(g or {}, GROUP_KEYS, f"{where}: target {name!r}, group {gname!r}")
        groups = (t or {}).get("groups") or {}
        if not any(g.get(k) for g in groups.values() for k in ("phrases", "prefixes", "demonyms")):
            raise ValueError(f"{where}: target {name!r} has no aliases; give it at least one phrase")
    targets = Targets(spec, str(where))
    if names:
        return targets.subset(names)
    if salience:
        return targets
    return targets.subset([n for n, t in spec.items() if not t.get("salience_only")])


SPANS_KEY = "targets"
DEFAULT_TARGETS = "targets.yaml"
_FOLDED = "analysis_folded"  # doc.user_data flag: NORM holds match_form(text)


def fold_norms(doc: Doc) -> Doc:
    """Write ``match_form(token.text)`` to each token's NORM, once per Doc. Runs after the
    statistical components, which read spaCy's own NORM."""
    if not doc.user_data.get(_FOLDED):
        for tok in doc:
            tok.norm_ = match_form(tok.text)
        doc.user_data[_FOLDED] = True
    return doc


class TargetMentions:
    """Pipeline component: folded NORMs, then every entry's mentions in ``doc.spans["targets"]``
    (span label ``target|group|kind``; the group's attrs record the targets file)."""

    def __init__(self, pipeline: Language, targets: Targets):
        self.targets = targets
        self.matcher = _build_matcher(targets, pipeline)

    def __call__(self, doc: Doc) -> Doc:
        fold_norms(doc)
        doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, spans=_match(doc, self.matcher),
                                         attrs={"source": self.targets.source, "names": self.targets.names})
        return doc


@Language.factory("target_mentions", default_config={"targets": DEFAULT_TARGETS})
def make_target_mentions(nlp: Language, name: str, targets: str) -> TargetMentions:
    """``targets``: the package's ``targets.yaml`` (default) or a path to your own."""
    return TargetMentions(nlp, load_targets(targets, salience=True))


@lru_cache(maxsize=8)
def _matcher(targets: Targets) -> AliasMatcher:
    return _build_matcher(targets, nlp.french())


@dataclass(frozen=True)
class AliasMatcher:
    """Phrases through a PhraseMatcher on NORM (its cost does not grow with the number of
    aliases), one-word prefixes through a Matcher with REGEX predicates (a few patterns): the
    same matches as one Matcher holding both, which evaluated every alias's IN predicate on
    every token."""

    phrases: PhraseMatcher
    prefixes: Matcher

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        found = [m for matcher in (self.phrases, self.prefixes) if len(matcher) for m in matcher(doc)]
        return sorted(found, key=lambda m: (m[1], m[2]))  # an empty matcher is not called: it warns


def _build_matcher(targets: Targets, pipeline: Language) -> AliasMatcher:
    phrases, prefixes = PhraseMatcher(pipeline.vocab, attr="NORM"), Matcher(pipeline.vocab)

    def folded(phrase) -> list[str]:
        return [match_form(tok.text) for tok in pipeline.make_doc(str(phrase))]

    def pattern(words: list[str]) -> Doc:
        doc = Doc(pipeline.vocab, words=words)
        for tok, w in zip(doc, words):
            tok.norm_ = w
        return doc

    for name, t in targets.spec.items():
        for gname, g in t["groups"].items():
            kind = "demonym" if gname == "demonyms" or "demonyms" in g else "alias"
            docs = []
            for phrase in (g.get("phrases") or []) + (g.get("demonyms") or []):
                toks = folded(phrase)
                docs += [pattern([first] + toks[1:]) for first in arabic_variants(toks[0])]
            if docs:
                phrases.add(f"{name}|{gname}|{kind}", docs)
            if g.get("prefixes"):
                prefixes.add(f"{name}|{gname}|{kind}", [[{"NORM": {"REGEX": f"^{fold(str(pre))}"}}]
                                                       for pre in g["prefixes"]])
        excluded = [pattern(folded(phrase)) for phrase in t.get("exclude") or []]
        if excluded:
            phrases.add(f"{name}|exclude|exclude", excluded)
    return AliasMatcher(phrases, prefixes)


def _match(doc: Doc, matcher: AliasMatcher) -> list:
    """Mention spans, the longest of overlapping matches ("Algérie Part" hides "Algérie"),
    excluded phrases dropped."""
    spans = [Span(doc, a, b, label=key) for key, a, b in matcher(doc)]
    return [s for s in filter_spans(spans) if not s.label_.endswith("|exclude")]


def find_mentions(doc: Doc, targets: Targets) -> list[dict]:
    """Mentions in one spaCy Doc: ``target, group, kind, start_char, end_char, i, ner``.

    Read from ``doc.spans["targets"]`` when the pipeline's component matched every entry of
    ``targets`` from the same file; otherwise matched here (same rule)."""
    group = doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else None
    if group is not None and group.attrs.get("source") == targets.source \
            and set(group.attrs.get("names", ())) <= set(targets.names):
        spans = [s for s in group if s.label_.split("|", 1)[0] in targets.spec]
    else:
        spans = _match(fold_norms(doc), _matcher(targets))
    out = []
    for span in spans:
        target, group_name, kind = span.label_.split("|")
        out.append({"target": target, "group": group_name, "kind": kind, "start_char": span.start_char,
                    "end_char": span.end_char, "i": span.root.i, "surface": span.text,
                    "ner": span.root.ent_type_ or ""})
    return out


@lru_cache(maxsize=1)
def anaphora_config():
    """The anaphora rule (``config/anaphora.yaml``): folded determiners, noun -> class, and the
    classes that take a singular determiner only."""
    spec = load_yaml("anaphora.yaml")
    classes = {match_form(w): cls for cls, words in spec["nouns"].items() for w in words}
    return {match_form(d) for d in spec["determiners"]}, classes, set(spec.get("singular_only") or ())


SINGULAR_DETS = {"le", "la", "l'", "ce", "cet", "cette", "son", "sa", "the", "this", "that", "its", "هذا", "هذه", "هاد", "هادا", "هاذ", "had"}
LINKS = {"de", "d'", "du", "des", "of"}


def anaphors(doc, found: list[dict]) -> list[dict]:
    """Anaphoric state nouns in ``doc`` ("ce régime", "la junte", "ses dirigeants"; rule in
    ``config/anaphora.yaml``) that are not themselves mentions: ``i, start_char, end_char,
    surface, cls`` (the noun's class, matched against each target's ``anaphora`` list)."""
    dets, classes, singular_only = anaphora_config()
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


def resolve_targets(names=None):
    """``--targets`` as :class:`Targets`: comma-separated or a list, spaces
    and case ignored, duplicates dropped; None: the stance targets of targets.yaml."""
    if isinstance(names, str):
        names = names.split(",")
    if names is not None:
        names = [str(n).strip() for n in names if n is not None and str(n).strip()]
        if not names:
            raise ConfigError("--targets names no target; give e.g. --targets France,Morocco")
        try:
            known = load_targets(salience=True).names
        except ValueError as err:
            raise ConfigError(str(err)) from None
        canonical = {k.casefold(): k for k in known}
        names = list(dict.fromkeys(canonical.get(n.casefold(), n) for n in names))
    try:
        return load_targets(names=names)
    except ValueError as err:
        raise ConfigError(f"--targets: {err}") from None
