"""Headless Chromium, the renderer of the printed documents: HTML to PDF with
`--print-to-pdf`, with the network blocked (the pages are self-contained and fetch nothing).

Debian's `chromium` package, and `fonts-noto-cjk` for Japanese (without a CJK font the page
prints empty boxes); `.ci/run` installs both.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import UsageError

TIMEOUT_S = 120
NO_NETWORK = ("--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9")


def binary() -> str:
    """The Chromium executable, or a UsageError that says what to install."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise UsageError.said("pdf.no_chromium")
    return found


def run(args: list[str], page: Path) -> subprocess.CompletedProcess[str]:
    """Chromium on a local page, in a throw-away profile, reaching no network."""
    with tempfile.TemporaryDirectory(prefix="careflow-chromium-") as profile:
        return subprocess.run(
            [binary(), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--no-first-run", "--disable-sync", "--disable-quic",
             f"--user-data-dir={profile}", *NO_NETWORK, "--force-color-profile=srgb",
             "--hide-scrollbars", *args, page.as_uri()],
            capture_output=True, text=True, timeout=TIMEOUT_S, check=False)


def html_to_pdf(html: str) -> bytes:
    """Print an HTML document to PDF (A4, as the page's own @page rule says)."""
    with tempfile.TemporaryDirectory(prefix="careflow-pdf-") as work:
        page, out = Path(work) / "page.html", Path(work) / "page.pdf"
        page.write_text(html, encoding="utf-8")
        done = run([f"--print-to-pdf={out}", "--no-pdf-header-footer"], page)
        if done.returncode != 0 or not out.is_file():
            raise UsageError.said("pdf.failed", detail=done.stderr.strip()[-400:])
        return out.read_bytes()
