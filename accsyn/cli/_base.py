"""What every ``accsyn`` command shares: the typer apps, consoles, error handling and options.

Commands are registered on :data:`app` / :data:`query_app` by the modules of each
command family (``_workspace``, ``_querytools``, ``_local``); ``_app`` imports them all.
Every command that talks to a workspace takes the same connection options (added by
:func:`connected`); errors become one clear line on stderr (plus the caret view for a
query) and a non-zero exit, never a traceback unless ``--debug``.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

from accsyn import _constants as const
from accsyn._exceptions import AccsynError, QueryValidationError, ValidationError
from accsyn.cli._connect import Connection, NotConfigured

__all__ = [
    "CONNECTION_PANEL",
    "PYTHON_BYPASS",
    "Command",
    "Group",
    "Invalid",
    "State",
    "app",
    "command",
    "connected",
    "fail",
    "handle_errors",
    "hint",
    "offline",
    "query_app",
    "state",
    "stderr",
    "stdout",
    "validating",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Exit status of usage and configuration problems (as click uses for usage errors).
EXIT_USAGE = 2
#: Optional dependencies → the extra that installs them (see pyproject.toml).
EXTRAS = {
    "uvicorn": "server",
    "starlette": "server",
    "socksio": "socks",
    "typer": "cli",
    "rich": "cli",
}
#: The hint every validation error ends with, in CLI terms.
NO_VALIDATE_HINT = (
    "pass --no-validate to send it anyway (a newer server may know names these models do not)"
)


def _flags_as_flags(params: Sequence[Any]) -> None:
    # typer's rich help shows a flag's type (`--json <bool>`), which reads as if the
    # flag took a value (`--json true`, an error). An empty metavar shows just the flag.
    for param in params:
        if getattr(param, "is_flag", False) and getattr(param, "metavar", "") is None:
            param.metavar = ""


_BOOL_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0"})


def _flag_given_a_value(params: Sequence[Any], args: Sequence[str]) -> tuple[str, str] | None:
    """``("--json", "true")`` when the arguments say ``--json true``."""
    flags = {
        name
        for p in params
        if getattr(p, "is_flag", False)
        for name in (*getattr(p, "opts", ()), *getattr(p, "secondary_opts", ()))
    }
    for flag, word in itertools.pairwise(args):
        if flag in flags and word.lower() in _BOOL_WORDS:
            return flag, word
    return None


class Command(TyperCommand):
    """A typer command whose help shows flags as flags (``--json``, not ``--json <bool>``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _flags_as_flags(self.params)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Parse ``args``; ``--json true`` gets an error saying flags take no value."""
        given = list(args)
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:
            misuse = (
                _flag_given_a_value(self.params, given)
                if getattr(exc, "exit_code", None) == EXIT_USAGE
                else None
            )
            if misuse is None:
                raise
            flag, word = misuse
            raise typer.BadParameter(
                f"a flag takes no value: write {flag}, not {flag} {word}",
                ctx=ctx,
                param_hint=repr(flag),
            ) from None

    def get_help_option(self, ctx: Any) -> Any:
        """The ``--help`` option, shown as a flag."""
        option = super().get_help_option(ctx)
        if option is not None:
            _flags_as_flags([option])
        return option


class Group(TyperGroup):
    """A typer group whose help shows flags as flags."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _flags_as_flags(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        """The ``--help`` option, shown as a flag."""
        option = super().get_help_option(ctx)
        if option is not None:
            _flags_as_flags([option])
        return option


app = typer.Typer(
    name="accsyn",
    cls=Group,
    help="Query, check and serve accsyn workspaces from the command line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
query_app = typer.Typer(
    cls=Group,
    help="Check, format and explain query strings (no workspace needed).",
    no_args_is_help=True,
)
app.add_typer(query_app, name="query")

CONNECTION_PANEL = "Connection"


def command(typer_app: typer.Typer, name: str | None = None) -> Callable[[F], F]:
    """Register a command on ``typer_app`` with the CLI's command class."""
    return typer_app.command(name, cls=Command)


def stdout() -> Console:
    """A console on the current stdout."""
    return Console(soft_wrap=True)


def stderr() -> Console:
    """A console on the current stderr."""
    return Console(stderr=True, soft_wrap=True, highlight=False)


@dataclass
class State:
    """Options of the root callback, for every command of one invocation."""

    debug: bool = False


_STATE = State()


def state() -> State:
    """The state the root callback set for this invocation."""
    return _STATE


def set_state(new: State) -> None:
    """Called by the root callback, which typer runs before every command."""
    global _STATE
    _STATE = new


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, const.REDACTED)
    return text


