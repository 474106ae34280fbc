"""Figures: each function takes tidy tables and returns a matplotlib Figure.

One seaborn look; one colour-blind-safe diverging palette (against = orange,
favour = blue); a caption line with source and n under every figure; ``save`` writes
PNG and SVG deterministically (no timestamps, fixed SVG ids) and atomically.

Importing this module changes nothing global: no backend is chosen (a notebook keeps its
inline backend; the headless runner sets ``MPLBACKEND`` for its own kernels), the style is
applied inside each plot function by a context manager (:func:`style`), and the jitter of
strip plots comes from a local seeded generator, never numpy's global one. Figures are
created through pyplot (so an interactive backend is set up) and closed at once: pyplot
keeps no reference, nothing is shown twice, and the caller displays a figure by returning
it (``fig`` as a cell's last expression) or with ``display(fig)``.

Plotted values are rounded to what a figure can show (3 decimals for probabilities,
shares and stance scores in [-1, 1], 3 significant digits otherwise) before drawing, so
that differences far below a pixel (an embedding differing by ~1e-7 on another machine)
do not move coordinates in the SVG or pixels in the PNG.
"""
from __future__ import annotations

import functools
import textwrap
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from cycler import cycler
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.ticker import PercentFormatter

from analysis.resources import atomic_path

AGAINST, NEUTRAL, FAVOR = "#D55E00", "#F0F0F0", "#0072B2"  # Okabe-Ito orange / blue
PART_COLORS = {"article": "#4D4D4D", "comment": "#CC79A7"}
PART_NAMES = {"article": "Article", "comment": "Comments"}
DECIMALS = 3  # plotted probabilities, shares and scores are rounded to this many decimals
SIGNIFICANT = 3  # other plotted values to this many significant digits
SAVE_RC = {"svg.hashsalt": "discourse-analysis"}  # fixed SVG ids


def rc() -> dict:
    """The rcParams of every figure: seaborn's whitegrid/notebook look, bold left titles."""
    return {**sns.axes_style("whitegrid"), **sns.plotting_context("notebook", font_scale=0.95),
            "font.family": ["sans-serif"], "axes.prop_cycle": cycler(color=sns.color_palette("deep")),
            "figure.dpi": 100, "axes.titleweight": "bold", "axes.titlesize": 12, "axes.titlelocation": "left",
            **SAVE_RC}


@contextmanager
def style():
    """The project's look, for the duration of a ``with`` block (rcParams restored after)."""
    with matplotlib.rc_context(rc()):
        yield


