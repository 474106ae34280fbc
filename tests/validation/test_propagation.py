"""Error propagation (analysis/validation/propagation.py) and its figure, on hand-made tables."""
import matplotlib
import numpy as np
import pandas as pd
import pytest

from analysis.validation import propagation as prop
from analysis.validation.evaluation import confusion

LABELS = ["favor", "against", "none"]


def stance_table(seed=0, n_article=30, n_comment=80):
    """Article mostly neutral/favourable, comments mostly against, two targets; some units do
    not mention the target or hold another's stance (both left out)."""
    rng = np.random.default_rng(seed)
    rows = []
    for target, shift in (("Algeria", 0.0), ("Morocco", 0.2)):
        for part, n, p in (("article", n_article, [0.3, 0.1, 0.6]), ("comment", n_comment, [0.15 + shift, 0.6 - shift, 0.25])):
            for i, lab in enumerate(rng.choice(LABELS, n, p=p)):
                rows.append({"unit_id": f"{part[0]}{i}", "part": part, "target": target, "label": lab,
                             "mentioned": i % 10 != 9, "holder": "author" if i % 7 else "Rabat"})
    return pd.DataFrame(rows)


def width(summary, target="Algeria"):
    r = summary.set_index("target").loc[target]
    return r.ci_high - r.ci_low


def test_misclassification_rows():
    gold = ["favor", "favor", "against", "none", "none", "none"]
    pred = ["favor", "none", "against", "none", "none", "favor"]
    m = prop.misclassification(gold, pred)
    assert list(m.index) == LABELS and np.allclose(m.sum(1), 1)
    assert m.loc["favor", "favor"] == 0.5 and m.loc["favor", "none"] == 0.5  # predicted favor: half truly none
    assert m.loc["none"].tolist() == pytest.approx([1 / 3, 0, 2 / 3])
    # the transpose of the evaluation's confusion (rows gold), row-normalised
    c = confusion(gold, pred).T.astype(float)
    assert np.allclose(m.to_numpy(), (c.T / c.sum(1)).T.to_numpy())
    assert prop.misclassification([], []).equals(pd.DataFrame(np.eye(3), index=LABELS, columns=LABELS)
                                                 .rename_axis(index="predicted", columns="true"))


def test_perfect_matrix_is_the_plain_bootstrap():
    df = stance_table()
    plain = prop.difference_under_error(df, None, n_boot=500, seed=3)
    perfect = prop.difference_under_error(df, pd.DataFrame(np.eye(3), index=LABELS, columns=LABELS), n_boot=500,
                                          seed=3)
    pd.testing.assert_frame_equal(plain, perfect)
    # the plain draws are the bootstrap of the label-based means of author-held mentions
    obs = prop.observed(df).set_index("target")
    kept = df[df.mentioned & (df.holder == "author")]
    alg = kept[(kept.target == "Algeria") & (kept.part == "comment")].label.map(prop.SCORE).mean()
    assert obs.loc["Algeria", "comment"] == pytest.approx(alg)
    s = prop.summarize(plain, df)
    assert (s.ci_low < s.observed).all() and (s.observed < s.ci_high).all()
    assert s["mean"].to_numpy() == pytest.approx(s.observed.to_numpy(), abs=0.03)


def test_noisy_matrix_widens_the_interval():
    df = stance_table()
    noisy = pd.DataFrame([[0.6, 0.1, 0.3], [0.1, 0.6, 0.3], [0.2, 0.2, 0.6]], index=LABELS, columns=LABELS)
    plain = prop.summarize(prop.difference_under_error(df, None, n_boot=1000, seed=0))
    err = prop.summarize(prop.difference_under_error(df, noisy, n_boot=1000, seed=0))
    for t in ("Algeria", "Morocco"):
        assert width(err, t) > width(plain, t) * 1.05
    # misclassification toward none shrinks the expected difference toward 0
    assert abs(err.set_index("target").loc["Algeria", "mean"]) < abs(plain.set_index("target").loc["Algeria", "mean"])
    # seeded: same draws again; counts (Dirichlet rows) add the validation sample's own uncertainty
    again = prop.summarize(prop.difference_under_error(df, noisy, n_boot=1000, seed=0))
    pd.testing.assert_frame_equal(err, again)
    counts = noisy * 20  # a validation sample of 20 per predicted label
    dirichlet = prop.summarize(prop.difference_under_error(df, matrix_counts=counts, n_boot=1000, seed=0))
    assert width(dirichlet) > width(plain)


def test_missing_side_and_bad_labels():
    df = stance_table()
    only_comments = df[~((df.target == "Morocco") & (df.part == "article"))]
    d = prop.difference_under_error(only_comments, None, n_boot=50)
    assert d[d.target == "Morocco"].difference.isna().all() and d[d.target == "Algeria"].difference.notna().all()
    with pytest.raises(ValueError, match="'maybe'"):
        prop.difference_under_error(df.assign(label="maybe"), None, n_boot=5)


def test_plot_difference_under_error():
    from matplotlib.figure import Figure

    from analysis.viz import plots

    df = stance_table()
    noisy = pd.DataFrame([[0.7, 0.1, 0.2], [0.1, 0.7, 0.2], [0.2, 0.2, 0.6]], index=LABELS, columns=LABELS)
    draws = prop.compare(df, noisy, n_boot=200)
    before = dict(matplotlib.rcParams)
    fig = plots.difference_under_error(draws)
    assert isinstance(fig, Figure) and dict(matplotlib.rcParams) == before  # no global state changed
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Algeria", "Morocco"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sampling", "sampling + misclassification"]
    assert plots.png(fig)[:4] == b"\x89PNG"
    one = plots.difference_under_error(prop.difference_under_error(df, noisy, n_boot=50), title="t", caption="c")
    assert one.axes[0].get_legend() is None


def test_summarize_keeps_the_kinds_of_error_apart():
    draws = pd.DataFrame({"target": ["A"] * 4, "error": ["sampling", "sampling", "both", "both"],
                          "difference": [0.0, 0.2, -1.0, 1.0]})
    out = prop.summarize(draws).set_index(["target", "error"])
    assert out.loc[("A", "sampling"), "mean"] == pytest.approx(0.1)
    assert out.loc[("A", "both"), "n_draws"] == 2
