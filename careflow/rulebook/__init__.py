"""Load a rules folder, validate the whole set, compile it: `load_rulebook()`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, RulebookError
from ..yamlsrc import YamlSourceError, load_yaml, plain
from .compile import CompiledRule, Rulebook, compile_ruleset
from .parse import read_folder

__all__ = ["CompiledRule", "Rulebook", "default_rules_dir", "load_rulebook"]


def default_rules_dir() -> Path:
    """The rules shipped inside the package (a wheel), else the repository's rules/."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "parameters.yaml").is_file():
            return candidate
    raise RulebookError([Diagnostic(str(here / "rules"), 0, 0, "CF002",
                                    "no rules folder found next to the careflow package")])


def _overrides(overrides: dict[str, Any] | str | Path | None) -> dict[str, Any]:
    if overrides is None:
        return {}
    if isinstance(overrides, dict):
        return dict(overrides)
    path = Path(overrides)
    try:
        data = plain(load_yaml(path.read_bytes()))
    except (OSError, YamlSourceError) as exc:
        raise RulebookError([Diagnostic(str(path), getattr(exc, "line", 0), 0, "CF001",
                                        str(exc))]) from None
    params = data.get("parameters", data) if isinstance(data, dict) else None
    if not isinstance(params, dict):
        raise RulebookError([Diagnostic(str(path), 1, 1, "CF002",
                                        "a parameter file is a mapping of name: value")])
    return {k: (v["value"] if isinstance(v, dict) and "value" in v else v)
            for k, v in params.items()}


def load_rulebook(rules_dir: str | Path | None = None,
                  overrides: dict[str, Any] | str | Path | None = None) -> Rulebook:
    """Read, validate (every problem, with file:line) and compile a rule set.

    `overrides` changes parameters without editing rules: a mapping of name -> value, or the
    path of a second parameters file. The protocol digest covers the files and the overrides.
    """
    folder = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    if not folder.is_dir():
        raise RulebookError([Diagnostic(str(folder), 0, 0, "CF002", "not a folder")])
    problems: list[Diagnostic] = []
    rs = read_folder(folder, problems)
    origin = "<overrides>" if overrides is None or isinstance(overrides, dict) \
        else str(overrides)
    book = compile_ruleset(rs, _overrides(overrides), problems, origin)
    if problems or book is None:
        raise RulebookError(problems)
    return book


@lru_cache(maxsize=1)
def default_rulebook() -> Rulebook:
    """The shipped rule set, loaded and compiled once per process."""
    return load_rulebook()
