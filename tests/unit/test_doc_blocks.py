"""Every fenced block of README.md and docs/*.md either runs or says why not (issue 14: docs
that match the code).

- ```python blocks run as a reader pastes them, one after another, into one interactive
  Python shell per document (code.InteractiveConsole: a blank line ends a block, as at the
  >>> prompt), in a fresh folder holding the repository's examples/;
- ```sh blocks run line by line (a trailing backslash continues a line) and ```console
  blocks run their `$ ` lines, as real subprocesses of bash with the venv's `careflow`
  console script first on PATH, each command's exit code checked; a console block's output
  lines must appear in what its command printed;
- a block that cannot run (a set-up, a server, a session against it, a synopsis, the
  benchmarks) has `<!-- not run: the reason -->` on the line before it, and a document, an
  output or a diagram shown says so by its info string (yaml, json, csv, text, mermaid).
  `test_every_block_runs_or_says_why` lists them all and requires the reason. Those shown
  are still read: every yaml and json block parses, and a block introduced as an example
  file ("(`examples/NAME.yaml`):") holds that file's document.
"""

from __future__ import annotations

import code
import contextlib
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                   re.M | re.S)
NOT_RUN = re.compile(r"^<!-- not run: (?P<reason>.*?) -->[ \t]*$")
RUN = ("python", "sh", "console")
SHOWN = {
    "yaml": "a rule, patient or configuration document shown",
    "json": "a document or an output shown",
    "csv": "a data file shown",
    "text": "an output or a picture in text shown",
    "mermaid": "a diagram",
}
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int  # of the opening fence
    info: str
    body: str
    reason: str | None  # why it does not run, or None: it runs

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def read_blocks(doc: Path) -> list[Block]:
    text = doc.read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        before = text[:m.start()].rstrip("\n").splitlines()
        said = NOT_RUN.match(before[-1]) if before else None
        info = m["info"].strip().split(" ")[0]
        reason = said["reason"].strip() if said else SHOWN.get(info)
        out.append(Block(doc, text.count("\n", 0, m.start()) + 1, info, m["body"], reason))
    return out


def _all_blocks() -> list[Block]:
    return [b for doc in DOCS for b in read_blocks(doc)]


def _runnable(doc: Path, kinds: tuple[str, ...]) -> list[Block]:
    return [b for b in read_blocks(doc) if b.reason is None and b.info in kinds]


def test_every_block_runs_or_says_why() -> None:
    blocks = _all_blocks()
    bad = [f"{b.where}: ```{b.info or '(no info string)'} neither runs nor says why not"
           for b in blocks if b.reason is None and b.info not in RUN]
    bad += [f"{b.where}: an empty reason" for b in blocks
            if b.reason is not None and len(b.reason.split()) < 2]
    comments = sum(len(re.findall(r"<!-- not run:", d.read_text("utf-8"))) for d in DOCS)
    marked = [b for b in blocks if b.reason is not None and b.reason not in SHOWN.values()]
    if comments != len(marked):
        bad.append(f"{comments} not-run comments but {len(marked)} blocks right after one")
    not_run = "\n".join(f"  {b.where} ```{b.info}: {b.reason}" for b in blocks if b.reason)
    assert not bad, "\n".join(bad) + "\nnot run:\n" + not_run
    ran = [b for b in blocks if b.reason is None]
    assert len(ran) >= 10 and {b.info for b in ran} == set(RUN), (ran, not_run)


