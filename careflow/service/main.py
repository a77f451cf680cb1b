"""`careflow serve` and `careflow audit`: the command line's two service commands, kept here
so that careflow/cli.py only hands over (docs/service.md#running-it)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CareflowError

if TYPE_CHECKING:
    from .config import ServiceConfig

Echo = Callable[[str], None]


def serve(config_file: Path | None, host: str | None, port: int | None, dev_no_auth: bool,
          echo: Echo) -> int:
    """Run the service until interrupted; the exit code (2: bad settings or no extra)."""
    try:
        import uvicorn

        from .app import create_app
        from .config import load_config
    except ImportError as exc:
        echo(f"careflow serve needs the service extra: pip install 'careflow[service]' "
             f"({exc.name} is missing)")
        return 2
    try:
        config = load_config(config_file, host=host, port=port)
        if not config.issuers and not dev_no_auth:
            echo(f"{config_file or 'settings'}: no issuers are trusted, so every call would "
                 "be refused: list them under issuers:, or use --dev-no-auth to try the "
                 "service without JWT")
            return 2
        if dev_no_auth and not config.fhir_servers and not _loopback(config):
            echo(f"careflow serve --dev-no-auth: {config.public_url} is not loopback, and "
                 "without JWT checks a reachable service must be told which FHIR servers it "
                 "may read: list them under fhir_servers: in the settings (for the CDS "
                 "Hooks sandbox, the sandbox's FHIR server), or serve on 127.0.0.1")
            return 2
        if dev_no_auth:
            echo("careflow serve: DEVELOPMENT MODE, JWTs are NOT checked (--dev-no-auth); "
                 "never use it with patient data")
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        for name in ("httpx", "httpcore"):  # at INFO, httpx logs each URL: it names the patient
            logging.getLogger(name).setLevel(logging.WARNING)
        app = create_app(config, dev_no_auth=dev_no_auth)
    except CareflowError as exc:
        echo(str(exc))
        return 2
    uvicorn.run(app, host=config.host, port=config.port, log_level="info",
                proxy_headers=False, server_header=False)
    return 0


def _loopback(config: ServiceConfig) -> bool:
    """Whether the service listens on loopback only and is called there (base_url)."""
    from .prefetch import is_loopback

    host = f"[{config.host}]" if ":" in config.host else config.host
    return is_loopback(f"http://{host}/") and is_loopback(config.public_url)


def audit(db: str | Path, as_json: bool, echo: Echo) -> int:
    """Print the overrides per rule of an audit database; 2 if there is none."""
    from .audit import summary, summary_text

    try:
        rows = summary(db)
    except CareflowError as exc:
        echo(str(exc))
        return 2
    if as_json:
        sys.stdout.write(json.dumps([{
            "rule": r.rule, "shown": r.shown, "accepted": r.accepted,
            "overridden": r.overridden, "override_rate": round(r.override_rate, 4),
            "reasons": r.reasons} for r in rows], ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(summary_text(rows))
    return 0
