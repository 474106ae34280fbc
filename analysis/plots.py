"""Figures: each function takes tidy tables and returns a matplotlib Figure.

One seaborn theme; one colour-blind-safe diverging palette (against = orange,
favour = blue); a caption line with source and n under every figure; ``save`` writes
PNG and SVG deterministically (no timestamps, fixed SVG ids) and atomically.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from .resources import atomic_path  # noqa: E402

AGAINST, NEUTRAL, FAVOR = "#D55E00", "#F0F0F0", "#0072B2"  # Okabe-Ito orange / blue
PART_COLORS = {"article": "#4D4D4D", "comment": "#CC79A7"}
PART_NAMES = {"article": "Article", "comment": "Comments"}


def theme() -> None:
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95)
    plt.rcParams.update({"svg.hashsalt": "discourse-analysis", "figure.dpi": 100, "axes.titleweight": "bold",
                         "axes.titlesize": 12, "axes.titlelocation": "left"})


def stance_cmap():
    return sns.blend_palette([AGAINST, NEUTRAL, FAVOR], as_cmap=True)


def _caption(fig, text: str, width: int = 120) -> None:
    fig.text(0.01, 0.005, textwrap.fill(text, width), ha="left", va="bottom", fontsize=8, color="#555555")


def _finish(fig, ax, title: str, caption: str, bottom: float = 0.04, right: float = 1.0):
    """Title, caption line, layout: the same ending for every figure."""
    ax.set_title(textwrap.fill(title, 80))
    _caption(fig, caption)
    fig.tight_layout(rect=(0, bottom, right, 1))
    return fig


def save(fig, name: str, out_dir="figures") -> list[Path]:
    """Write ``name``.png (150 dpi) and ``name``.svg into ``out_dir``; same inputs, same bytes."""
    paths = []
    for ext, kw in (("png", {"dpi": 150, "metadata": {"Software": None}}), ("svg", {"metadata": {"Date": None}})):
        path = Path(out_dir) / f"{name}.{ext}"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=ext, bbox_inches="tight", **kw)
        paths.append(path)
    return paths


def stance_heatmap(unit_stance: pd.DataFrame, title: str, caption: str):
    """Unit x target heatmap of p_favor - p_against; blank where the target is not mentioned."""
    theme()
    df = unit_stance.assign(score=np.where(unit_stance.mentioned, unit_stance.p_favor - unit_stance.p_against, np.nan))
    grid = df.pivot(index="unit_id", columns="target", values="score").loc[df.unit_id.unique(), df.target.unique()]
    fig, ax = plt.subplots(figsize=(6.5, max(4, 0.17 * len(grid) + 1.5)))
    sns.heatmap(grid, ax=ax, cmap=stance_cmap(), vmin=-1, vmax=1, center=0, linewidths=0.3, linecolor="white",
                cbar_kws={"label": "stance: P(favour) − P(against)", "shrink": 0.6})
    parts = unit_stance.drop_duplicates("unit_id").part.tolist()
    if "comment" in parts and "article" in parts:
        ax.axhline(parts.index("comment"), color="black", lw=1.2)
    ax.set_xlabel("")
    ax.set_ylabel("unit (a = article paragraph, c = comment; s = sentence)")
    ax.tick_params(axis="y", labelsize=6)
    return _finish(fig, ax, title, caption, bottom=0.03)


def stance_bars(aggregate: pd.DataFrame, targets: list[str], title: str, caption: str):
    """Article vs comments: mean stance per target with bootstrap 95% intervals."""
    theme()
    fig, ax = plt.subplots(figsize=(7, 0.7 * len(targets) + 1.8))
    offsets = {"article": -0.18, "comment": 0.18}
    for part, off in offsets.items():
        d = aggregate[aggregate.part == part].set_index("target").reindex(targets)
        y = np.arange(len(targets)) + off
        colors = [FAVOR if m > 0 else AGAINST for m in d["mean"].fillna(0)]
        ax.barh(y, d["mean"].fillna(0), height=0.34, color=colors, edgecolor=PART_COLORS[part],
                hatch="//" if part == "article" else None, linewidth=1.2, label=PART_NAMES[part])
        err = np.vstack([d["mean"] - d.ci_low, d.ci_high - d["mean"]])
        ax.errorbar(d["mean"], y, xerr=np.nan_to_num(err), fmt="none", ecolor="black", capsize=3, lw=1)
        for yi, (n, m) in enumerate(zip(d.n.fillna(0).astype(int), d["mean"])):
            ax.text(1.02, y[yi], "not mentioned" if n == 0 else f"n={n}", va="center", fontsize=8,
                    transform=ax.get_yaxis_transform())
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(targets)), targets)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("← against            mean P(favour) − P(against)            favour →")
    ax.invert_yaxis()
    ax.legend(loc="lower left", fontsize=8, frameon=True)
    return _finish(fig, ax, title, caption, bottom=0.04, right=0.93)


def part_bars(df: pd.DataFrame, x: str, value: str, title: str, caption: str, xlabel: str = "",
              percent: bool = True, order=None):
    """Grouped bars of ``value`` per ``x`` for article vs comments (salience, frames, rates)."""
    theme()
    fig, ax = plt.subplots(figsize=(7.5, 4))
    d = df.assign(part=df.part.map(PART_NAMES))
    sns.barplot(d, x=x, y=value, hue="part", ax=ax, order=order, hue_order=list(PART_NAMES.values()),
                palette=[PART_COLORS["article"], PART_COLORS["comment"]], errorbar=None)
    if percent:
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share of units" if percent else value)
    ax.set_xticks(ax.get_xticks(), [textwrap.fill(t.get_text(), 14) for t in ax.get_xticklabels()])
    ax.legend(title="")
    return _finish(fig, ax, title, caption, bottom=0.06)


def rates_with_intervals(rates: pd.DataFrame, title: str, caption: str):
    """Rates (measure x part) with 95% intervals: columns measure, part, rate, ci_low, ci_high."""
    theme()
    fig, ax = plt.subplots(figsize=(7.5, 4))
    measures = list(dict.fromkeys(rates.measure))
    for k, part in enumerate(PART_NAMES):
        d = rates[rates.part == part].set_index("measure").reindex(measures)
        x = np.arange(len(measures)) + (k - 0.5) * 0.38
        ax.bar(x, d.rate, width=0.36, color=PART_COLORS[part], label=PART_NAMES[part])
        ax.errorbar(x, d.rate, yerr=np.vstack([d.rate - d.ci_low, d.ci_high - d.rate]), fmt="none",
                    ecolor="black", capsize=3, lw=1)
    ax.set_xticks(range(len(measures)), measures)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of units")
    ax.legend()
    return _finish(fig, ax, title, caption, bottom=0.08)


def specificity_chart(spec: pd.DataFrame, title: str, caption: str, k: int = 12):
    """Top over- and under-represented lemmas in comments (Lafon's specificity)."""
    theme()
    top = pd.concat([spec.head(k), spec.tail(k)]).drop_duplicates("lemma").sort_values("specificity")
    fig, ax = plt.subplots(figsize=(6.5, 0.22 * len(top) + 1.6))
    ax.barh(top.lemma, top.specificity, color=[PART_COLORS["comment"] if s > 0 else PART_COLORS["article"]
                                               for s in top.specificity])
    ax.axvline(2, color="grey", ls="--", lw=0.8)
    ax.axvline(-2, color="grey", ls="--", lw=0.8)
    ax.set_xlabel("specificity in comments (−log10 p; + over-, − under-represented)")
    return _finish(fig, ax, title, caption, bottom=0.04)


def network(graph, title: str, caption: str, weight: str = "stance", seed: int = 0, right=None):
    """Draw a DiGraph whose edges carry ``weight`` in [-1, 1] (coloured by the stance palette).

    ``right``: nodes to place in a column on the right (e.g. targets), the others on the left;
    without it a seeded spring layout is used.
    """
    import networkx as nx

    theme()
    fig, ax = plt.subplots(figsize=(8, 5.5))
    right = [n for n in right or [] if n in graph]
    if right:
        left = [n for n in graph.nodes if n not in right]
        pos = {n: (0.0, -k / max(len(left) - 1, 1)) for k, n in enumerate(left)}
        pos.update({n: (1.0, -k / max(len(right) - 1, 1)) for k, n in enumerate(right)})
    else:
        pos = nx.spring_layout(graph, seed=seed, k=1.2)
    cmap = stance_cmap()
    edges = list(graph.edges(data=True))
    colors = [cmap((d.get(weight, 0.0) + 1) / 2) if d.get(weight) is not None else "#999999" for _, _, d in edges]
    widths = [1 + 0.6 * min(d.get("n", 1), 8) for _, _, d in edges]
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color="#FFFFFF", edgecolors="#333333", node_size=1400)
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=7,
                            labels={n: textwrap.fill(str(n), 14) for n in graph})
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color=colors, width=widths, arrows=True, arrowsize=14,
                           node_size=1400, connectionstyle="arc3,rad=0.08")
    labels = {(u, v): (f"{d[weight]:+.2f}" if d.get(weight) is not None else d.get("kind", ""))
              for u, v, d in edges}
    nx.draw_networkx_edge_labels(graph, pos, edge_labels=labels, ax=ax, font_size=6, label_pos=0.3)
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(-1, 1))
    fig.colorbar(sm, ax=ax, shrink=0.6, label="stance: P(favour) − P(against)")
    ax.axis("off")
    ax.margins(0.12)
    return _finish(fig, ax, title, caption, bottom=0.04)


