"""Reading a rules folder's special files (properties.yaml, actionable.yaml): the document and
its one top-level list, or file:line diagnostics (RulebookError). No solver needed: `careflow
check` reads them too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import Diagnostic, RulebookError
from ..yamlsrc import Marked, YamlSourceError, load_rule_yaml


def read_special(path: Path, file: str, key: str, code: str, *, what: str,
                 missing: str) -> tuple[Marked, list[Any]]:
    """The document at `path` (named `file` in diagnostics) and its `key` list; CF001 when it
    cannot be read (`what` says what: "the properties") or is not YAML, `code` with the
    message `missing` when it has no such list."""
    try:
        data = load_rule_yaml(path.read_bytes())
    except OSError as exc:
        raise RulebookError([Diagnostic(file, 0, 0, "CF001",
                                        f"cannot read {what} ({exc.strerror})")]) from None
    except YamlSourceError as exc:
        raise RulebookError([Diagnostic(file, exc.line, exc.column, "CF001",
                                        str(exc).split(": ", 1)[-1])]) from None
    body = data.get(key) if isinstance(data, Marked) else None
    if not isinstance(data, Marked) or not isinstance(body, list):
        raise RulebookError([Diagnostic(file, 1, 1, code, missing)])
    return data, body
