"""Figures (functions that take a DataFrame and return a Figure), the reading view that
highlights mentions in the text, and the shareable HTML report."""