def fail(message: str, *, code: int = 1, secrets: Sequence[str] = ()) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    stderr().print(Text("error: ", style="bold red") + Text(_redact(message, secrets)))
    raise typer.Exit(code)


def hint(message: str) -> None:
    """Print ``hint: message`` on stderr."""
    stderr().print(Text("hint: ", style="bold cyan") + Text(message))


class _StderrHandler(logging.Handler):
    """Writes records to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # a log line must never break the command
            self.handleError(record)


@contextmanager
def _report_on_stderr() -> Iterator[None]:
    """Show the SDK's INFO records (retries with reason and delay) on stderr.

    A command waiting on retries is otherwise silent for seconds; the session logs each
    retry at INFO on the ``accsyn`` logger.
    """
    logger = logging.getLogger(const.LOGGER_NAME)
    handler = _StderrHandler(logging.INFO)
    handler.setFormatter(logging.Formatter("accsyn: %(message)s"))
    previous = logger.level
    if not logger.isEnabledFor(logging.INFO):
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


class Invalid(Exception):
    """A name or value the models reject, raised inside :func:`validating`."""


#: The SDK's own bypass advice, in Python terms: "(… pass validate=False, or
#: Session(validate='off'), …)"; the CLI says --no-validate instead.
PYTHON_BYPASS = re.compile(r"\s*\((?:[^()]|\([^()]*\))*validate=False(?:[^()]|\([^()]*\))*\)")


@contextmanager
def validating() -> Iterator[None]:
    """Mark model validation: its errors end with how to bypass it (``--no-validate``)."""
    try:
        yield
    except (QueryValidationError, ValidationError) as exc:
        message = PYTHON_BYPASS.sub("", str(exc)) or type(exc).__name__
        raise Invalid(message) from exc


def _refuse(message: str, secrets: Sequence[str]) -> NoReturn:
    stderr().print(Text("error: ", style="bold red") + Text(_redact(message, secrets)))
    hint(NO_VALIDATE_HINT)
    raise typer.Exit(1)


@contextmanager
def handle_errors(debug: bool, secrets: Sequence[str] = ()) -> Iterator[None]:
    """Turn exceptions into one ``error:`` line and an exit status."""
    try:
        with _report_on_stderr():
            yield
    except (typer.Exit, typer.Abort):
        raise
    except NotConfigured as exc:
        if debug:
            raise
        fail(str(exc), code=EXIT_USAGE, secrets=secrets)
    except Invalid as exc:
        if debug:
            raise exc.__cause__ or exc from None
        _refuse(str(exc), secrets)
    except (QueryValidationError, ValidationError) as exc:
        # The session's own checks say how to bypass them in Python terms; those
        # get the CLI's bypass. Other argument errors have nothing to bypass.
        if debug:
            raise
        message = str(exc) or type(exc).__name__
        if PYTHON_BYPASS.search(message):
            _refuse(PYTHON_BYPASS.sub("", message), secrets)
        fail(message, secrets=secrets)
    except AccsynError as exc:
        if debug:
            raise
        fail(str(exc) or type(exc).__name__, secrets=secrets)
    except ModuleNotFoundError as exc:
        extra = EXTRAS.get((exc.name or "").split(".")[0])
        if debug or extra is None:
            raise
        fail(
            f"this needs {exc.name}, which is not installed; "
            f"install it with: pip install 'accsyn[{extra}]'"
        )
    except KeyboardInterrupt:
        fail("interrupted", code=130)
    except Exception as exc:
        # Usage errors raised by typer/click keep their own handling (exit status 2).
        if debug or type(exc).__module__.startswith(("typer", "click")):
            raise
        detail = f": {exc}" if str(exc) else ""
        fail(
            f"unexpected {type(exc).__name__}{detail} (run with --debug for the traceback)",
            secrets=secrets,
        )


def _option(name: str, help: str, *, type_: Any = str | None, **kwargs: Any) -> Any:
    flag = "--" + name.replace("_", "-")
    return Annotated[
        type_, typer.Option(flag, help=help, rich_help_panel=CONNECTION_PANEL, **kwargs)
    ]


_CONNECTION_PARAMS: list[tuple[str, Any, Any]] = [
    ("workspace", _option("workspace", "Workspace code (else ACCSYN_WORKSPACE)."), None),
    ("user", _option("user", "API user e-mail (else ACCSYN_API_USER)."), None),
    (
        "api_key",
        _option("api_key", "API key (else ACCSYN_API_KEY). Never printed.", show_default=False),
        None,
    ),
    ("hostname", _option("hostname", "Workspace API host (skips the master lookup)."), None),
    ("port", _option("port", "Workspace API port.", type_=int | None), None),
    (
        "base_url",
        _option("base_url", "Talk to this backend directly, e.g. http://127.0.0.1:8181."),
        None,
    ),
    (
        "proxy",
        _option("proxy", "Proxy, e.g. accsyn:host:port or socks5:host:port (else ACCSYN_PROXY)."),
        None,
    ),
    (
        "env_file",
        _option(
            "env_file",
            "A .env file with ACCSYN_* settings (else ACCSYN_CREDENTIALS_PATH or ./.env).",
        ),
        None,
    ),
    (
        "local",
        _option(
            "local",
            "Use an embedded local workspace seeded with demo data (no account needed).",
            type_=bool,
        ),
        False,
    ),
]
_DEBUG_PARAM = (
    "debug",
    Annotated[bool, typer.Option("--debug", help="Show tracebacks.", hidden=True)],
    False,
)


def connected(fn: F) -> F:
    """Add the connection options to a command; it receives ``conn: Connection``.

    The command also runs inside the CLI's error handling.
    """
    sig = inspect.signature(fn, eval_str=True)
    own = [p for p in sig.parameters.values() if p.name != "conn"]
    names = [name for name, _, _ in _CONNECTION_PARAMS]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=ann)
        for name, ann, default in [*_CONNECTION_PARAMS, _DEBUG_PARAM]
    ]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        conn = Connection(**{name: kwargs.pop(name) for name in names})
        debug = kwargs.pop("debug") or state().debug
        with handle_errors(debug, conn.secrets()):
            return fn(*args, conn=conn, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=[*own, *extra])  # type: ignore[attr-defined]
    hints = {p.name: p.annotation for p in own}
    hints.update({name: ann for name, ann, _ in [*_CONNECTION_PARAMS, _DEBUG_PARAM]})
    wrapper.__annotations__ = hints
    return wrapper  # type: ignore[return-value]


def offline(fn: F) -> F:
    """Run a command that needs no workspace inside the CLI's error handling."""
    sig = inspect.signature(fn, eval_str=True)
    extra = inspect.Parameter(
        "debug", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=_DEBUG_PARAM[1]
    )

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.pop("debug") or state().debug
        with handle_errors(debug):
            return fn(*args, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=[*sig.parameters.values(), extra])  # type: ignore[attr-defined]
    hints = {p.name: p.annotation for p in sig.parameters.values()}
    hints["debug"] = _DEBUG_PARAM[1]
    wrapper.__annotations__ = hints
    return wrapper  # type: ignore[return-value]
