"""Shared test configuration: Hypothesis profiles and the shared test vectors."""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

#: On a busy shared machine data generation is slow and timings are noise: no profile fails for
#: that (the too_slow health check and the per-example deadline are off everywhere).
RELIABLE = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("fast", max_examples=10, **RELIABLE)
settings.register_profile("dev", max_examples=100, **RELIABLE)
#: CI is the landing gate: the same examples on every run, so a red run is a change's doing and
#: reproduces. Developers' runs (dev) draw new examples each time and keep searching.
settings.register_profile("ci", max_examples=100, print_blob=True, derandomize=True, **RELIABLE)
#: Long fuzzing on demand: HYPOTHESIS_PROFILE=fuzz python -m pytest tests/test_fuzz.py
settings.register_profile(
    "fuzz",
    max_examples=20_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture
def golden() -> Path:
    """The folder of golden files (copies of ``shared/vectors`` plus our own)."""
    return GOLDEN


#: Proxy variables a developer's shell may set; tests talk to 127.0.0.1 and set their own.
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without proxy variables (Urllib3Transport honours them)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
