"""The `careflow` command. Exit codes: 0 ok; 1 `check` found problems; 2 bad input (the
patient file or the command line); 3 the rule set does not load; 4 the engine failed."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import EngineError, InputError, RulebookError
from .evaluate import evaluate
from .export import text
from .model import read_patient
from .rulebook import load_rulebook

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                  help="careflow: a justified treatment plan for knee pain and leg veins.")


class Format(str, Enum):
    text = "text"
    json = "json"


class Lang(str, Enum):
    en = "en"
    ja = "ja"


def _fail(code: int, lines: list[str]) -> None:
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(code)


RulesOpt = Annotated[Optional[Path], typer.Option(  # noqa: UP007 - typer needs Optional
    "--rules", help="a rules folder instead of the shipped one")]
ParamsOpt = Annotated[Optional[Path], typer.Option(  # noqa: UP007
    "--params", help="a parameters file that overrides the rule set's thresholds")]


@app.command()
def plan(
    file: Annotated[Path, typer.Argument(help="patient document, YAML or JSON")],
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.text,
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.en,
    rules: RulesOpt = None,
    params: ParamsOpt = None,
) -> None:
    """Print the justified plan for one patient."""
    try:
        patient = read_patient(file)
        book = load_rulebook(rules, params) if (rules or params) else None
        result = evaluate(patient, book)
    except InputError as exc:
        _fail(2, [f"{exc.source or file}: {p}" for p in exc.problems])
        return
    except RulebookError as exc:
        _fail(3, [str(d) for d in exc.diagnostics])
        return
    except EngineError as exc:
        _fail(4, [f"engine error: {exc}"])
        return
    out = result.to_json() if format is Format.json else text.render(result, lang.value)
    sys.stdout.write(out)


@app.command()
def check(
    rules_dir: Annotated[Optional[Path], typer.Argument(  # noqa: UP007
        help="rules folder (default: the shipped rules)")] = None,
    params: ParamsOpt = None,
    features: Annotated[Optional[Path], typer.Option(  # noqa: UP007
        help="features folder whose scenario tags must cover every rule")] = None,
) -> None:
    """Validate a rule set (every problem, with file:line) and its feature coverage."""
    try:
        book = load_rulebook(rules_dir, params)
    except RulebookError as exc:
        _fail(1, [str(d) for d in exc.diagnostics])
        return
    from .coverage import uncovered

    problems = uncovered(book, features)
    if problems:
        _fail(1, problems)
        return
    typer.echo(f"ok: {len(book.rules)} rules, {book.name} {book.version}, {book.digest}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