def _styled(fn):
    """Run a plot function inside :func:`style`."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with style():
            return fn(*args, **kwargs)
    return wrapper


def _subplots(**kw):
    """A figure and its axes, detached from pyplot (not shown automatically, never leaked)."""
    fig, ax = plt.subplots(**kw)
    plt.close(fig)
    return fig, ax


def rounded(values, decimals: int | None = DECIMALS, significant: int | None = None):
    """``values`` rounded to ``decimals`` places, or to ``significant`` digits of the largest
    magnitude; a Series or DataFrame keeps its index; NaN stays NaN."""
    if isinstance(values, pd.Series):
        return pd.Series(rounded(values.to_numpy(dtype=float, na_value=np.nan), decimals, significant),
                         index=values.index, name=values.name)
    if isinstance(values, pd.DataFrame):
        return pd.DataFrame(rounded(values.to_numpy(dtype=float, na_value=np.nan), decimals, significant),
                            index=values.index, columns=values.columns)
    a = np.asarray(values, dtype=float)
    if significant is not None:
        finite = np.abs(a[np.isfinite(a)])
        top = finite.max() if finite.size else 0.0
        decimals = significant - 1 - int(np.floor(np.log10(top))) if top > 0 else 0
    return np.round(a, decimals) + 0.0  # + 0.0: no negative zero


def stance_cmap():
    return sns.blend_palette([AGAINST, NEUTRAL, FAVOR], as_cmap=True)


def _caption(fig, text: str, width: int = 120) -> None:
    fig.text(0.01, 0.005, textwrap.fill(text, width), ha="left", va="bottom", fontsize=8, color="#555555")


def _finish(fig, ax, title: str, caption: str, bottom: float = 0.04, right: float = 1.0):
    """Title, caption line, layout: the same ending for every figure."""
    ax.set_title(textwrap.fill(title, 64))
    _caption(fig, caption)
    fig.tight_layout(rect=(0, bottom, right, 1))
    return fig


def png(fig, dpi: int = 150) -> bytes:
    """The figure as PNG bytes, written as :func:`save` writes it (for embedding)."""
    import io

    buf = io.BytesIO()
    with matplotlib.rc_context(SAVE_RC):
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def save(fig, name: str, out_dir="figures") -> list[Path]:
    """Write ``name``.png (150 dpi) and ``name``.svg into ``out_dir`` (mode 0644); same
    inputs, same bytes. Returns the two paths."""
    paths = []
    with matplotlib.rc_context(SAVE_RC):
        for ext, kw in (("png", {"dpi": 150, "metadata": {"Software": None}}), ("svg", {"metadata": {"Date": None}})):
            path = Path(out_dir) / f"{name}.{ext}"
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=ext, bbox_inches="tight", **kw)
            paths.append(path)
    return paths


def _strips(ax, groups: list[tuple[float, np.ndarray, str, str | None]], size: float, jitter: float, seed: int = 0):
    """Strip plot: for each ``(position, values, colour, label)`` one dot per value at that
    category position, jittered by a local seeded generator."""
    rng = np.random.default_rng(seed)
    for pos, values, color, label in groups:
        values = np.asarray(values, float)
        y = pos + rounded(rng.uniform(-jitter, jitter, len(values)))
        ax.scatter(values, y, s=size ** 2, color=color, linewidths=0, label=label, zorder=3)


@_styled
def stance_heatmap(unit_stance: pd.DataFrame, title: str, caption: str):
    """Unit x target heatmap of p_favor - p_against; blank where the target is not mentioned."""
    df = unit_stance.assign(score=np.where(unit_stance.mentioned, unit_stance.p_favor - unit_stance.p_against, np.nan))
    grid = df.pivot(index="unit_id", columns="target", values="score").loc[df.unit_id.unique(), df.target.unique()]
    grid = rounded(grid)
    fig, ax = _subplots(figsize=(6.5, max(4, 0.17 * len(grid) + 1.5)))
    sns.heatmap(grid, ax=ax, cmap=stance_cmap(), vmin=-1, vmax=1, center=0, linewidths=0.3, linecolor="white",
                cbar_kws={"label": "stance: P(favour) − P(against)", "shrink": 0.6})
    parts = unit_stance.drop_duplicates("unit_id").part.tolist()
    if "comment" in parts and "article" in parts:
        ax.axhline(parts.index("comment"), color="black", lw=1.2)
    ax.set_xlabel("")
    ax.set_ylabel("unit (a = article paragraph, c = comment; s = sentence)")
    ax.tick_params(axis="y", labelsize=6)
    return _finish(fig, ax, title, caption, bottom=0.03)


@_styled
def stance_bars(aggregate: pd.DataFrame, targets: list[str], title: str, caption: str):
    """Article vs comments: mean stance per target with bootstrap 95% intervals."""
    fig, ax = _subplots(figsize=(7, 0.7 * len(targets) + 1.8))
    offsets = {"article": -0.18, "comment": 0.18}
    for part, off in offsets.items():
        d = aggregate[aggregate.part == part].set_index("target").reindex(targets)
        mean, lo, hi = rounded(d["mean"]), rounded(d.ci_low), rounded(d.ci_high)
        y = np.arange(len(targets)) + off
        colors = [FAVOR if m > 0 else AGAINST for m in mean.fillna(0)]
        ax.barh(y, mean.fillna(0), height=0.34, color=colors, edgecolor=PART_COLORS[part],
                hatch="//" if part == "article" else None, linewidth=1.2, label=PART_NAMES[part])
        err = np.vstack([mean - lo, hi - mean])
        ax.errorbar(mean, y, xerr=np.nan_to_num(err), fmt="none", ecolor="black", capsize=3, lw=1)
        for yi, n in enumerate(d.n.fillna(0).astype(int)):
            ax.text(1.02, y[yi], f"n={n}", va="center", fontsize=8,
                    transform=ax.get_yaxis_transform())
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(targets)), targets)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("← against            mean P(favour) − P(against)            favour →")
    ax.invert_yaxis()
    ax.legend(loc="lower left", fontsize=8, frameon=True)
    return _finish(fig, ax, title, caption, bottom=0.04, right=0.93)


@_styled
def part_bars(df: pd.DataFrame, x: str, value: str, title: str, caption: str, xlabel: str = "",
              percent: bool = True, order=None):
    """Grouped bars of ``value`` per ``x`` for article vs comments (salience, frames, rates)."""
    fig, ax = _subplots(figsize=(7.5, 4))
    d = df.assign(part=df.part.map(PART_NAMES), **{value: rounded(df[value], *((DECIMALS, None) if percent
                                                                               else (None, SIGNIFICANT)))})
    sns.barplot(d, x=x, y=value, hue="part", ax=ax, order=order, hue_order=list(PART_NAMES.values()),
                palette=[PART_COLORS["article"], PART_COLORS["comment"]], errorbar=None)
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share of units" if percent else value)
    ax.set_xticks(ax.get_xticks(), [textwrap.fill(t.get_text(), 12) for t in ax.get_xticklabels()])
    ax.legend(title="")
    return _finish(fig, ax, title, caption, bottom=0.06)


@_styled
def rates_with_intervals(rates: pd.DataFrame, title: str, caption: str):
    """Rates (measure x part) with 95% intervals: columns measure, part, rate, ci_low, ci_high."""
    fig, ax = _subplots(figsize=(7.5, 4))
    measures = list(dict.fromkeys(rates.measure))
    for k, part in enumerate(PART_NAMES):
        d = rates[rates.part == part].set_index("measure").reindex(measures)
        rate, lo, hi = rounded(d.rate), rounded(d.ci_low), rounded(d.ci_high)
        x = np.arange(len(measures)) + (k - 0.5) * 0.38
        ax.bar(x, rate, width=0.36, color=PART_COLORS[part], label=PART_NAMES[part])
        ax.errorbar(x, rate, yerr=np.vstack([rate - lo, hi - rate]), fmt="none", ecolor="black", capsize=3, lw=1)
    ax.set_xticks(range(len(measures)), measures)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of units")
    ax.legend()
    return _finish(fig, ax, title, caption, bottom=0.08)


@_styled
def specificity_chart(spec: pd.DataFrame, title: str, caption: str, k: int = 12):
    """Top over- and under-represented lemmas in comments (Lafon's specificity)."""
    top = pd.concat([spec.head(k), spec.tail(k)]).drop_duplicates("lemma").sort_values("specificity")
    values = rounded(top.specificity, significant=SIGNIFICANT)
    fig, ax = _subplots(figsize=(6.5, 0.22 * len(top) + 1.6))
    ax.barh(top.lemma, values, color=[PART_COLORS["comment"] if s > 0 else PART_COLORS["article"] for s in values])
    ax.axvline(2, color="grey", ls="--", lw=0.8)
    ax.axvline(-2, color="grey", ls="--", lw=0.8)
    ax.set_xlabel("specificity in comments (−log10 p; + over-, − under-represented)")
    return _finish(fig, ax, title, caption, bottom=0.04)


@_styled
def network(graph, title: str, caption: str, weight: str = "stance", seed: int = 0, right=None):
    """Draw a DiGraph whose edges carry ``weight`` in [-1, 1] (coloured by the stance palette).

    ``right``: nodes to place in a column on the right (e.g. targets), the others on the left;
    without it a seeded spring layout is used (positions rounded like every plotted value).
    """
    import networkx as nx

    right = [n for n in right or [] if n in graph]
    left = [n for n in graph.nodes if n not in right]
    # a column needs about 0.8 inch per node, so labels of neighbouring nodes do not overlap
    fig, ax = _subplots(figsize=(8, max(5.5, 0.8 * max(len(left), len(right)) + 1.5) if right else 5.5))
    if right:
        pos = {n: (0.0, -k / max(len(left) - 1, 1)) for k, n in enumerate(left)}
        pos.update({n: (1.0, -k / max(len(right) - 1, 1)) for k, n in enumerate(right)})
    else:
        pos = nx.spring_layout(graph, seed=seed, k=1.2)
    pos = {n: tuple(rounded(xy)) for n, xy in pos.items()}
    cmap = stance_cmap()
    edges = [(u, v, {**d, weight: float(rounded(d[weight]))} if d.get(weight) is not None else d)
             for u, v, d in graph.edges(data=True)]
    colors = [cmap((d.get(weight, 0.0) + 1) / 2) if d.get(weight) is not None else "#999999" for _, _, d in edges]
    widths = [1 + 0.6 * min(d.get("n", 1), 8) for _, _, d in edges]
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color="#FFFFFF", edgecolors="#333333", node_size=1400)
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=7,
                            labels={n: textwrap.fill(str(n), 14) for n in graph})
    # an edge between two nodes of one column bends well out of it (straight, it would run through
    # the nodes between them); labels of edges whose middles are neighbours sit at different
    # distances along them (0.3, 0.5, 0.7), so that crossing edges do not stack their labels
    same = {(u, v) for u, v, _ in edges if right and u != v and pos[u][0] == pos[v][0]}
    order = sorted(range(len(edges)), key=lambda k: (pos[edges[k][0]][1] + pos[edges[k][1]][1], str(edges[k][:2])))
    at = {edges[k][:2]: (0.3, 0.5, 0.7)[rank % 3] for rank, k in enumerate(order)}
    for bent, rad in ((False, 0.08), (True, 0.5)):
        group = [k for k, (u, v, _) in enumerate(edges) if ((u, v) in same) == bent]
        if not group:
            continue
        style = f"arc3,rad={rad}"
        nx.draw_networkx_edges(graph, pos, edgelist=[edges[k][:2] for k in group], ax=ax,
                               edge_color=[colors[k] for k in group], width=[widths[k] for k in group],
                               arrows=True, arrowsize=14, node_size=1400, connectionstyle=style)
        for k in group:
            u, v, d = edges[k]
            text = f"{d[weight]:+.2f}" if d.get(weight) is not None else d.get("kind", "")
            if u == v:  # a holder's stance toward itself: above its loop
                ax.annotate(text, pos[u], xytext=(0, 30), textcoords="offset points", ha="center", fontsize=6,
                            bbox={"boxstyle": "round", "ec": "white", "fc": "white"})
                continue
            nx.draw_networkx_edge_labels(graph, pos, edge_labels={(u, v): text}, ax=ax, font_size=6,
                                         label_pos=0.5 if bent else at[(u, v)], node_size=1400,
                                         connectionstyle=style)
    sm = ScalarMappable(cmap=cmap, norm=Normalize(-1, 1))
    fig.colorbar(sm, ax=ax, shrink=0.6, label="stance: P(favour) − P(against)")
    ax.axis("off")
    ax.margins(0.12)
    return _finish(fig, ax, title, caption, bottom=0.04)


