"""A throwaway PostgreSQL server for the tests: Debian's postgresql package (scripts/setup.sh installs it), a new
cluster in a temporary folder, reached only through a Unix socket in that folder (no TCP port to clash with anything
else on the machine), stopped and removed at the end of the test session.

initdb refuses to run as root, so as root (CI) the cluster belongs to the `postgres` user the package creates and
its commands run through `runuser -u postgres --`; as anyone else they run as that user.
The server is tuned for tests only (fsync off: a crash of the machine may lose it; it is thrown away anyway), and a
watchdog stops it if the test process dies without stopping it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "postgres"  # the OS user Debian's package creates, and the cluster's superuser
PORT = 5440  # names the socket file only (listen_addresses is empty: no TCP)
START_TIMEOUT = 60  # seconds for initdb and the server to start on a busy machine
TEST_SETTINGS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB "
                 "-c max_connections=200 -c listen_addresses=''")


class ServerUnavailable(RuntimeError):
    """PostgreSQL could not be started here (not installed, or initdb / pg_ctl failed): the message says why."""


@dataclass
class Server:
    folder: Path
    run_as: list[str]
    bin_dir: Path

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def url(self, database: str, *, schema: str | None = None) -> str:
        """A postgresql:// URL for `database` over the socket (and with `schema` as its search_path)."""
        url = f"postgresql://{SERVER_USER}@/{database}?host={self.socket_dir}&port={PORT}"
        return url + (f"&options=-csearch_path%3D{schema}" if schema else "")

    def sql(self, statement: str, database: str = "postgres") -> str:
        done = subprocess.run([*self.run_as, str(self.bin_dir / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                               "-h", str(self.socket_dir), "-p", str(PORT), "-U", SERVER_USER, "-d", database, "-c", statement],
                              capture_output=True, text=True, timeout=START_TIMEOUT, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr}")
        return done.stdout

    def stop(self) -> None:
        subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w",
                        "stop"], capture_output=True, timeout=START_TIMEOUT, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def find_bin_dir() -> Path:
    """The newest installed PostgreSQL's programs (Debian: /usr/lib/postgresql/<major>/bin), or those on PATH."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
                      if p.parent.parent.name.isdigit() else 0)
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise ServerUnavailable("PostgreSQL is not installed (no initdb): run scripts/setup.sh --dev, which installs Debian's "
                            "postgresql package")


def start() -> Server:
    """A new cluster in a temporary folder, running; ServerUnavailable saying why not."""
    bin_dir = find_bin_dir()
    as_root = os.geteuid() == 0
    run_as = ["runuser", "-u", SERVER_USER, "--"] if as_root else []
    folder = Path(tempfile.mkdtemp(prefix="gtm-postgres-"))
    server = Server(folder, run_as, bin_dir)
    try:
        server.socket_dir.mkdir()
        if as_root:
            shutil.chown(folder, SERVER_USER)
            shutil.chown(server.socket_dir, SERVER_USER)
        _run(server, [str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", SERVER_USER, "--auth=trust",
                      "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"])
        _run(server, [str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-w",
                      "-t", str(START_TIMEOUT), "-o", f"-p {PORT} -k {server.socket_dir} {TEST_SETTINGS}", "start"])
        _watch(server)
    except BaseException:
        log = folder / "server.log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        server.stop()
        if detail:
            raise ServerUnavailable(f"the PostgreSQL server did not start: {detail}") from None
        raise
    return server


def _watch(server: Server) -> None:
    """A watchdog that stops the server and removes its folder once this test process is gone, however it ended
    (a killed or timed-out test run must not leave a server running)."""
    pg_ctl = server.bin_dir / "pg_ctl"
    script = (f"while [ -d /proc/{os.getpid()} ]; do sleep 2; done; "
              f"'{pg_ctl}' -D '{server.folder / 'data'}' -m immediate -w stop >/dev/null 2>&1; rm -rf '{server.folder}'")
    subprocess.Popen([*server.run_as, "sh", "-c", script], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)


def _run(server: Server, command: list[str]) -> None:
    started = time.monotonic()
    done = subprocess.run([*server.run_as, *command], capture_output=True, text=True, timeout=START_TIMEOUT, check=False)
    if done.returncode != 0:
        raise ServerUnavailable(f"{Path(command[0]).name} failed after {time.monotonic() - started:.1f} s: "
                                f"{done.stderr.strip() or done.stdout.strip()}")