def lengths_by_part(units: pd.DataFrame, title: str, caption: str):
    """Sentence length in words, one dot per unit, article vs comments."""
    theme()
    np.random.seed(0)  # seaborn's strip jitter draws from numpy's global generator
    d = units.assign(words=units.text.str.split().str.len())
    fig, ax = plt.subplots(figsize=(7, 3.2))
    sns.stripplot(d, x="words", y="part", hue="part", palette=PART_COLORS, ax=ax, size=5, legend=False)
    ax.set_ylabel("")
    return _finish(fig, ax, title, caption, bottom=0.05)


def per_article(per_article_stance: pd.DataFrame, targets: list[str], title: str, caption: str):
    """One dot per article and part: mean stance toward each target."""
    theme()
    np.random.seed(0)  # seaborn's strip jitter draws from numpy's global generator
    fig, ax = plt.subplots(figsize=(7.5, 4))
    sns.stripplot(per_article_stance, x="mean", y="target", hue="part", dodge=True, ax=ax, size=6,
                  palette=PART_COLORS, order=targets)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("mean P(favour) − P(against) in one article")
    ax.set_ylabel("")
    return _finish(fig, ax, title, caption, bottom=0.05)


def confusion_matrix(cm: pd.DataFrame, title: str, caption: str):
    """Gold (rows) x predicted (columns) counts."""
    theme()
    fig, ax = plt.subplots(figsize=(4.8, 4))
    sns.heatmap(cm, annot=True, fmt="d", cmap="Greys", cbar=False, ax=ax, linewidths=0.5)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    return _finish(fig, ax, title, caption, bottom=0.05)


def calibration_plot(table: pd.DataFrame, title: str, caption: str):
    """Reliability diagram from ``evaluation.calibration``."""
    theme()
    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=0.8)
    ax.plot(table.confidence, table.accuracy, marker="o", color=FAVOR)
    for _, r in table.iterrows():
        ax.annotate(f"n={r.n}", (r.confidence, r.accuracy), fontsize=7, xytext=(3, -10), textcoords="offset points")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("mean predicted confidence")
    ax.set_ylabel("observed accuracy")
    return _finish(fig, ax, title, caption, bottom=0.05)