@_styled
def lengths_by_part(units: pd.DataFrame, title: str, caption: str, seed: int = 0):
    """Sentence length in words, one dot per unit, article vs comments (seeded jitter)."""
    words = units.text.str.split().str.len()
    parts = list(dict.fromkeys(units.part))
    fig, ax = _subplots(figsize=(7, 3.2))
    _strips(ax, [(k, words[units.part == p], PART_COLORS.get(p, "#999999"), None) for k, p in enumerate(parts)],
            size=5, jitter=0.1, seed=seed)
    ax.set_yticks(range(len(parts)), parts)
    ax.set_ylim(len(parts) - 0.5, -0.5)
    ax.yaxis.grid(False)
    ax.set_xlabel("words")
    ax.set_ylabel("")
    return _finish(fig, ax, title, caption, bottom=0.05)


@_styled
def per_article(per_article_stance: pd.DataFrame, targets: list[str], title: str, caption: str, seed: int = 0):
    """One dot per article and part: mean stance toward each target (seeded jitter)."""
    d = per_article_stance.assign(mean=rounded(per_article_stance["mean"]))
    parts = [p for p in PART_NAMES if p in set(d.part)]
    fig, ax = _subplots(figsize=(7.5, 4))
    groups = []
    for k, part in enumerate(parts):
        off = (k - (len(parts) - 1) / 2) * 0.8 / len(parts)
        groups += [(i + off, d[(d.part == part) & (d.target == t)]["mean"], PART_COLORS[part],
                    part if i == 0 else None) for i, t in enumerate(targets)]
    _strips(ax, groups, size=6, jitter=0.1 / len(parts), seed=seed)
    ax.set_yticks(range(len(targets)), targets)
    ax.set_ylim(len(targets) - 0.5, -0.5)
    ax.yaxis.grid(False)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("mean P(favour) − P(against) in one article")
    ax.set_ylabel("")
    ax.legend(title="part")
    return _finish(fig, ax, title, caption, bottom=0.05)


