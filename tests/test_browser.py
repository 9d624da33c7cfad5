"""In a real browser: JupyterLab on localhost, a notebook run in headless Chromium, a widget that
renders and answers when a slider moves, and the interactive network drawn.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and selenium; the
test is skipped, saying why, where they are missing. Nothing is downloaded: selenium drives the
system's chromedriver, and JupyterLab serves its extensions (ipywidgets, ipysigma) from the
environment.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1400,1800"]

pytestmark = [
    pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
                       reason="headless browser test: Debian's chromium and chromium-driver are not installed "
                              "(apt-get install chromium chromium-driver; .ci/run does)"),
]
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

TOKEN = "cib-browser-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_notebook(folder: Path) -> Path:
    cells = [
        "from toolkit.explore import open_workspace\nfrom toolkit.explore.network import network_view\n"
        "from toolkit.explore.tuner import threshold_tuner\nstore = open_workspace()",
        "threshold_tuner(store)",
        "network_view(store, max_nodes=300)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "explore.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on localhost in a temporary folder, stopped afterwards."""
    from toolkit.explore import sample_workspace

    sample_workspace()  # reconstruct once before the kernel needs it
    _write_notebook(tmp_path)
    port = _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "ws"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    log = open(tmp_path / "jupyter.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp_path}", "--ServerApp.open_browser=False",
         "--allow-root", "--LabApp.extension_manager=readonly",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (tmp_path / "jupyter.log").read_text(errors="replace"))
                time.sleep(0.5)
        yield url, tmp_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture
def browser(tmp_path):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(90)
    try:
        yield driver
    finally:
        driver.quit()


def _accept_kernel_dialog(driver) -> bool:
    """Click the accept button of a kernel-selection dialog, if one is open."""
    buttons = driver.find_elements(By.CSS_SELECTOR, ".jp-Dialog .jp-Dialog-button.jp-mod-accept")
    for button in buttons:
        button.click()
    return False


def test_notebook_widget_renders_and_responds(jupyterlab, browser):
    url, folder = jupyterlab
    browser.get(f"{url}/lab/tree/explore.ipynb?token={TOKEN}&reset")
    wait = WebDriverWait(browser, 150, poll_frequency=0.5)
    run_menu = "//div[contains(@class,'lm-MenuBar-itemLabel') and text()='Run']"
    run_all = "//li[contains(@class,'lm-Menu-item')][.//div[text()='Run All Cells']]"
    try:
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell"), "the notebook did not open")
        # a fresh server may ask which kernel to start: accept its proposal (the notebook's own, Python 3)
        wait.until(lambda d: _accept_kernel_dialog(d) or "Idle" in d.find_element(By.CSS_SELECTOR, ".jp-StatusBar-Widget").text
                   or d.find_elements(By.XPATH, "//*[contains(text(), '| Idle')]"), "the kernel did not start")
        # Run all cells, from the Run menu
        wait.until(lambda d: d.find_elements(By.XPATH, run_menu), "no Run menu")
        browser.find_element(By.XPATH, run_menu).click()
        wait.until(lambda d: d.find_elements(By.XPATH, run_all), "no 'Run All Cells' item")
        browser.find_element(By.XPATH, run_all).click()
        # the tuner's sliders render, with its first output table
        wait.until(lambda d: _accept_kernel_dialog(d) or len(d.find_elements(By.CSS_SELECTOR, ".widget-slider")) >= 3
                   and "flagged accounts" in d.find_element(By.CSS_SELECTOR, ".jp-Notebook").text,
                   "the threshold tuner did not render")
        assert "flag ≥ 0.50" in browser.find_element(By.CSS_SELECTOR, ".jp-Notebook").text
        # move the flag-threshold slider with the keyboard: the output follows
        handle = browser.find_elements(By.CSS_SELECTOR, ".widget-slider .noUi-handle")[2]
        handle.click()
        handle.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
        wait.until(lambda d: "flag ≥ 0.60" in d.find_element(By.CSS_SELECTOR, ".jp-Notebook").text,
                   "moving the slider did not update the output")
        # the interactive network (ipysigma) draws into canvases
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".jp-OutputArea canvas"), "the network view did not draw")
    finally:
        browser.save_screenshot(str(folder / "browser.png"))
    errors = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")
              if "Error" in e.text or "Traceback" in e.text]
    assert not errors, errors
