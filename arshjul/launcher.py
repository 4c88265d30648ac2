"""The ``arshjul`` console script: ``run`` and ``watch`` handed to a warm process when one waits.

A fresh ``arshjul watch`` spends about 3 s of CPU importing Prefect, SQLAlchemy,
the models and the flows before it does anything (bench/cli_speed.md), which
alone breaks the targets of 2 s for the watch and 3 s for a stage run. So
``arshjul server start`` also starts a warm process (``python -m
arshjul.launcher --warm``) that has imported all of that once and listens on a
Unix socket beside the server's files in ``PREFECT_HOME``. For ``run`` and
``watch`` this script sends it the arguments, the working folder and the
environment, and its own standard input, output and error as file descriptors;
the warm process forks, and the child runs the command exactly as this process
would have, on this terminal, with this environment. The exit code comes back.

Anything else, and everything when no warm process answers, runs here as
before (:func:`arshjul.cli.main`). The warm process ends by itself when the
Prefect server it belongs to stops. This module imports only the standard
library and :mod:`arshjul.runtime` at the top: it runs before every command.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from arshjul.runtime import process_alive, read_local_server, warm_socket

# The commands that run a flow: the ones the imports make slow.
WARM_COMMANDS = frozenset({"run", "watch"})
_LENGTH = struct.Struct("!I")
# The child's answer "not mine": no Prefect server to run against (it stopped a moment
# ago). The command then runs in its own process, which starts a temporary server.
_NOT_TAKEN = 254
_INTERRUPT = b"\x01"
# How often the warm process looks whether its Prefect server still runs.
_SERVER_CHECK_SECONDS = 2.0


def main() -> None:
    """The console script."""
    arguments = sys.argv[1:]
    if arguments and arguments[0] in WARM_COMMANDS:
        code = _through_warm_process(arguments)
        if code is not None:
            sys.exit(code)
    # Deferred: typer and every command module, which the warm path does without.
    from arshjul.cli import main as command_line

    command_line()


# ------------------------------------------------------------------- the client side
def _through_warm_process(arguments: list[str]) -> int | None:
    """The command's exit code from the warm process, or None when none takes it."""
    path = warm_socket()
    server = read_local_server()
    # The server's process gone: its warm process is on its way out too.
    if not path.exists() or server is None or not process_alive(server.pid):
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(path))
        request = json.dumps(
            {"argv": arguments, "cwd": os.getcwd(), "env": dict(os.environ)}
        ).encode()
        # The length with the three descriptors, then the request itself.
        socket.send_fds(connection, [_LENGTH.pack(len(request))], [0, 1, 2])
        connection.sendall(request)
    except OSError:
        connection.close()
        return None  # a socket left behind by a process that is gone: run it here
    # Ctrl-C reaches this process only (the terminal's foreground group): pass it on.
    previous = signal.signal(signal.SIGINT, lambda *_: _send_quietly(connection, _INTERRUPT))
    try:
        answer = _receive_exactly(connection, _LENGTH.size)
    finally:
        signal.signal(signal.SIGINT, previous)
        connection.close()
    if answer is None:
        print(
            "Fel: den varma processen från arshjul server start avslutades mitt i kommandot; "
            "kör det igen (varje skede och bevakningen tål att köras om).",
            file=sys.stderr,
        )
        return 1
    code = int(_LENGTH.unpack(answer)[0])
    return None if code == _NOT_TAKEN else code


def _send_quietly(connection: socket.socket, data: bytes) -> None:
    with contextlib.suppress(OSError):
        connection.sendall(data)