@_styled
def confusion_matrix(cm: pd.DataFrame, title: str, caption: str):
    """Gold (rows) x predicted (columns) counts."""
    fig, ax = _subplots(figsize=(4.8, 4))
    sns.heatmap(cm, annot=True, fmt="d", cmap="Greys", cbar=False, ax=ax, linewidths=0.5)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    return _finish(fig, ax, title, caption, bottom=0.05)


@_styled
def calibration_plot(table: pd.DataFrame, title: str, caption: str):
    """Reliability diagram from ``evaluation.calibration``."""
    fig, ax = _subplots(figsize=(4.5, 4.2))
    conf, acc = rounded(table.confidence).to_numpy(), rounded(table.accuracy).to_numpy()
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=0.8)
    ax.plot(conf, acc, marker="o", color=FAVOR)
    for c, a, n in zip(conf, acc, table.n):
        ax.annotate(f"n={int(n)}", (c, a), fontsize=7, xytext=(3, -10), textcoords="offset points")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("mean predicted confidence")
    ax.set_ylabel("observed accuracy")
    return _finish(fig, ax, title, caption, bottom=0.05)


@_styled
def reliability_by_group(table: pd.DataFrame, group: str, title: str, caption: str, xlabel: str, ylabel: str):
    """Reliability curves, one per value of ``group``, from ``evaluation.reliability``."""
    fig, ax = _subplots(figsize=(5.2, 4.4))
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=0.8)
    for name, g in table.groupby(group, sort=True):
        ax.plot(rounded(g.predicted).to_numpy(), rounded(g.observed).to_numpy(), marker="o", label=f"{name}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(title=group, fontsize=8, loc="upper left")
    return _finish(fig, ax, title, caption, bottom=0.05)


@_styled
def difference_under_error(draws: pd.DataFrame, title: str = "Comments minus article: mean stance per target",
                           caption: str = "Label-based mean stance (share favor - share against), comments minus "
                                          "article; dots: mean of the bootstrap draws, bars: 95% intervals."):
    """Interval of ``comment - article`` per target, one bar per kind of error: ``draws`` from
    ``analysis.validation.propagation.compare`` (an ``error`` column) or ``difference_under_error``
    (one kind)."""
    d = draws.dropna(subset=["difference"])
    d = d if "error" in d else d.assign(error="sampling + misclassification")
    targets = sorted(d.target.unique())
    kinds = list(dict.fromkeys(d.error))
    colors = dict(zip(kinds, ["#4D4D4D", "#CC79A7", FAVOR, AGAINST]))
    fig, ax = _subplots(figsize=(6.4, 0.7 + 0.55 * max(1, len(targets)) * max(1, len(kinds)) ** 0.5))
    step = 0.6 / max(1, len(kinds))
    for k_no, kind in enumerate(kinds):
        g = d[d.error == kind].groupby("target").difference
        stats = pd.DataFrame({"mean": g.mean(), "lo": g.quantile(0.025), "hi": g.quantile(0.975)}).reindex(targets)
        stats = rounded(stats)
        y = np.arange(len(targets)) + (k_no - (len(kinds) - 1) / 2) * step
        ax.errorbar(stats["mean"], y, xerr=[stats["mean"] - stats.lo, stats.hi - stats["mean"]], fmt="o",
                    color=colors[kind], capsize=3, label=kind)
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(np.arange(len(targets)), targets)
    ax.invert_yaxis()
    ax.set_xlabel("comments - article (mean stance)")
    if len(kinds) > 1:
        ax.legend(loc="best", fontsize=8, frameon=False)
    return _finish(fig, ax, title, caption, bottom=0.08)
