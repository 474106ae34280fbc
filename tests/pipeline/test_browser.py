"""The notebooks as a person uses them: JupyterLab in a real (headless Chromium) browser.

JupyterLab runs on 127.0.0.1 (a free port, a random token) on temporary copies of the
notebooks, whose parameters point at the repository's data and at temporary output folders
(the committed ``figures/`` is never written). For each notebook the test opens it from the
file browser, runs Run > Run All Cells, waits for the kernel to be idle and checks that every
code cell ran, that no cell shows an error or a stderr box and that every figure the
notebook saves is shown inline; it saves a screenshot to ``data/processed/screens/``. Then
it opens a ``report.html`` from disk and checks that every image decodes.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); skipped
without them. No browser or driver is downloaded.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from analysis.pipeline import notebooks

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "data" / "processed" / "screens"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
NOTEBOOK_TIMEOUT = 720  # seconds for one notebook's Run All: 04_validation with a cold embedding cache took 289 s on
# an AVX-512 CPU and more than 428 s on an AVX2 one (2026-12-01)
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
ERROR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'
ERROR_BOX = f"{ERROR}, {STDERR}"

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)",
                allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

NAMES = [src.stem for src in notebooks.sources()]
RAN: set[str] = set()  # notebooks that ran to the end in this session


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(tmp: Path) -> tuple[Path, Path]:
    """Copies of the notebooks with their parameters injected (as papermill does): relative
    paths resolved against the repository's notebooks folder, outputs into ``tmp``."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    root, figures = tmp / "lab", tmp / "figures"
    root.mkdir()
    for src in notebooks.sources():
        nb = load_notebook_node(str(src.with_suffix(".ipynb")))
        declared = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        params = {name: str((notebooks.notebook_dir() / rel).resolve())
                  for name, rel in re.findall(r'^(\w+) = "(\.\.?/[^"]*)"', declared, re.M)}
        params.update({k: v for k, v in {"FIGURES": str(figures), "OUT": str(tmp / "corpus" / "out")}.items()
                       if k in params})
        nbformat.write(parameterize_notebook(nb, params), root / src.with_suffix(".ipynb").name)
    return root, figures


def _settings(folder: Path) -> None:
    """JupyterLab user settings for the test: every cell rendered (no windowing), no news."""
    for plugin, values in {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
                           "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                                            "checkForUpdates": False}}.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


class Lab:
    def __init__(self, url: str, token: str, root: Path, figures: Path):
        self.url, self.token, self.root, self.figures = url, token, root, figures

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body else None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    root, figures = _prepare(tmp)
    home = tmp / "jupyter"
    _settings(home / "settings")
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the kernels keep the inline backend
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               ANALYSIS_PROGRESS="1")
    log = open(tmp / "lab.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
                             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
                             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Lab(f"http://127.0.0.1:{port}", token, root, figures)
    deadline = time.time() + 90
    while True:
        try:
            server.api("status")
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"JupyterLab did not start: {(tmp / 'lab.log').read_text(errors='replace')[-3000:]}") from None
            time.sleep(0.5)
    yield server
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def driver():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1100", "--hide-scrollbars", "--no-first-run"):
        opts.add_argument(arg)
    d = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=opts)
    yield d
    d.quit()


def _menu(driver, menu: str, entry: str) -> None:
    """Click ``menu`` in the menu bar, then its ``entry`` (by their labels, as a person does)."""
    WebDriverWait(driver, 30).until(EC.element_to_be_clickable(
        (By.XPATH, f"//li[contains(@class, 'lm-MenuBar-item')][.//div[normalize-space()='{menu}']]"))).click()
    WebDriverWait(driver, 30).until(EC.element_to_be_clickable(
        (By.XPATH, f"//li[contains(@class, 'lm-Menu-item')][.//div[normalize-space()='{entry}']]"))).click()


