"""The `careflow` command. Exit codes: 0 ok; 1 `check` found problems; 2 bad input (the
patient file or the command line); 3 the rule set does not load; 4 the engine failed."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

from .errors import EngineError, InputError, MissingExtra, RulebookError

try:
    import typer
except ImportError as exc:  # a core-only install: say which extra the command needs
    raise SystemExit(f"careflow: {MissingExtra('cli', exc)}") from None

from .evaluate import evaluate
from .export import text
from .model import Patient, read_patient
from .plan import Plan
from .rulebook import Rulebook, default_rulebook, load_rulebook

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                  help="careflow: a justified treatment plan for knee pain and leg veins.")


def _version(value: bool) -> None:
    if value:
        from ._version import __version__

        typer.echo(f"careflow {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="print careflow's version and exit")] = False) -> None:
    """careflow: a justified treatment plan for knee pain and leg veins."""


class Format(str, Enum):
    text = "text"
    json = "json"
    fhir = "fhir"
    cds_hooks = "cds-hooks"
    html = "html"
    pdf = "pdf"
    patient = "patient"


class Lang(str, Enum):
    en = "en"
    ja = "ja"


def _fail(code: int, lines: list[str]) -> NoReturn:
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(code)


RulesOpt = Annotated[Path | None, typer.Option(
    "--rules", help="a rules folder instead of the shipped one")]
ParamsOpt = Annotated[Path | None, typer.Option(
    "--params", help="a parameters file that overrides the rule set's thresholds")]


class From(str, Enum):
    patient = "patient"
    fhir = "fhir"


FromOpt = Annotated[From, typer.Option(
    "--from", help="the input: a patient document (YAML or JSON) or a FHIR R4 Bundle (JSON, "
                   "docs/fhir-in.md)")]


def _evaluate(file: Path, rules: Path | None, params: Path | None,
              source: From = From.patient, lang: str = "en") -> tuple[Patient, Rulebook, Plan]:
    """Read the patient, load the rules and evaluate; every failure exits with its code (2
    bad input, 3 the rules do not load, 4 the engine failed), naming the field or the line
    (the bad-input sentences in Japanese for `--lang ja`, the field paths as they are).
    From a FHIR bundle, the plan carries the mapping report (docs/fhir-in.md#report)."""
    try:
        mapping = None
        if source is From.fhir:
            from .fhir_in import read_bundle

            mapping = read_bundle(file)
            patient = mapping.patient
        else:
            patient = read_patient(file)
        book = load_rulebook(rules, params) if (rules or params) else default_rulebook()
        result = evaluate(patient, book)
        if mapping is not None:
            from .provenance import attach

            result = attach(result, mapping.report)
        return patient, book, result
    except InputError as exc:
        from .export.problems_ja import problems_in

        _fail(2, [f"{exc.source or file}: {p}" for p in problems_in(exc.problems, lang)])
    except RulebookError as exc:
        _fail(3, [str(d) for d in exc.diagnostics])
    except EngineError as exc:
        _fail(4, [f"engine error: {exc}"])


class Side(str, Enum):
    right = "right"
    left = "left"


@app.command()
def plan(
    file: Annotated[Path, typer.Argument(
        help="patient document, YAML or JSON (a FHIR R4 Bundle with --from fhir)")],
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.text,
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.en,
    rules: RulesOpt = None,
    params: ParamsOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="write to this file (required for --format pdf)")] = None,
    source: FromOpt = From.patient,
    why_not: Annotated[str | None, typer.Option(
        "--why-not", metavar="ACTION",
        help="what would make this item recommended or an option: the smallest change of "
             "the actionable facts (needs z3-solver; docs/why-not.md); 'considered' fills "
             "every considered entry of the plan")] = None,
    side: Annotated[Side | None, typer.Option(
        "--side", help="the leg of the --why-not item (the only leg when there is one)")
    ] = None,
) -> None:
    """Print the justified plan for one patient (html and pdf: the doctor's one-page plan)."""
    if format is Format.pdf and out is None:
        from .export.problems_ja import refuse

        _fail(2, [refuse("cli.pdf_needs_out", lang.value)])
        return
    if why_not is None and side is not None:
        _fail(2, ["--side names the leg of a --why-not item: give --why-not ACTION"])
        return
    if why_not not in (None, "considered") and format not in (Format.text, Format.json):
        _fail(2, ["--why-not ACTION prints text or json: give --format text or --format json "
                  "(or --why-not considered for the whole plan)"])
        return
    if why_not == "considered" and side is not None:
        _fail(2, ["--why-not considered fills every entry: give no --side"])
        return
    patient, book, result = _evaluate(file, rules, params, source, lang.value)
    if why_not == "considered":  # the whole plan, each considered entry's answer filled
        result = _filled(patient, book, result, rules)
    elif why_not is not None:
        _why_not(patient, book, result, why_not, side.value if side else None,
                 rules, format, lang.value, out)
        return
    if format is Format.pdf:
        from .errors import UsageError
        from .export.chromium import html_to_pdf
        from .export.page import to_html
        from .export.problems_ja import said_in

        try:
            data = html_to_pdf(to_html(result, lang.value))
        except UsageError as exc:
            _fail(2, [said_in(exc, lang.value)])
            return
        assert out is not None
        out.write_bytes(data)
        return
    if format is Format.text and sys.stdout.isatty() and out is None:
        from .export import rich_text

        rich_text.render(result, lang.value)  # colour in a terminal; plain text otherwise
        return
    rendered = _render(result, format, lang.value)
    if out is not None:
        out.write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered)


