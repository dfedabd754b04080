"""Developer sessions, generated from one list of distributions.

nox -s tests-core tests-bokeh ...   one distribution's tests with its siblings installed
nox -s integration                  everything installed, the real CLI end to end
nox -s lint                         ruff
nox -s bench                        the benchmarks (figures, not pass/fail)
"""

from __future__ import annotations

from pathlib import Path

import nox

#: distribution folder -> test folder. Adding a distribution here adds its session.
DISTRIBUTIONS = {
    "dsio-core": "tests/core",
    "dsio-bokeh": "tests/bokeh",
    "dsio-elastic": "tests/elastic",
    "dsio-detectors-river": "tests/river",
}
TEST_REQUIREMENTS = "tests/requirements.txt"

nox.options.sessions = ["lint", *(f"tests-{d.removeprefix('dsio-')}" for d in DISTRIBUTIONS)]
nox.options.reuse_existing_virtualenvs = True


def _install(session: nox.Session, *distributions: str) -> None:
    editable = [arg for d in distributions for arg in ("-e", f"./{d}")]
    session.install(*editable, "-r", TEST_REQUIREMENTS)


def _make_test_session(distribution: str, tests: str) -> None:
    needs = ["dsio-core"] if distribution == "dsio-core" else ["dsio-core", distribution]

    @nox.session(name=f"tests-{distribution.removeprefix('dsio-')}")
    def tests_session(session: nox.Session) -> None:
        _install(session, *needs)
        session.run("pytest", tests, *session.posargs)


for _distribution, _tests in DISTRIBUTIONS.items():
    _make_test_session(_distribution, _tests)


@nox.session
def integration(session: nox.Session) -> None:
    _install(session, *DISTRIBUTIONS)
    session.run("pytest", "tests/integration", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def bench(session: nox.Session) -> None:
    """Print the speed and memory figures; see benchmarks/README.md."""
    _install(session, *DISTRIBUTIONS)
    for script in session.posargs or sorted(map(str, Path("benchmarks").glob("bench_*.py"))):
        session.run("python", script)