def _prompts(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell "
        ".jp-InputArea-prompt')).map(e => e.textContent.trim())")


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_in_jupyterlab(lab, driver, name):
    before = {p.name for p in lab.figures.glob("*.png")}
    driver.get(f"{lab.url}/lab/workspaces/{name}?reset&token={lab.token}")
    item = WebDriverWait(driver, 90).until(EC.element_to_be_clickable(
        (By.XPATH, f"//li[contains(@class, 'jp-DirListing-item')][.//span[normalize-space()='{name}.ipynb']]")))
    ActionChains(driver).double_click(item).perform()  # open it from the file browser
    WebDriverWait(driver, 90).until(lambda d: len(_prompts(d)) > 0)
    WebDriverWait(driver, 120).until(lambda d: any(s["notebook"]["path"] == f"{name}.ipynb"
                                                   and s["kernel"]["execution_state"] == "idle"
                                                   for s in lab.api("sessions")))
    n_cells = len(_prompts(driver))
    _menu(driver, "Run", "Run All Cells")

    def done(d):  # every cell ran, or Run All stopped at an error (nothing queued, kernel idle)
        prompts = _prompts(d)
        idle = all(s["kernel"]["execution_state"] == "idle" for s in lab.api("sessions")
                   if s["notebook"]["path"] == f"{name}.ipynb")
        if not idle or "[*]:" in prompts or len(prompts) != n_cells:
            return False
        return all(re.fullmatch(r"\[\d+\]:", p) for p in prompts) or bool(d.find_elements(By.CSS_SELECTOR, ERROR_BOX))

    SCREENS.mkdir(parents=True, exist_ok=True)
    try:
        WebDriverWait(driver, NOTEBOOK_TIMEOUT, poll_frequency=2).until(done)
    except Exception:
        driver.save_screenshot(str(SCREENS / f"{name}-failed.png"))
        raise
    errors = driver.find_elements(By.CSS_SELECTOR, ERROR_BOX)
    if errors:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", errors[0])
        driver.save_screenshot(str(SCREENS / f"{name}-failed.png"))
    assert not errors, [e.text[-1500:] for e in errors]  # no red box
    prompts = _prompts(driver)
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), prompts  # every code cell ran
    saved = {p.name for p in lab.figures.glob("*.png")} - before
    images = driver.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img")
    assert len(images) >= len(saved), (sorted(saved), len(images))  # every saved figure is shown inline
    assert all(driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img)
               for img in images)
    if name == "02_stance":  # the reading view and its drop-downs
        view = driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output .reading-view .spans")
        assert view
        assert len(driver.find_elements(By.CSS_SELECTOR, ".widget-dropdown select")) >= 2
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", view[0])
        time.sleep(0.5)
        driver.save_screenshot(str(SCREENS / f"{name}-reading.png"))
        part, target = driver.find_elements(By.CSS_SELECTOR, ".widget-dropdown select")[:2]
        Select(part).select_by_visible_text("comment 4")  # pick a comment and a target, as a reader does
        Select(target).select_by_visible_text("Morocco")
        box = part.find_element(By.XPATH, "./ancestor::div[contains(@class, 'widget-vbox')][1]")
        def shows_comment_4(d):
            headings = [h.text for h in box.find_elements(By.CSS_SELECTOR, "h2")]
            return len(headings) == 1 and headings[0].startswith("Comment 4") and "Mentions and evidence" in box.text
        WebDriverWait(driver, 60).until(shows_comment_4)
        assert "Morocco" in box.text and "Algeria F" not in box.text  # only that target's mentions
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", part)
        time.sleep(0.5)
        driver.save_screenshot(str(SCREENS / f"{name}-explorer.png"))
    # what the person sees: the first figure in view
    target = images[0] if images else driver.find_element(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden)")
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", target)
    time.sleep(0.5)
    driver.save_screenshot(str(SCREENS / f"{name}.png"))
    # the saved notebook holds the same: no error or stderr output in any cell
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
    cells = []
    for k in range(30):
        try:  # a read that meets the save's atomic rename fails with HTTP 500, and so may that save
            cells = [c for c in lab.api(f"contents/{name}.ipynb")["content"]["cells"] if c["cell_type"] == "code"]
        except urllib.error.HTTPError:
            cells = []
        if cells and all(c["execution_count"] for c in cells):
            break
        if k % 10 == 9:
            ActionChains(driver).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
        time.sleep(1)
    assert all(c["execution_count"] for c in cells), "the notebook was not saved after running"
    bad = [(k, o.get("name"), o.get("ename")) for k, c in enumerate(cells) for o in c["outputs"]
           if o["output_type"] == "error" or o.get("name") == "stderr"]
    assert not bad, bad
    for sess in lab.api("sessions"):
        lab.api(f"sessions/{sess['id']}", method="DELETE")  # shut the kernel down (memory)
    RAN.add(name)


def test_every_figure_was_written(lab, headless_corpus_notebook):
    """The figures every notebook saves (``plots.save(fig, "name", FIGURES)``), PNG and SVG,
    world-readable, in the test's figures folder (never the committed ``figures/``)."""
    if set(NAMES) - RAN:
        pytest.skip(f"runs after every notebook ran; these did not: {sorted(set(NAMES) - RAN)}")
    expected = [m for src in notebooks.sources()
                for m in re.findall(r'plots\.save\(fig, "(\w+)", FIGURES\)', src.read_text(encoding="utf-8"))]
    assert len(expected) >= 14
    for name in expected:
        for ext in ("png", "svg"):
            path = lab.figures / f"{name}.{ext}"
            assert path.stat().st_size > 1000, path
            assert path.stat().st_mode & 0o777 == 0o644, path
    # drawn in a JupyterLab kernel (inline backend) or by `make figures`' runner (Agg): same bytes
    _, headless = headless_corpus_notebook
    for path in headless.iterdir():
        assert path.read_bytes() == (lab.figures / path.name).read_bytes(), path.name


def test_report_html_opens_offline_with_every_figure(driver, tmp_path, seed_result):
    from analysis.pipeline import html_report

    path = html_report.write(seed_result, tmp_path / "report.html")
    driver.get(path.as_uri())
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])")
    assert len(images) >= 6
    assert all(complete and width > 0 for _, complete, width in images), images
    assert driver.find_elements(By.CSS_SELECTOR, ".reading-view .spans")
    SCREENS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENS / "report.png"))
    shutil.copy(path, SCREENS / "report.html")
