"""The briefing as PDF: the HTML version printed by a headless Chromium (Debian's `chromium`), so Chinese
text is set with the machine's fonts exactly as in the browser. No Chromium, no PDF: one clear error."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import GovdashError
from . import web
from .content import Briefing

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--no-pdf-header-footer")
TIMEOUT_S = 120


def browser() -> str | None:
    """Path of a Chromium-family browser: $GOVDASH_CHROMIUM, else the first one on PATH."""
    chosen = os.environ.get("GOVDASH_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).exists() else None
    return next((shutil.which(c) for c in CANDIDATES if shutil.which(c)), None)


def render(briefing: Briefing) -> bytes:
    """The briefing as PDF bytes."""
    exe = browser()
    if exe is None:
        raise GovdashError("生成 PDF 需要 Chromium 浏览器，本机未安装（可改用 --format docx 或 html）",
                           "PDF needs a Chromium browser, which is not installed (use --format docx or html)")
    with tempfile.TemporaryDirectory(prefix="govdash-pdf-") as tmp:
        page, out = Path(tmp) / "briefing.html", Path(tmp) / "briefing.pdf"
        page.write_bytes(web.render(briefing))
        cmd = [exe, *FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", page.as_uri()]
        try:
            subprocess.run(cmd, check=False, capture_output=True, timeout=TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GovdashError("Chromium 生成 PDF 失败", f"Chromium could not print the PDF: {exc}") from exc
        if not out.exists() or out.stat().st_size == 0:
            raise GovdashError("Chromium 没有生成 PDF", "Chromium produced no PDF")
        return out.read_bytes()
