"""Hypothesis settings for the fuzz suite.

Profiles (pick one with HYPOTHESIS_PROFILE, else by CI):

- `fuzz` (local): random examples; failures are kept in Hypothesis's example
  database (`.hypothesis/`, which git ignores by itself) and replayed first.
- `fuzz-ci` (CI=true): the same examples on every run (`derandomize`), no
  example database, so a CI failure is reproducible from the log alone.

Both shrink a failure to its smallest example but skip Hypothesis's
"explain" phase (which reruns it a few hundred times to mark the parts that
may vary): that costs up to a minute per failing test, and the budget is two
minutes per database.

Each test sets its own modest `max_examples` through `examples()` (tests/support/fuzz.py);
LEADGATE_FUZZ_SCALE multiplies them for a longer hunt (e.g. 20 overnight).

The fixtures `app` and `client` are function-scoped: Hypothesis builds them
once per test, not once per example. That is on purpose (a fresh database
per example would cost seconds): every test here either compares row counts
before and after its own requests, or uses an e-mail address no other
example uses, so examples never depend on each other's leftovers. Hence the
`function_scoped_fixture` health check is suppressed.
"""

import os

from hypothesis import HealthCheck, Phase, settings

IN_CI = os.environ.get("CI", "").lower() == "true"

_COMMON = {
    # A request on PostgreSQL can take a few hundred milliseconds on a busy machine.
    "deadline": None,
    "max_examples": 20,
    "suppress_health_check": [HealthCheck.function_scoped_fixture],
    "phases": [phase for phase in Phase if phase is not Phase.explain],
}
settings.register_profile("fuzz", **_COMMON)
settings.register_profile("fuzz-ci", **_COMMON, derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("fuzz-ci" if IN_CI else "fuzz"))
