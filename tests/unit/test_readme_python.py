"""The README's Python blocks run as a reader pastes them, one after another, into one
interactive Python shell (code.InteractiveConsole: a blank line ends a block, as at the >>>
prompt), from the repository's folder (issue 14, item 6)."""

from __future__ import annotations

import code
import contextlib
import io
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_python_blocks_paste_into_a_shell(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), re.S)
    assert len(blocks) >= 3
    for name in ("examples",):
        os.symlink(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)  # the blocks write plan.json: not into the repository
    console = code.InteractiveConsole()
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(err):
        for block in blocks:
            more = False
            for line in block.splitlines():
                more = console.push(line)
            if more:
                console.push("")
    assert "Traceback" not in err.getvalue(), err.getvalue()
    assert "sha256:" in out.getvalue()  # the quickstart printed the protocol digest
    assert (tmp_path / "plan.json").is_file()
