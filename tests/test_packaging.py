"""The package as a library: a wheel that works outside the checkout, imports without side
effects, the layout's layering, and configuration errors that name the file and key."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.paths import project_root

ROOT = project_root()
SEED = ROOT / "data" / "raw" / "algeriepart_2024-04-26_algerie-wagner-mali.txt"


def _modules():
    import pkgutil

    import analysis

    return sorted(m.name for m in pkgutil.walk_packages(analysis.__path__, "analysis."))


def test_importing_every_module_changes_no_global_state():
    """rcParams, the matplotlib backend and spaCy's Token/Doc/Span extensions are as before."""
    code = f"""
import json, importlib, matplotlib, copy
from spacy.tokens.underscore import Underscore as U
before = (copy.deepcopy(dict(matplotlib.rcParams)), matplotlib.get_backend(),
          sorted(U.token_extensions), sorted(U.doc_extensions), sorted(U.span_extensions))
for name in {_modules()!r}:
    importlib.import_module(name)
after = (dict(matplotlib.rcParams), matplotlib.get_backend(),
         sorted(U.token_extensions), sorted(U.doc_extensions), sorted(U.span_extensions))
changed = [k for k in before[0] if before[0][k] != after[0][k]]
print(json.dumps({{"rc": changed, "backend": [before[1], after[1]], "ext": [before[2:], after[2:]]}}))
"""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["rc"] == []
    assert res["backend"][0] == res["backend"][1]
    assert res["ext"][0] == res["ext"][1]


LAYERS = {"errors": 0, "paths": 0, "resources": 0, "stats": 0, "text": 1, "io": 2, "stance": 3, "measures": 3,
          "validation": 3, "viz": 4, "pipeline": 5}


def test_subpackages_import_only_downward():
    """Layers: base (errors, paths, resources, stats) < text < io < stance, measures, validation
    < viz < pipeline; a module may import its own layer or a lower one (lazy imports included;
    imports for type hints only are exempt)."""
    import ast

    bad = []
    for path in sorted((ROOT / "analysis").rglob("*.py")):
        rel = path.relative_to(ROOT / "analysis")
        if rel.parts[0] in ("__init__.py", "__main__.py"):
            continue
        mine = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                       and getattr(block.test, "id", "") == "TYPE_CHECKING" for n in ast.walk(block)}
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis."):
                theirs = node.module.split(".")[1]
                if LAYERS[theirs] > LAYERS[mine]:
                    bad.append(f"{rel}:{node.lineno} imports {node.module}")
    assert not bad, bad


def test_a_config_file_in_the_working_directory_does_not_replace_the_packages(tmp_path, monkeypatch):
    from analysis import resources

    (tmp_path / "stance.yaml").write_text("method: nonsense\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    resources.load_yaml.cache_clear()
    try:
        assert resources.load_yaml("stance.yaml")["method"] == "finetune"
        assert resources.load_yaml(Path("stance.yaml"))["method"] == "nonsense"  # a path is the caller's file
    finally:
        resources.load_yaml.cache_clear()


def test_unknown_and_missing_configuration_keys_name_the_file_and_key(tmp_path):
    from analysis.errors import ConfigError
    from analysis.stance import classifier
    from analysis.text import mentions

    with pytest.raises(ConfigError, match=r"stance settings: unknown key 'epoch'"):
        classifier.stance_settings({"epoch": 3})
    bad = tmp_path / "targets.yaml"
    bad.write_text("France:\n  lable: France\n  groups:\n    names: {phrases: [France]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"targets.yaml: target 'France': unknown key 'lable'"):
        mentions.load_targets(bad)
    bad.write_text("France:\n  groups:\n    names: {phrase: [France]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"group 'names': unknown key 'phrase'"):
        mentions.load_targets(bad)
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1, 2\n", encoding="utf-8")
    from analysis import resources

    with pytest.raises(ConfigError, match=r"broken.yaml:\d+: not valid YAML"):
        resources.load_yaml(broken)


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory):
    """The wheel built from this checkout, installed (without dependencies) into a folder
    that shadows the editable install."""
    tmp = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp / "dist"), str(ROOT)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    wheel = next((tmp / "dist").glob("discourse_analysis-*.whl"))
    inst = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                           str(tmp / "site"), str(wheel)], capture_output=True, text=True)
    assert inst.returncode == 0, inst.stderr[-3000:]
    return tmp


def test_the_wheel_ships_its_data(installed_wheel):
    pkg = installed_wheel / "site" / "analysis"
    for rel in ("config/stance.yaml", "config/targets.yaml", "data/stance_train.csv", "text/units.py",
                "stance/classifier.py"):
        assert (pkg / rel).is_file(), rel
    assert list((pkg / "weights").glob("stance-finetuned-*.safetensors"))


def test_the_installed_wheel_analyses_the_seed_from_another_directory(installed_wheel, tmp_path):
    """``from analysis import analyze; analyze(page)``, ``python -m analysis`` and the console
    script ``discourse-analysis``, run from a folder
    outside the checkout, with the installed package first on the path; the stance model comes
    from the weights inside the wheel (the cache is not shared with this checkout's)."""
    site = installed_wheel / "site"
    page = tmp_path / "page.txt"
    page.write_bytes(SEED.read_bytes())
    env = {**os.environ, "PYTHONPATH": str(site), "ANALYSIS_PROGRESS": "0", "MPLBACKEND": "Agg"}
    env.pop("ANALYSIS_PROJECT_ROOT", None)
    env["ANALYSIS_CACHE_DIR"] = str(installed_wheel / "cache")
    code = ("import analysis, json; from analysis import analyze; from analysis.paths import project_root; "
            "r = analyze('page.txt'); "
            "print(json.dumps({'file': analysis.__file__, 'root': str(project_root()), "
            "'n': len(r.units), 'morocco': r.summary['comments']['stance']['Morocco']['mean']}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["file"].startswith(str(site)), res
    assert res["root"] == "None"
    assert res["n"] > 40
    assert res["morocco"] < 0
    cli = subprocess.run([sys.executable, "-m", "analysis", "units", "page.txt", "--out", "units.csv"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert cli.returncode == 0, cli.stderr[-2000:]
    assert (tmp_path / "units.csv").read_text(encoding="utf-8").count("\n") > 40
    script = installed_wheel / "site" / "bin" / "discourse-analysis"  # the console script
    help_ = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert help_.returncode == 0 and "report" in help_.stdout, help_.stderr[-2000:]


def test_every_project_error_shares_one_base():
    from analysis import errors
    from analysis.stance.encoder import EncoderError

    for cls in (errors.CorpusError, errors.OutputError, errors.ConfigError, errors.ModelError, errors.ArticlesFailed,
                EncoderError):
        assert issubclass(cls, errors.AnalysisError), cls
