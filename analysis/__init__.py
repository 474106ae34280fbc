"""Discourse analysis of a news article against its readers' comments.

The common case in one line::

    from analysis import analyze
    result = analyze("data/raw/algeriepart_2024-04-26_algerie-wagner-mali.txt")
    result.summary["comments"]["stance"]["Morocco"]

Every step is available underneath: ``corpus``, ``encoder``, ``mentions``, ``stance``,
``salience``, ``evidentiality``, ``incivility``, ``frames``, ``address``, ``specificity``,
``plots``.
"""
__version__ = "0.1.0"


def analyze(page, model=None, targets=None, encoding="utf-8"):
    """Every measure for one page; see :func:`analysis.report.analyze`."""
    from analysis.pipeline.report import analyze as _analyze

    return _analyze(page, model=model, targets=targets, encoding=encoding)
