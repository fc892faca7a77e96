"""The README's quick start, run from the README's own text, so the two cannot drift apart.

Every shell line of the quick-start blocks is run as written, in a fresh home folder beside the sample
media `make demo` leaves, with the virtual environment's `greenlight` first on the PATH (the README's
first line activates it). Placeholders the README abbreviates (``grant_…``, ``job_…``) take the latest
such id the commands before printed, as a reader would copy it. A line's expected exit status is the
one its comment names ("exit 4", or the number after ``echo $?``); every other line must exit 0.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
SECTIONS = ("## Quick start", "### Creative work")
PLACEHOLDER = re.compile(r"\b(grant|job)_…")
EXPECTED = re.compile(r"#\s*(\d)\b|#.*\bexit (\d)\b")


def quick_start_lines(text: str) -> list[str]:
    """The shell lines of the first ```sh block under each quick-start heading, continuations joined."""
    lines: list[str] = []
    for heading in SECTIONS:
        section = text[text.index(heading):]
        block = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
        lines += [line.strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]
    return lines


def expected_status(line: str) -> int:
    """The exit status a line's comment promises, 0 when it promises none."""
    found = EXPECTED.search(line)
    return int(found.group(1) or found.group(2)) if found else 0


class Reader:
    """Runs README lines as a person at a shell would, remembering ids and the last exit status."""

    def __init__(self, home: Path, workdir: Path) -> None:
        self.workdir = workdir
        self.env = {**os.environ, "HOME": str(home), "COLUMNS": "160", "NO_COLOR": "1",
                    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        self.env.pop("GREENLIGHT_HOME", None)
        self.seen: dict[str, str] = {}
        self.status = 0

    def run(self, line: str) -> None:
        for part in line.split("&&"):
            self._run_one(part.strip(), expected_status(line))

    def _run_one(self, command: str, expected: int) -> None:
        words = shlex.split(command, comments=True)
        if not words or words[0] == ".":  # activating the venv: PATH already starts with it
            return
        if words[0] == "export":
            name, value = words[1].split("=", 1)
            self.env[name] = os.path.expanduser(value.replace("~", self.env["HOME"], 1))
            return
        if words[:2] == ["echo", "$?"]:
            assert self.status == expected, f"README promises exit {expected} here, got {self.status}"
            return
        shell = PLACEHOLDER.sub(lambda m: self._latest(m.group(1)), command.split(" #", 1)[0])
        done = subprocess.run(["bash", "-c", shell], cwd=self.workdir, env=self.env,
                              capture_output=True, text=True, timeout=600)
        self.status = done.returncode
        for kind in ("grant", "job"):
            for found in re.findall(rf"\b{kind}_[0-9a-z]{{6,}}", done.stdout + done.stderr):
                self.seen[kind] = found
        assert self.status == expected, f"`{shell}` exited {self.status}:\n{done.stdout}\n{done.stderr}"

    def _latest(self, kind: str) -> str:
        assert kind in self.seen, f"the README abbreviates a {kind} id that no command before it printed"
        return self.seen[kind]


def test_quick_start_lines_are_found_and_commented():
    lines = quick_start_lines(README.read_text(encoding="utf-8"))
    scans = [expected_status(line) for line in lines if line.startswith("greenlight scan")]
    assert scans == [0, 4], "the quick start shows a covered scan, then the same scan blocked once suspended"
    assert sum(line.startswith("greenlight ") for line in lines) >= 14


def test_every_quick_start_command_works_as_written(tmp_path):
    from greenlight.cli.demo import demo_media

    demo_media(tmp_path / "demo-studio" / "media")  # what `make demo` leaves beside the checkout
    reader = Reader(home=tmp_path / "home", workdir=tmp_path)
    (tmp_path / "home").mkdir()
    for line in quick_start_lines(README.read_text(encoding="utf-8")):
        reader.run(line)
    exported = list((tmp_path / "home" / "deliverables").glob("job_*"))
    assert exported, "the quick start's export left no deliverable"
