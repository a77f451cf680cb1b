"""The `careflow` command's entry point: Ctrl-C from the first moment ends with one line.

Importing careflow takes a second or more (the rule book, pydantic's models, the engine),
and until careflow.cli.main runs, Python's own SIGINT handler would end an early Ctrl-C with
a KeyboardInterrupt traceback. This module is outside the package on purpose: importing
anything under careflow/ runs careflow/__init__.py first, which is the slow part. Its first
statement installs a handler that ends the process with exit code 130 and one line; once
careflow.cli is imported, Python's handler is back and careflow.cli.main handles Ctrl-C
itself (docs/engine.md#interrupts).
"""

# No `from __future__ import`: it imports the __future__ module, Python code a Ctrl-C can land
# in. `_signal` is built into the interpreter: importing it runs no Python code, so no Ctrl-C can
# land inside it (the `signal` module builds its enums in Python, long enough to be hit)
import _signal  # type: ignore[import-not-found]  # a built-in module typeshed has no stub for
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType


def _interrupted(signum: int, frame: "FrameType | None") -> None:
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)  # a second Ctrl-C adds no second line
    sys.stderr.write("careflow: interrupted\n")
    raise SystemExit(130)


_signal.signal(_signal.SIGINT, _interrupted)


def main() -> None:
    """`careflow ...`: the heavy imports under the early handler, then the command line."""
    from careflow.cli import main as run

    try:
        _signal.signal(_signal.SIGINT, _signal.default_int_handler)
        run()
    except KeyboardInterrupt:  # between restoring the handler and cli.main's own one
        sys.stderr.write("careflow: interrupted\n")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