def test_the_block_reader_sees_a_reason_and_a_missing_one(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("<!-- not run: a server that runs until stopped -->\n```sh\ncareflow serve\n"
                   "```\n\n```\nplain\n```\n\n```json\n{}\n```\n", encoding="utf-8")
    one, two, three = read_blocks(doc)
    assert one.reason == "a server that runs until stopped" and one.info == "sh"
    assert two.reason is None and two.info == ""  # refused by the test above
    assert three.reason == SHOWN["json"]


def test_every_document_shown_parses_and_an_example_shown_is_that_file() -> None:
    bad, examples = [], 0
    for b in _all_blocks():
        if b.info not in ("yaml", "json"):
            continue
        try:
            data = json.loads(b.body) if b.info == "json" else yaml.safe_load(b.body)
        except (ValueError, yaml.YAMLError) as exc:
            bad.append(f"{b.where}: {b.info} that does not parse: {exc}")
            continue
        before = [line for line in b.doc.read_text("utf-8").splitlines()[:b.line - 1] if line]
        named = re.search(r"\(`(examples/[a-z0-9-]+\.yaml)`\):$", before[-1])
        if named:
            examples += 1
            if data != yaml.safe_load((ROOT / named[1]).read_text(encoding="utf-8")):
                bad.append(f"{b.where}: not the document of {named[1]}")
    assert not bad, "\n".join(bad)
    assert examples >= 1


class _Shell(code.InteractiveConsole):
    """An interactive shell that records every error instead of only printing it."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []

    def showtraceback(self) -> None:
        self.errors.append(repr(sys.exc_info()[1]))
        super().showtraceback()

    def showsyntaxerror(self, filename: str | None = None, **kwargs: object) -> None:
        self.errors.append(repr(sys.exc_info()[1]))
        super().showsyntaxerror(filename)


def _folder(tmp_path: Path) -> Path:
    os.symlink(ROOT / "examples", tmp_path / "examples")
    return tmp_path


PY_DOCS = [d for d in DOCS if _runnable(d, ("python",))]


@pytest.mark.parametrize("doc", PY_DOCS, ids=[d.name for d in PY_DOCS])
def test_the_python_blocks_paste_into_a_shell(doc: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_folder(tmp_path))  # the blocks write plan.json: not into the repository
    shell = _Shell()
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(err):
        for block in _runnable(doc, ("python",)):
            more = False
            for line in block.body.splitlines():
                more = shell.push(line)
            if more:
                shell.push("")
            if shell.errors:
                break
    assert not shell.errors, f"{block.where}: {shell.errors}\n{err.getvalue()[-3000:]}"
    if doc.name == "README.md":
        assert "sha256:" in out.getvalue()  # the quickstart printed the protocol digest
        assert (tmp_path / "plan.json").is_file()


def commands(block: Block) -> list[tuple[str, list[str]]]:
    """A shell block's commands, each with the output lines shown after it (console)."""
    out: list[tuple[str, list[str]]] = []
    lines = iter(block.body.splitlines())
    for line in lines:
        if block.info == "console" and not line.startswith("$ "):
            if out and line.strip():
                out[-1][1].append(line.strip())
            continue
        command = line[2:] if block.info == "console" else line
        while command.endswith("\\"):
            command = command[:-1] + " " + next(lines).strip()
        if command.strip():
            out.append((command, []))
    return out


def test_commands_reads_continued_lines_and_console_output(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("```console\n$ careflow book \\\n    --out book/\nbook/a.md\n```\n\n"
                   "```sh\ncareflow schema plan   # the plan\n\ncareflow schema patient\n```\n",
                   encoding="utf-8")
    console, sh = read_blocks(doc)
    assert commands(console) == [("careflow book  --out book/", ["book/a.md"])]
    assert [c for c, _ in commands(sh)] == ["careflow schema plan   # the plan",
                                           "careflow schema patient"]


SH_DOCS = [d for d in DOCS if _runnable(d, ("sh", "console"))]


@pytest.mark.parametrize("doc", SH_DOCS, ids=[d.name for d in SH_DOCS])
def test_the_shell_blocks_run(doc: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "COLUMNS": "100"}
    assert (BIN / "careflow").is_file(), "the venv has no careflow console script"
    folder = _folder(tmp_path)
    for block in _runnable(doc, ("sh", "console")):
        steps = commands(block)
        assert any(c.lstrip().startswith("careflow ") for c, _ in steps), (
            f"{block.where}: runs no careflow command: mark it <!-- not run: why -->")
        for command, shown in steps:
            done = subprocess.run(["bash", "-c", command], cwd=folder, env=env,
                                  capture_output=True, text=True, timeout=300, check=False)
            assert done.returncode == 0, (f"{block.where}: `{command}` exited "
                                          f"{done.returncode}\n{done.stderr[-3000:]}")
            missing = [s for s in shown if s not in done.stdout + done.stderr]
            assert not missing, f"{block.where}: `{command}` did not print {missing}"