def _filled(patient: Patient, book: Rulebook, result: Plan, rules: Path | None) -> Plan:
    """The plan with each considered entry's `would_make_available` filled."""
    try:
        from .prove.whynot import fill
    except ImportError as exc:
        _fail(2, [str(MissingExtra("prove", exc))])
    try:
        return fill(patient, result, book, rules)
    except RulebookError as exc:
        _fail(3, [str(d) for d in exc.diagnostics])


def _why_not(patient: Patient, book: Rulebook, result: Plan, action: str, side: str | None,
             rules: Path | None, format: Format, lang: str, out: Path | None) -> None:
    """`careflow plan --why-not ACTION`: the answer in words (or JSON); exit 0, 1 when the
    engine does not confirm the solver (a bug in one of them), 2 an unknown action or side,
    3 actionable.yaml does not load."""
    try:
        from .prove.whynot import answer_json, solver_for
    except ImportError as exc:
        _fail(2, [str(MissingExtra("prove", exc))])
        return
    from .errors import UsageError
    from .export.words import why_not_text

    try:
        solver = solver_for(book, rules)
        answer = solver.answer(patient, action, side, result)
    except UsageError as exc:
        _fail(2, [str(exc)])
        return
    except RulebookError as exc:
        _fail(3, [str(d) for d in exc.diagnostics])
        return
    rendered = answer_json(answer, book) if format is Format.json \
        else why_not_text(answer, lang, book) + "\n"
    if out is not None:
        out.write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered)
    if answer.error:
        raise typer.Exit(1)


def _render(result: Plan, format: Format, lang: str) -> str:
    if format is Format.json:
        return result.to_json()
    if format is Format.fhir:
        from .export.fhir import to_fhir_json

        return to_fhir_json(result, lang)
    if format is Format.cds_hooks:
        from .export.cds_hooks import to_cards_json

        return to_cards_json(result, lang)
    if format is Format.html:
        from .export.page import to_html

        return to_html(result, lang)
    if format is Format.patient:
        from .export.leaflet import to_html as leaflet

        return leaflet(result, lang)
    return text.render(result, lang)


class SelfPay(str, Enum):
    intra_arterial_injection = "intra_arterial_injection"
    exosome_injection = "exosome_injection"
    medical_diet = "medical_diet"


@app.command()
def consent(
    file: Annotated[Path, typer.Argument(help="patient document, YAML or JSON")],
    item: Annotated[SelfPay, typer.Option("--item", help="the self-pay treatment")],
    prices: Annotated[Path | None, typer.Option(
        "--prices", help="the clinic's price list (YAML): required")] = None,
    side: Annotated[Side | None, typer.Option(
        "--side", help="the leg, when the plan offers the item on both")] = None,
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.ja,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="write here; a name ending .pdf prints a PDF")] = None,
    rules: RulesOpt = None,
    params: ParamsOpt = None,
) -> None:
    """The self-pay explanation and consent (自由診療 説明書・同意書) for an offered item; every
    refusal exits 2 and is said in the --lang language."""
    from .export.consent import ConsentError, read_prices, to_html
    from .export.problems_ja import refuse, said_in
    from .export.words import colon

    if prices is None:
        _fail(2, [refuse("cli.no_prices", lang.value)])
        return
    patient, book, result = _evaluate(file, rules, params, lang=lang.value)
    try:
        html = to_html(result, book, item.value, read_prices(prices), lang.value,
                       side.value if side else None, patient.history)
    except ConsentError as exc:
        said = said_in(exc, lang.value)
        if (exc.key or "").startswith("prices.") and "path" not in exc.fields:
            said = f"{prices}{colon(lang.value)}{said}"  # which price list
        _fail(2, [said])
        return
    if out is not None and out.suffix.lower() == ".pdf":
        from .errors import UsageError
        from .export.chromium import html_to_pdf

        try:
            out.write_bytes(html_to_pdf(html))
        except UsageError as exc:
            _fail(2, [said_in(exc, lang.value)])
        return
    if out is not None:
        out.write_text(html, encoding="utf-8")
    else:
        sys.stdout.write(html)


