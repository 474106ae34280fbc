"""Reading inputs: news pages (text dumps, JSON, tables) into one :class:`~analysis.io.pages.Page`
model, and the synthetic corpus for benchmarks. No NLP happens here."""