def _receive_exactly(connection: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        try:
            chunk = connection.recv(size - len(data))
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return data


# ------------------------------------------------------------------- the warm process
def serve_warm() -> None:
    """Import everything once, then fork a child per command until the server stops."""
    server = read_local_server()
    if server is None:
        print("Ingen Prefect-server från arshjul server start; den varma processen avslutas.")
        return
    from arshjul.runtime import prepare_prefect

    prepare_prefect()  # the local server's address, before Prefect is imported
    _import_what_commands_use()

    path = warm_socket(server.home)
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    os.chmod(path, 0o600)  # the user's own commands only: they carry the environment
    listener.listen(16)
    threading.Thread(target=_end_with_the_server, args=(server.pid, path), daemon=True).start()
    print(f"Den varma processen lyssnar på {path} (pid {os.getpid()}).", flush=True)
    while True:
        connection, _ = listener.accept()
        try:
            request, descriptors = _read_request(connection)
        except (OSError, ValueError):
            connection.close()
            continue
        # Forked from this thread, which holds no lock: the child is this process as it
        # was between two commands.
        child = os.fork()
        if child == 0:
            listener.close()
            _run_in_child(connection, request, descriptors)  # never returns
        for descriptor in descriptors:
            os.close(descriptor)
        print(
            f"{time.strftime('%Y-%m-%d %H:%M:%S')} process {child}: arshjul "
            f"{' '.join(request['argv'])} i {request['cwd']}",
            flush=True,
        )
        threading.Thread(target=_relay, args=(connection, child), daemon=True).start()


# Imported lazily by Prefect or by the libraries while a flow runs (measured: a watch
# and a tertial run in one process loaded 849 more modules, 2.3 s of its 4.5 s).
_ALSO_IMPORTED = (
    "prefect.flow_engine",
    "prefect.task_engine",
    "prefect.artifacts",
    "prefect.utilities.visualization",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql",
    "sqlite3",
    "anyio._backends._asyncio",
)
# Not imported: the migrations' env.py runs Alembic when imported, __main__ runs a command.
_NOT_IMPORTED = ("arshjul.migrations", "arshjul.__main__", "arshjul.launcher")


def _import_what_commands_use() -> None:
    """Every module of the package, the lazily imported ones above, and the holiday tables."""
    import datetime as dt
    import importlib
    import pkgutil

    import arshjul

    for module in pkgutil.walk_packages(arshjul.__path__, "arshjul."):
        if not module.name.startswith(_NOT_IMPORTED):
            importlib.import_module(module.name)
    for name in _ALSO_IMPORTED:
        importlib.import_module(name)
    from arshjul.calendar.workdays import WORKING_DAYS

    # The holidays package loads its tables on first use (278 modules).
    WORKING_DAYS.is_working_day(dt.date.today())


def _read_request(connection: socket.socket) -> tuple[dict[str, Any], list[int]]:
    message, descriptors, _, _ = socket.recv_fds(connection, _LENGTH.size, 3)
    if len(message) != _LENGTH.size or len(descriptors) != 3:
        for descriptor in descriptors:
            os.close(descriptor)
        raise ValueError("ofullständig begäran")
    (length,) = _LENGTH.unpack(message)
    body = _receive_exactly(connection, length)
    if body is None:
        raise ValueError("avbruten begäran")
    return json.loads(body), descriptors


def _relay(connection: socket.socket, child: int) -> None:
    """Pass Ctrl-C on to the child, and its exit code back when it ends."""

    def interrupts() -> None:
        while True:
            try:
                data = connection.recv(1)
            except OSError:
                return
            if not data:
                return
            if data == _INTERRUPT:
                try:
                    os.kill(child, signal.SIGINT)
                except ProcessLookupError:
                    return

    threading.Thread(target=interrupts, daemon=True).start()
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    _send_quietly(connection, _LENGTH.pack(code if code >= 0 else 128 - code))
    connection.close()


def _run_in_child(connection: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
    """The command, as the client's own process would have run it; then exit with its code."""
    code = 1
    try:
        for target, descriptor in enumerate(fds):
            os.dup2(descriptor, target)
            os.close(descriptor)
        connection.close()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["arshjul", *request["argv"]]
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
        sys.stderr.reconfigure(line_buffering=True)  # type: ignore[union-attr]
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if not _as_a_fresh_process():
            code = _NOT_TAKEN
            return
        from arshjul.cli import main as command_line

        command_line()
        code = 0
    except SystemExit as exit_:
        if isinstance(exit_.code, int):
            code = exit_.code
        elif exit_.code is None:
            code = 0
        else:
            print(exit_.code, file=sys.stderr)
    except KeyboardInterrupt:
        code = 130
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            # What a process's own exit would do: Prefect sends its last log lines to
            # the server, the libraries close what they opened.
            if code != _NOT_TAKEN:
                atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _as_a_fresh_process() -> bool:
    """Read the settings again from the command's environment, as a new process would;
    False when no Prefect server is there to run against.

    Årshjul's own settings are cached per process; Prefect read its settings when the
    warm process imported it, from the warm process's environment. A temporary server
    is no business of a child: its own process starts and stops one properly.
    """
    import prefect.context

    from arshjul.models.db import get_engine
    from arshjul.runtime import configured_api_url, no_telemetry, use_local_server
    from arshjul.settings import get_settings

    get_settings.cache_clear()
    get_engine.cache_clear()
    no_telemetry()
    # The command's own PREFECT_API_URL, when it has one, goes first.
    if use_local_server() is None and configured_api_url() is None:
        return False
    prefect.context.refresh_global_settings_context()
    return True


def _end_with_the_server(pid: int, path: Path) -> None:
    """Stop listening and exit once the Prefect server this process belongs to is gone."""
    while process_alive(pid):
        time.sleep(_SERVER_CHECK_SECONDS)
    path.unlink(missing_ok=True)
    os._exit(0)


if __name__ == "__main__":
    if sys.argv[1:] == ["--warm"]:
        serve_warm()
    else:
        main()