@app.command()
def check(
    rules_dir: Annotated[Path | None, typer.Argument(
        help="rules folder (default: the shipped rules)")] = None,
    params: ParamsOpt = None,
    features: Annotated[Path | None, typer.Option(
        help="features folder whose scenario tags must cover every rule")] = None,
    deep: Annotated[bool, typer.Option(
        "--deep", help="also prove: dead rules, shadowed claims, gaps, equal-precedence "
                       "conflicts (needs z3-solver; docs/prove.md)")] = False,
) -> None:
    """Validate a rule set (every problem, with file:line) and its feature coverage."""
    try:
        book = load_rulebook(rules_dir, params)
    except RulebookError as exc:
        _fail(1, [str(d) for d in exc.diagnostics])
        return
    from .coverage import uncovered
    from .prove import property_problems
    from .prove.actionable import actionable_problems

    problems = uncovered(book, features) + [str(d) for d in property_problems(book, rules_dir)]
    problems += [str(d) for d in actionable_problems(rules_dir)]
    if deep:
        try:
            from .prove.analysis import blocking, deep_check
        except ImportError as exc:
            _fail(2, [f"careflow check --deep needs z3-solver: pip install -e \".[prove]\" "
                      f"({exc})"])
            return
        found = deep_check(book)
        for d in found:
            if not blocking(d):
                typer.echo(f"{d} (note)", err=True)
        problems += [str(d) for d in found if blocking(d)]
    if problems:
        _fail(1, problems)
        return
    typer.echo(f"ok: {len(book.rules)} rules, {book.name} {book.version}, {book.digest}")


class ProveFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def prove(
    rules_dir: Annotated[Path | None, typer.Argument(
        help="rules folder with its properties.yaml (default: the shipped rules)")] = None,
    params: ParamsOpt = None,
    property: Annotated[list[str] | None, typer.Option(
        "--property", help="prove only this property (repeatable)")] = None,
    format: Annotated[ProveFormat, typer.Option("--format", "-f")] = ProveFormat.text,
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.ja,
) -> None:
    """Prove the safety properties for every patient (docs/prove.md); exit 1 with a
    counterexample patient and scenario when one fails, 3 when the rules do not load."""
    try:
        from .prove import run
    except ImportError as exc:
        _fail(2, [str(MissingExtra("prove", exc))])
        return
    raise typer.Exit(run(rules_dir, params, property or [], format.value, lang.value,
                         sys.stdout.write, _fail))


@app.command()
def impact(
    old: Annotated[Path, typer.Argument(
        metavar="OLD", help="the rules before: a rules folder, or a parameters file over the "
                            "shipped rules")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="the rules after (the same)")],
    population: Annotated[Path | None, typer.Option(
        "--population", help="patients (JSON Lines or CSV, as careflow batch reads them): "
                             "who is affected, and why")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="folder for impact.json and impact.html")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", min=0, help="worker processes (default: one per CPU)")] = None,
    check_all: Annotated[bool, typer.Option(
        "--check-all", help="evaluate every patient, not only those inside the region")
    ] = False,
    progress: Annotated[bool | None, typer.Option(
        "--progress/--no-progress", help="progress bar on stderr (default: if a terminal)")
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.ja,
) -> None:
    """Where two rule sets give different plans, for every patient (docs/impact.md); exit 1
    when some plan differs, 0 when none does."""
    try:
        from .prove.impact_cmd import run
    except ImportError as exc:
        _fail(2, [str(MissingExtra("prove", exc))])
        return
    raise typer.Exit(run(old, new, population, out, workers, check_all, progress, lang.value,
                         sys.stdout.write, _fail))


class SchemaName(str, Enum):
    patient = "patient"
    plan = "plan"


