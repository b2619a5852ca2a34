"""A progress bar for the long steps of management commands (the geography import, the page tree,
the demo content), readable on a terminal and in a log file alike."""

import logging
import time
from typing import Protocol

from django.core.management.base import OutputWrapper

BAR_WIDTH = 24
REDRAW_SECONDS = 0.1  # a terminal: often enough to see it move
LINE_SECONDS = 10.0  # a file or a pipe: a line now and then, so a long stage still shows it is alive


class Progress(Protocol):
    """Told how a long job is going: a stage with how much of it is done, or (without counts) a
    detail worth showing to someone who asked for more."""

    def __call__(self, message: str, done: int | None = None, total: int | None = None) -> None: ...


def no_progress(message: str, done: int | None = None, total: int | None = None) -> None:
    """For callers who do not want to be told."""


class ProgressBar:
    """One bar for one step, fed with stages: `bar("saving postcodes", 5000, 180792)`.

    On a terminal it is one line redrawn in place; otherwise (a pipe, a log file, a test) each
    stage writes one line when it finishes, and one every LINE_SECONDS while it runs. Messages given
    without counts are details, written only when `verbose`. While the bar is shown, log records
    below WARNING are held back: a line of log between two redraws would break the bar (and setting
    up a site logs a line for every page it makes)."""

    def __init__(self, out: OutputWrapper, label: str, *, verbose: bool = False):
        self.out = out
        self.label = label
        self.verbose = verbose
        self.terminal = out.isatty()
        self.stage = None
        self.done = self.total = 0
        self.drawn_at = 0.0
        self.drawn = False

    def __enter__(self):
        logging.disable(logging.INFO)
        if not self.terminal:  # its first line comes when a stage ends, or LINE_SECONDS from now
            self.drawn_at = time.monotonic()
        return self

    def __exit__(self, exc_type, *exc_info):
        logging.disable(logging.NOTSET)
        if self.drawn and exc_type is None:  # done: the command's summary line takes the bar's place
            self._write("\r\033[K")
            self.drawn = False
        self._end_line()

    def __call__(self, message: str, done: int | None = None, total: int | None = None) -> None:
        if done is None or total is None:
            if self.verbose:
                self._end_line()
                self._write(f"  {message}\n")
            return
        if not total:
            return  # nothing to do in this stage
        self.stage, self.done, self.total = message, done, total
        now = time.monotonic()
        finished = done >= total
        if self.terminal and (finished or now - self.drawn_at >= REDRAW_SECONDS):
            filled = BAR_WIDTH * done // total
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self._write(f"\r{self.label}: [{bar}] {done:,}/{total:,} {message}\033[K")
            self.drawn, self.drawn_at = True, now
        elif not self.terminal and (finished or now - self.drawn_at >= LINE_SECONDS):
            self._line()
            self.drawn_at = now

    def _line(self) -> None:
        self._write(f"{self.label}: {self.stage}: {self.done:,} of {self.total:,}\n")

    def _end_line(self) -> None:
        if self.drawn:
            self._write("\n")
            self.drawn = False

    def _write(self, text: str) -> None:
        self.out.write(text, style_func=str, ending="")
        self.out.flush()
