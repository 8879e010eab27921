"""Load test: a crowd of public viewers on real servers, driven by Locust, each viewer a real
Streamlit session that reruns the public pages with changing filters.

    python -m benchmarks.load [--database-url URL] [--users 50 200] [--processes 1 2] [--reruns 5]
                              [--think 0] [--arrive 0] [--timeout 120] [--max-seconds 300]
                              [--no-warm-up]
                              [--streamlit-option SECTION.NAME=VALUE] [--record]

Without ``--database-url`` it builds the demo city (scale 1) in a throw-away SQLite file; give a URL
for the scale-10 file or PostgreSQL. For each number of processes and each crowd size it:

1. starts that many servers as ``make run`` does (``streamlit run serve.py``), all on the one
   database, and waits for ``/_stcore/health``;
2. warms each one by visiting every page and filter the crowd will ask for, once (a server that has
   been up for a while has them; ``--no-warm-up`` measures a crowd arriving at a cold server);
3. runs Locust headless, as a library (``locust.env.Environment``, a local runner), with
   ``--users`` viewers spawned together (or evenly over ``--arrive`` seconds): each opens its own
   session on one server (viewer *i* on server *i* mod *processes*: sticky by construction, as a
   proxy's sticky sessions make it), lands on the overview, then opens ``--reruns`` - 1 further
   pages chosen at random with random filters (fiscal year, bureau, goal, focus area, group),
   waiting ``--think`` seconds on average in between (0: at once, the crowd's worst case). A viewer
   that is done keeps its session open, idle, until every viewer is done, so that the memory
   measured holds every session;
4. reports the reruns, failures (an exception on the page, a page not found, no ``script_finished``
   within ``--timeout``), dropped sessions (the server closed the WebSocket or it broke; the viewer
   then reconnects, as the browser does), p50/p95/max of a full-page rerun (request sent until
   ``script_finished`` received), reruns per second over the crowd's run, each server's resident
   memory before the crowd and with every session open (and the peak), memory per session
   (after − before) ÷ viewers, and the servers' CPU seconds per rerun. A crowd still running after
   ``--max-seconds`` is stopped, and its unfinished viewers are counted;
5. stops the servers.

The targets (issue #12) are printed beside the figures: 50 viewers, p95 ≤ 2 s and no dropped
session; 200 viewers, no failure or drop, p95 reported. The command exits with status 1 when one is
missed. ``--record`` rewrites the load section of docs/benchmarks.md. Not part of the test suite.

The viewers run in this process as gevent greenlets (Locust's model), on the same machine as the
servers: the load generator's own CPU time is reported, since it competes with the servers for it.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import gevent
import locust
from locust import User, between, constant, task
from locust.env import Environment

from benchmarks.analytics import _machine, demo_database, record_section
from benchmarks.servers import HEALTH, app_command, app_environment, free_port, start, stop, wait_for
from benchmarks.streamlit_client import RunResult, RunTimeoutError, SessionDroppedError, StreamlitSession

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_S = 2.0  # at the smaller crowd (50 viewers)
SMALL_CROWD = 50
MIB = 1024 * 1024


def _p95(times: list[float]) -> float:
    """The 95th percentile, between observed values (never above the largest, as the default
    "exclusive" method gives for small samples)."""
    return statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]


# --- what viewers ask for -------------------------------------------------------------------------

FISCAL_YEARS = ("2017-18", "2018-19")
BUREAUS = ("TR", "ES", "PK", "WA")
# page label → (URL path, the filters a viewer changes on it, each with the values they pick from);
# every page also takes the fiscal year. The overview is the default page, at "/".
PAGES: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "overview": ("", {}),
    "bureau": ("bureau", {"bureau": BUREAUS}),
    "goal": ("goal", {"goal": ("1", "2", "3")}),
    "measure": ("measure", {"bureau": BUREAUS}),
    "compare": ("compare", {"focus": ("workforce", "contracting", "community_access")}),
    "workforce": ("workforce", {"group": ("2", "3", "4")}),
}


@dataclass(frozen=True)
class Visit:
    label: str  # the page, for the statistics
    path: str
    query: str


def every_visit() -> list[Visit]:
    """Every page with every combination of its filters and fiscal years (what the warm-up opens)."""
    visits = []
    for label, (path, filters) in PAGES.items():
        names = list(filters)
        for values in itertools.product(*(filters[name] for name in names)):
            for year in FISCAL_YEARS:
                query = urlencode({**dict(zip(names, values, strict=True)), "fy": year})
                visits.append(Visit(label, path, query))
    return visits


def random_visit(rng: random.Random, label: str | None = None) -> Visit:
    """A page (``label``, or one at random) with filters chosen at random, as a viewer clicks around."""
    label = label or rng.choice(list(PAGES))
    path, filters = PAGES[label]
    params = {name: rng.choice(values) for name, values in filters.items()}
    params["fy"] = rng.choice(FISCAL_YEARS)
    return Visit(label, path, urlencode(params))


# --- the crowd ------------------------------------------------------------------------------------


@dataclass
class Rerun:
    label: str
    seconds: float
    ok: bool
    bytes_received: int
    finished_at: float


@dataclass
class Crowd:
    """What the viewers of one run share: where to connect, what to do, and what they saw."""

    servers: list[str]
    reruns: int
    timeout_s: float
    seed: int = 2016
    results: list[Rerun] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    dropped: int = 0
    timed_out: int = 0
    connects: int = 0
    finished: int = 0
    sessions: list[StreamlitSession] = field(default_factory=list)
    _enrolled: Iterator[int] = field(default_factory=itertools.count)

    def enrol(self) -> int:
        return next(self._enrolled)

    def error(self, text: str) -> None:
        self.errors[text] = self.errors.get(text, 0) + 1

    def close_all(self) -> None:
        for session in self.sessions:
            session.close()


class Viewer(User):
    """One public viewer: a session of its own on one server, a page at a time."""

    abstract = True
    crowd: Crowd  # set on the subclass made for each run (:func:`viewer_class`)

    def on_start(self) -> None:
        self.index = self.crowd.enrol()
        self.rng = random.Random(self.crowd.seed * 100_003 + self.index)
        self.server = self.crowd.servers[self.index % len(self.crowd.servers)]
        self.session: StreamlitSession | None = None
        self.done = 0

    @task
    def view(self) -> None:
        if self.done >= self.crowd.reruns:
            self._hold()
            return
        visit = random_visit(self.rng, "overview" if self.done == 0 else None)
        self.done += 1
        try:
            session = self._session()
            result = session.run(visit.path, visit.query)
        except SessionDroppedError as error:
            self.crowd.dropped += 1
            self._failed(visit, error)
            self._forget_session()
        except RunTimeoutError as error:
            self.crowd.timed_out += 1
            self._failed(visit, error)
            self._forget_session()  # its run may still be going: the browser would reload
        else:
            self._record(visit, result)
        if self.done >= self.crowd.reruns:
            self.crowd.finished += 1

    def _session(self) -> StreamlitSession:
        if self.session is None:
            session = StreamlitSession(self.server, timeout_s=self.crowd.timeout_s)
            started = time.perf_counter()
            session.connect()  # raises SessionDroppedError when the server refuses or is gone
            self.crowd.connects += 1
            self.crowd.sessions.append(session)
            self._fire("connect", "/_stcore/stream", time.perf_counter() - started, 0, None)
            self.session = session
        return self.session

    def _forget_session(self) -> None:
        if self.session is not None:
            self.session.close()
        self.session = None

    def _hold(self) -> None:
        """Done: keep the session open (answering the server's pings) until the run ends."""
        if self.session is None:
            gevent.sleep(1.0)
            return
        try:
            self.session.idle(1.0)
        except SessionDroppedError:
            self.crowd.dropped += 1
            self._forget_session()

    def _record(self, visit: Visit, result: RunResult) -> None:
        error = None if result.ok else RuntimeError("; ".join(result.errors) or f"status {result.status}")
        if error is not None:
            self.crowd.error(f"{visit.label}: {error}"[:200])
        self.crowd.results.append(
            Rerun(visit.label, result.seconds, error is None, result.bytes_received, time.perf_counter())
        )
        self._fire("rerun", visit.label, result.seconds, result.bytes_received, error)

    def _failed(self, visit: Visit, error: Exception) -> None:
        self.crowd.error(f"{visit.label}: {type(error).__name__}: {error}"[:200])
        self.crowd.results.append(Rerun(visit.label, 0.0, False, 0, time.perf_counter()))
        self._fire("rerun", visit.label, 0.0, 0, error)

    def _fire(self, kind: str, name: str, seconds: float, length: int, error: Exception | None) -> None:
        self.environment.events.request.fire(
            request_type=kind,
            name=name,
            response_time=seconds * 1000,
            response_length=length,
            exception=error,
            context={"server": self.server},
        )


def viewer_class(crowd: Crowd, think_s: float) -> type[Viewer]:
    """A Viewer class bound to this run's crowd, thinking ``think_s`` seconds on average."""
    wait = between(0, 2 * think_s) if think_s > 0 else constant(0)
    return type("PublicViewer", (Viewer,), {"crowd": crowd, "wait_time": wait, "abstract": False})


# --- the servers ----------------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    pid: int
    log: Path


@contextlib.contextmanager
def servers(
    database_url: str, count: int, log_folder: Path, options: Sequence[str] = ()
) -> Iterator[list[Server]]:
    """``count`` servers as ``make run`` starts them, on one database, with Streamlit's ``options``
    (``runner.postScriptGC=false``) on top of .streamlit/config.toml; stopped on exit."""
    extra = [part for option in options for part in _command_line_option(option)]
    started: list[tuple[subprocess.Popen, Server]] = []
    try:
        for number in range(count):
            port = free_port()
            log = log_folder / f"server-{number + 1}-{port}.log"
            with log.open("w") as output:
                process = start(app_command(port, extra), app_environment(database_url), output)
            started.append((process, Server(f"http://127.0.0.1:{port}", process.pid, log)))
        for process, server in started:
            try:
                wait_for(int(server.url.rsplit(":", 1)[1]), HEALTH, process)
            except RuntimeError:
                print(server.log.read_text(errors="replace")[-3000:], file=sys.stderr)
                raise
        yield [server for _, server in started]
    finally:
        stop(process for process, _ in started)


def _command_line_option(option: str) -> list[str]:
    """``section.name=value`` as ``streamlit run`` takes it: ``--section.name value``."""
    name, equals, value = option.partition("=")
    if not equals or "." not in name:
        raise SystemExit(f"--streamlit-option takes section.name=value, not {option!r}")
    return [f"--{name.strip()}", value.strip()]


def warm_up(server: Server, timeout_s: float) -> tuple[float, int]:
    """Visit every page and filter once, in one session; seconds taken and failed runs."""
    session = StreamlitSession(server.url, timeout_s=timeout_s)
    started, failed = time.perf_counter(), 0
    session.connect()
    try:
        for visit in every_visit():
            result = session.run(visit.path, visit.query)
            if not result.ok:
                failed += 1
                print(f"  warm-up {visit.label}?{visit.query}: {result.errors}", file=sys.stderr)
    finally:
        session.close()
    return time.perf_counter() - started, failed


def _warm_up_all(running: list[Server], timeout_s: float) -> list[float]:
    """Warm every server at once (each process has caches of its own); seconds each took."""
    jobs = [gevent.spawn(warm_up, server, timeout_s) for server in running]
    gevent.joinall(jobs, raise_error=True)
    return [job.value[0] for job in jobs]


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (psutil, else /proc)."""
    try:
        import psutil
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise
    return int(psutil.Process(pid).memory_info().rss)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (psutil, else /proc)."""
    try:
        import psutil
    except ImportError:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


# --- one run --------------------------------------------------------------------------------------


@dataclass
class RunReport:
    users: int
    processes: int
    reruns: list[Rerun]
    failures: int
    dropped: int
    timed_out: int
    connects: int
    unfinished: int
    seconds: float
    rss_before: list[int]
    rss_after: list[int]
    rss_peak: list[int]
    server_cpu_s: float
    client_cpu_s: float
    warm_up_s: list[float]
    errors: dict[str, int]
    load_average: float  # the machine's, when the crowd was done: others may share its cores

    @property
    def times(self) -> list[float]:
        return sorted(rerun.seconds for rerun in self.reruns if rerun.ok)

    @property
    def per_second(self) -> float:
        return len(self.times) / self.seconds if self.seconds > 0 else 0.0

    @property
    def memory_per_session(self) -> float:
        return (sum(self.rss_after) - sum(self.rss_before)) / self.users

    def target(self) -> tuple[str, bool]:
        """The issue's target for a crowd of this size, and whether it was met."""
        p95 = _p95(self.times) if self.times else float("inf")
        if self.users <= SMALL_CROWD:
            met = p95 <= TARGET_P95_S and self.dropped == 0 and self.unfinished == 0
            verdict = (
                "met"
                if met
                else f"MISSED (p95 {p95:.2f} s, {p95 / TARGET_P95_S:.1f}× the 2 s; {self.dropped} dropped)"
            )
            return f"p95 ≤ {TARGET_P95_S:.0f} s and no dropped session: {verdict}", met
        met = self.failures == 0 and self.dropped == 0 and self.unfinished == 0
        verdict = (
            "met"
            if met
            else f"MISSED ({self.failures} failed, {self.dropped} dropped, {self.unfinished} unfinished)"
        )
        return f"no errors, p95 reported ({p95:.2f} s): {verdict}", met


def run_crowd(
    servers_: list[Server],
    *,
    users: int,
    reruns: int,
    think_s: float,
    timeout_s: float,
    max_s: float,
    arrive_s: float = 0.0,
) -> RunReport:
    """One Locust run of ``users`` viewers against ``servers_``; every session closed afterwards."""
    crowd = Crowd([server.url for server in servers_], reruns=reruns, timeout_s=timeout_s)
    environment = Environment(user_classes=[viewer_class(crowd, think_s)], host=crowd.servers[0])
    runner = environment.create_local_runner()
    pids = [server.pid for server in servers_]
    rss_before = [rss_bytes(pid) for pid in pids]
    peak = list(rss_before)
    cpu_before = sum(cpu_seconds(pid) for pid in pids)
    client_before = time.process_time()
    started = time.perf_counter()
    # Everyone within a second or two (a link in a press release), or evenly over ``arrive_s``
    # seconds; Locust warns above 100 a second.
    runner.start(users, spawn_rate=users / arrive_s if arrive_s > 0 else min(users, 100))
    deadline = started + max_s
    next_report = started + 15
    while crowd.finished < users and time.perf_counter() < deadline:
        gevent.sleep(0.25)
        peak = [max(high, rss_bytes(pid)) for high, pid in zip(peak, pids, strict=True)]
        if time.perf_counter() >= next_report:
            next_report += 15
            failed = sum(not rerun.ok for rerun in crowd.results)
            print(
                f"  {time.perf_counter() - started:5.0f} s: {len(crowd.results)}/{users * reruns} reruns, "
                f"{failed} failed, {crowd.dropped} dropped",
                file=sys.stderr,
            )
    finished_at = max((rerun.finished_at for rerun in crowd.results), default=time.perf_counter())
    rss_after = [rss_bytes(pid) for pid in pids]  # every session still open
    peak = [max(high, now) for high, now in zip(peak, rss_after, strict=True)]
    server_cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
    client_cpu = time.process_time() - client_before
    runner.quit()
    crowd.close_all()
    _print_locust_table(environment)
    return RunReport(
        users=users,
        processes=len(servers_),
        reruns=list(crowd.results),
        failures=sum(not rerun.ok for rerun in crowd.results),
        dropped=crowd.dropped,
        timed_out=crowd.timed_out,
        connects=crowd.connects,
        unfinished=users - crowd.finished,
        seconds=finished_at - started,
        rss_before=rss_before,
        rss_after=rss_after,
        rss_peak=peak,
        server_cpu_s=server_cpu,
        client_cpu_s=client_cpu,
        warm_up_s=[],
        errors=dict(crowd.errors),
        load_average=os.getloadavg()[0],
    )


def _print_locust_table(environment: Environment) -> None:
    """Locust's own per-page statistics (its percentiles are rounded to two significant figures)."""
    heading = ("Locust", "name", "reqs", "fails", "p50 ms", "p95 ms", "max ms")
    print("  {:<10} {:<18} {:>6} {:>6} {:>8} {:>8} {:>8}".format(*heading))
    entries = sorted(environment.stats.entries.values(), key=lambda entry: (entry.method or "", entry.name))
    for entry in [*entries, environment.stats.total]:
        if entry.num_requests == 0:
            continue
        print(
            f"  {entry.method or 'all':<10} {entry.name:<18} {entry.num_requests:>6} "
            f"{entry.num_failures:>6} {entry.get_response_time_percentile(0.5):>8.0f} "
            f"{entry.get_response_time_percentile(0.95):>8.0f} {entry.max_response_time:>8.0f}"
        )


# --- the report -----------------------------------------------------------------------------------


def describe(report: RunReport) -> list[tuple[str, str]]:
    times = report.times
    timing = (
        f"p50 {statistics.median(times):.2f} s, p95 {_p95(times):.2f} s, max {max(times):.2f} s"
        if times
        else "no rerun succeeded"
    )
    page_bytes = [rerun.bytes_received for rerun in report.reruns if rerun.ok]
    name = f"{report.users} viewers, {report.processes} process{'es' if report.processes > 1 else ''}"
    summary = (
        f"{len(report.reruns)} reruns, {report.failures} failed ({report.timed_out} timed out), "
        f"{report.dropped} dropped sessions, {report.unfinished} viewers unfinished; {timing}; "
        f"{report.per_second:.1f} reruns/s over {report.seconds:.0f} s"
        + (f"; {statistics.mean(page_bytes) / 1024:.0f} KiB received per rerun" if page_bytes else "")
    )
    memory = (
        "RSS "
        + ", ".join(
            f"{before / MIB:.0f} → {after / MIB:.0f} MiB (peak {high / MIB:.0f})"
            for before, after, high in zip(report.rss_before, report.rss_after, report.rss_peak, strict=True)
        )
        + f"; {report.memory_per_session / MIB:.2f} MiB per session"
    )
    per_rerun = f"{report.server_cpu_s / len(times) * 1000:.0f} ms of CPU per rerun, " if times else ""
    cpu = (
        f"servers {per_rerun}{report.server_cpu_s:.0f} s in all; load generator "
        f"{report.client_cpu_s:.1f} s of CPU; machine load average {report.load_average:.1f} at the end"
    )
    target, _ = report.target()
    lines = [(name, summary), (f"{name}: memory", memory), (f"{name}: CPU", cpu), (f"{name}: target", target)]
    if report.warm_up_s:
        warm = ", ".join(f"{seconds:.0f} s" for seconds in report.warm_up_s)
        lines.insert(1, (f"{name}: warm-up", f"{len(every_visit())} page runs per server: {warm}"))
    if report.errors:
        worst = sorted(report.errors.items(), key=lambda item: -item[1])[:3]
        lines.append((f"{name}: errors", "; ".join(f"{count}× {text}" for text, count in worst)))
    return lines


def _demo_database(folder: Path) -> str:
    return demo_database(folder / "load.db")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an existing database (default: a fresh demo city, scale 1)")
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200], help="crowd sizes")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="server processes")
    parser.add_argument("--reruns", type=int, default=5, help="pages each viewer opens")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds a viewer reads a page")
    parser.add_argument(
        "--arrive", type=float, default=0.0, help="seconds over which the viewers arrive (0: all at once)"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a rerun may take")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="longest a crowd may run")
    parser.add_argument("--no-warm-up", action="store_true", help="the crowd meets cold servers")
    parser.add_argument(
        "--streamlit-option",
        action="append",
        default=[],
        metavar="SECTION.NAME=VALUE",
        help="a Streamlit option for the servers, to try one (e.g. runner.postScriptGC=false)",
    )
    parser.add_argument("--record", action="store_true", help="write the figures to docs/benchmarks.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    lines: list[tuple[str, str]] = []
    all_met = True
    with tempfile.TemporaryDirectory(prefix="equity-load-") as folder:
        url = args.database_url or _demo_database(Path(folder))
        database = args.database_url or "SQLite, demo city scale 1 (a fresh file)"
        lines += _header(args, database)
        for processes in args.processes:
            for users in args.users:
                print(f"{users} viewers on {processes} process(es)…", file=sys.stderr)
                with servers(url, processes, Path(folder), args.streamlit_option) as running:
                    warm = [] if args.no_warm_up else _warm_up_all(running, args.timeout)
                    pids = ", ".join(str(server.pid) for server in running)
                    print(f"  the crowd arrives (server process ids: {pids})", file=sys.stderr)
                    report = run_crowd(
                        running,
                        users=users,
                        reruns=args.reruns,
                        think_s=args.think,
                        arrive_s=args.arrive,
                        timeout_s=args.timeout,
                        max_s=args.max_seconds,
                    )
                report.warm_up_s = warm
                run_lines = describe(report)
                all_met &= report.target()[1]
                for name, figure in run_lines:
                    print(f"{name}: {figure}")
                lines += run_lines
    if args.record:
        record_section("load", "python -m benchmarks.load", lines, argv if argv is not None else sys.argv[1:])
    return 0 if all_met else 1


def _header(args: argparse.Namespace, database: str) -> list[tuple[str, str]]:
    import streamlit

    from equity_tracking.db import mask_url

    think = f"{args.think:g} s on average (0 to {2 * args.think:g} s)" if args.think > 0 else "none"
    return [
        ("machine", _machine()),
        (
            "software",
            f"Python {platform.python_version()}, Streamlit {streamlit.__version__}, "
            f"Locust {locust.__version__}",
        ),
        ("database", mask_url(database) if "://" in database else database),
        (
            "servers",
            "streamlit run serve.py with .streamlit/config.toml"
            + "".join(f", --{option}" for option in args.streamlit_option),
        ),
        (
            "crowd",
            (
                f"viewers arriving evenly over {args.arrive:g} s"
                if args.arrive > 0
                else "all viewers spawned at once (100 a second at most)"
            )
            + "; each opens its own session, lands on "
            f"the overview and opens {args.reruns - 1} more public pages at random (fiscal year, bureau, "
            f"goal, focus area, group at random); thinking time between pages: {think}; "
            + (
                "servers warmed first (every page and filter once)" if not args.no_warm_up else "cold servers"
            ),
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())
