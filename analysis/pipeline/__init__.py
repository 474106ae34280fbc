"""Putting the steps together: one page (``report``), a corpus article by article (``batch``),
and the notebooks run headless (``notebooks``)."""
