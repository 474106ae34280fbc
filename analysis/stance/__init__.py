"""Stance toward the targets: the multilingual encoder, its fine-tuning, and the classifier
that reads every mention of a target in its text.

The common calls::

    from analysis import stance
    stance.stance_table(ids, texts); stance.score_units(units, page); stance.aggregate(table)
"""
from analysis.stance.classifier import (
    LABELS,
    aggregate,
    fit,
    holder_network,
    lexicon_baseline,
    load_model,
    score,
    score_units,
    stance_csv,
    stance_table,
)

__all__ = ["LABELS", "aggregate", "fit", "holder_network", "lexicon_baseline", "load_model", "score", "score_units",
           "stance_csv", "stance_table"]
