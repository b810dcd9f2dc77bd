"""The README's two commands stay true: CI runs them exactly as written."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_opens_with_two_commands() -> None:
    """The first two code blocks are the main job on bundled data and the tests."""
    main_job, tests = readme_commands()
    assert "convert" in main_job
    assert "listingmirror_shipstation/examples/" in main_job
    assert tests.endswith("-m pytest")


def test_ci_runs_the_readme_commands_verbatim() -> None:
    """.ci/run contains both commands character for character."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in readme_commands():
        assert command in ci


def test_example_data_path_exists() -> None:
    """The file the README's main job converts is in the repository."""
    (main_job, _) = readme_commands()
    path = re.search(r"(listingmirror_shipstation/examples/\S+\.json)", main_job)
    assert path is not None
    assert (ROOT / path.group(1)).is_file()
