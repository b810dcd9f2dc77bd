"""Shared test configuration: Hypothesis profiles and the shared test vectors."""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("fast", max_examples=10)
settings.register_profile("dev", max_examples=100)
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
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
