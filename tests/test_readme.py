"""The README's two commands stay true: CI runs them exactly as written."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.timeout(120)
def test_the_documented_output_of_the_main_job_is_the_real_one() -> None:
    """README and quickstart show standard error of ``convert`` on the bundled orders exactly.

    They showed five lines while the command printed four more "fulfillment channel (none) is
    missing" warnings, because four example orders named no channel.
    """
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "listingmirror_shipstation",
            "convert",
            "--allow-rejected",
            str(ROOT / "listingmirror_shipstation" / "examples" / "listingmirror-orders.json"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=100,
    )
    for page in (ROOT / "README.md", ROOT / "docs" / "quickstart.md"):
        text = page.read_text(encoding="utf-8")
        shown = [b for b in re.findall(r"```text\n(.*?)```", text, re.DOTALL) if "converted " in b]
        assert shown, page
        assert shown[0] == done.stderr, page
