"""A Rich progress bar for long work: scans report (done, total) frames, jobs report (fraction, message)."""

from __future__ import annotations

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from greenlight.cli.common import console_err

WIDEST = 64  # characters of a label beside the bar


def shorten(label: str, widest: int = WIDEST) -> str:
    """``label`` cut in the middle when too long, so its start (what) and end (the frame count) stay."""
    if len(label) <= widest:
        return label
    keep = widest - 1
    return label[: keep // 2] + "…" + label[len(label) - (keep - keep // 2):]


class FrameProgress:
    """Fed by a scanner's (done, total) callback; silent when disabled (JSON output)."""

    def __init__(self, label: str = "scanning", enabled: bool = True) -> None:
        # A file name is shown as it is: braces are not a format field, brackets not markup.
        label = shorten(label).replace("{", "{{").replace("}", "}}")
        self.bar = Progress(TextColumn(label, markup=False), BarColumn(), MofNCompleteColumn(), TextColumn("frames"),
                            TimeRemainingColumn(), console=console_err, transient=True,
                            disable=not (enabled and console_err.is_terminal))
        self.task = None

    def __enter__(self) -> FrameProgress:
        self.bar.__enter__()
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.task is None:
            self.task = self.bar.add_task("frames", total=total or None)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc) -> None:
        self.bar.__exit__(*exc)


class JobProgress:
    """Fed by the executor's (fraction, message) callback."""

    def __init__(self, enabled: bool = True) -> None:
        self.bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                            TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn(), console=console_err,
                            transient=True, disable=not (enabled and console_err.is_terminal))
        self.task = self.bar.add_task("starting", total=1.0)

    def __enter__(self) -> JobProgress:
        self.bar.__enter__()
        return self

    def __call__(self, fraction: float, message: str) -> None:
        self.bar.update(self.task, completed=min(max(fraction, 0.0), 1.0), description=shorten(message))

    def __exit__(self, *exc) -> None:
        self.bar.__exit__(*exc)
