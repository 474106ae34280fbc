"""Check that the encoded fixtures are what they claim: run ``python tests/data/html/make_encoded.py``.

``arabic_windows1256.html``, ``french_iso8859-1.html`` and ``french_undeclared.html`` were written
with Python from their text, encoded as windows-1256 and ISO-8859-1 (the undeclared page is the
ISO-8859-1 one without its ``<meta charset>``). This script prints their charsets and first lines.
"""
from pathlib import Path

HERE = Path(__file__).parent
for name, codec in (("arabic_windows1256.html", "cp1256"), ("french_iso8859-1.html", "latin-1"),
                    ("french_undeclared.html", "latin-1")):
    text = (HERE / name).read_bytes().decode(codec)
    print(name, codec, text.splitlines()[4][:60])