@app.command()
def schema(
    name: Annotated[SchemaName, typer.Argument(help="patient (the input) or plan (the output)")],
) -> None:
    """Print the JSON Schema (draft 2020-12) of the patient document or of the plan."""
    from .export.schema import schema_json

    sys.stdout.write(schema_json(name.value))


@app.command()
def book(
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.en,
    out: Annotated[Path, typer.Option(
        "--out", help="folder for protocol.<lang>.md and protocol.<lang>.html")] = Path("book"),
    rules: RulesOpt = None,
    params: ParamsOpt = None,
    features: Annotated[Path | None, typer.Option(
        help="features folder whose scenarios specify the rules (default: the shipped one)")
    ] = None,
) -> None:
    """Write the protocol book (Markdown and HTML) from the rules and the feature files."""
    from .export.book import build_book

    if features is not None and not features.is_dir():
        _fail(2, [f"{features}: not a folder of feature files"])
        return
    if out.exists() and not out.is_dir():
        _fail(2, [f"{out}: exists and is not a folder"])
        return
    try:
        rulebook = load_rulebook(rules, params) if (rules or params) else None
    except RulebookError as exc:
        _fail(3, [str(d) for d in exc.diagnostics])
        return
    result = build_book(rulebook, features, lang.value)
    try:
        written = result.write(out)
    except OSError as exc:
        _fail(2, [f"{out}: cannot write ({exc.strerror})"])
        return
    for path in written:
        typer.echo(str(path))


@app.command()
def batch(
    infile: Annotated[Path, typer.Argument(
        metavar="IN", help="patients: JSON Lines (one document a line), or .csv of flat "
                           "patients (dotted column names)")],
    outfile: Annotated[Path, typer.Argument(
        metavar="OUT", help="JSON Lines: one plan or error record per record, in input order")],
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", min=0, help="worker processes (default: one per CPU; 0: no pool)")
    ] = None,
    fail_fast: Annotated[bool, typer.Option(
        "--fail-fast", help="stop at the first bad record (exit 2)")] = False,
    resume: Annotated[bool, typer.Option(
        "--resume", help="keep OUT's complete lines, skip their records, append the rest")
    ] = False,
    progress: Annotated[bool | None, typer.Option(
        "--progress/--no-progress", help="progress bar on stderr (default: if a terminal)")
    ] = None,
    rules: RulesOpt = None,
    params: ParamsOpt = None,
) -> None:
    """Plans for a whole population, on every core, in input order (docs/batch.md).

    Exit codes: 0 every record has a plan;
    2 some records were bad (error records in OUT name their lines) or --fail-fast stopped;
    3 the rule set does not load;
    4 the engine failed on some record, or a worker died (rerun with --resume)."""
    from .batch import run_files

    code = run_files(infile, outfile, workers, fail_fast, resume, progress, rules, params,
                     echo=lambda line: typer.echo(line, err=True))
    raise typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(
        "--host", help="address to listen on (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(
        "--port", help="port to listen on (default 8080)")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="the service settings (YAML): issuers, CORS, workers, audit db")
    ] = None,
    dev_no_auth: Annotated[bool, typer.Option(
        "--dev-no-auth", help="development only: accept calls without a JWT")] = False,
) -> None:
    """Run the CDS Hooks 2.0 service (docs/service.md; needs the service extra)."""
    try:
        from .service.main import serve as run
    except ImportError as exc:
        _fail(2, [str(MissingExtra("service", exc))])
        return
    raise typer.Exit(run(config, host, port, dev_no_auth,
                         echo=lambda line: typer.echo(line, err=True)))


@app.command()
def audit(
    db: Annotated[str, typer.Argument(
        help="the service's audit database: a file or a postgresql:// URL")
    ] = "careflow-audit.sqlite3",
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table")] = False,
) -> None:
    """Which rules doctors override most, with their reasons (the service's audit trail)."""
    from .service.main import audit as run

    raise typer.Exit(run(db, as_json, echo=lambda line: typer.echo(line, err=True)))


def _by_ctrl_c(exc: BaseException) -> bool:
    """typer turns a Ctrl-C inside a command into a silent exit 130: was this exit that?"""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # Ctrl-C outside a command's own handling: no traceback
        typer.echo("careflow: interrupted", err=True)
        raise SystemExit(130) from None
    except SystemExit as done:  # Ctrl-C inside a command: the same one line
        if done.code == 130 and _by_ctrl_c(done):
            typer.echo("careflow: interrupted", err=True)
        raise


if __name__ == "__main__":
    main()
