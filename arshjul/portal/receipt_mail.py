"""Receipts at once: each portal process delivers the receipts of what it stores.

The page says "Ett kvitto skickas med e-post", so the receipt leaves now, not
with the next stage run or the next morning's watch. How (issue 14, item 3):

* The outbox row is the truth. A post commits its version and its queued
  receipt together, as before (:mod:`arshjul.lifecycle.submissions`); only
  then is this process told (:meth:`ReceiptMail.wake`). The page never waits
  for the mail server: one thread per process, ``arshjul-kvitton``, delivers.
* A pass is the sender's own pass, :func:`~arshjul.mail.sender.deliver_queued`,
  limited to receipts (``purpose="receipt"``) and to those due at the portal's
  clock. It takes the lock every pass takes (an advisory lock on PostgreSQL, a
  file lock on SQLite), so two portal processes and a watch running at once
  never send one message twice: the second pass waits, then finds it sent.
  A burst of posts during a pass makes one more pass, not one each.
* Coalescing stays as the lifecycle decides it, and it decides the timing:
  the first receipt of a request is due at once, and goes within a second or
  so; a newer version within ``[portal] receipt_minutes`` of the request's
  last receipt replaces the queued one and is due when that window ends. The
  thread sleeps until the earliest receipt falls due and then delivers the
  newest version's. Decided so because the secretary who just pressed the
  button waits for the first receipt, while a burst of revisions (or a script
  gone wrong) still gets one e-mail per window naming the newest version,
  never one per version.
* Nothing here is needed for a receipt to go out: a process that dies, or is
  stopped, with a receipt queued leaves it to the next pass of anyone (another
  portal process within :data:`RESCAN_SECONDS`, this one when it starts again,
  a stage run, the watch). Every :data:`RESCAN_SECONDS` the thread also looks
  for receipts queued elsewhere (``arshjul submit`` on a committee's behalf).
* The mail server down: the sender keeps the receipt queued with its backoff,
  and the thread rests :data:`REST_SECONDS` before it tries again; the watch
  delivers it all the same. A configuration that refuses (a local portal
  address with an SMTP server, see :mod:`arshjul.mail.address`) is logged,
  and the thread rests as well: the portal refused to start with it, so it
  was changed under a running portal.

Only receipts: a stage's requests, reminders and escalations stay with the
runs that queue them, which count and report them.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine

from arshjul.errors import ArshjulError
from arshjul.mail.outbox import next_due
from arshjul.mail.sender import deliver_queued
from arshjul.settings import Settings

log = logging.getLogger(__name__)

RECEIPT = "receipt"
# Look for due receipts at least this often, whoever queued them.
RESCAN_SECONDS = 60.0
# After a failed pass (the mail server down), wait this long before the next.
REST_SECONDS = 60.0


class ReceiptMail:
    """The thread that delivers this process's receipts; started and stopped with the app."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        clock: Callable[[], dt.datetime],
        *,
        rescan_seconds: float = RESCAN_SECONDS,
        rest_seconds: float = REST_SECONDS,
    ) -> None:
        self.engine, self.settings, self.clock = engine, settings, clock
        self.rescan_seconds, self.rest_seconds = rescan_seconds, rest_seconds
        self._changed = threading.Condition()
        self._next_pass = 0.0  # time.monotonic() of the next pass; 0: at once
        self._resting_until = 0.0
        self._stopping = False
        self._thread: threading.Thread | None = None
        # Passes begun and ended: a pass begun after a commit has seen it (the tests wait on it).
        self.started = self.passes = 0

    def start(self) -> None:
        """Start the thread; its first pass delivers what is due already."""
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="arshjul-kvitton", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the pass in hand (what it leaves queued goes with the next pass)."""
        with self._changed:
            self._stopping = True
            self._changed.notify()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self, at: dt.datetime | None = None) -> None:
        """A receipt was committed (or falls due at ``at``): a pass then, or at once.

        Cheap and never blocking: the page calls it after its commit.
        """
        delay = 0.0 if at is None else (at - self.clock()).total_seconds()
        with self._changed:
            moment = max(time.monotonic() + max(delay, 0.0), self._resting_until)
            if moment < self._next_pass:
                self._next_pass = moment
                self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._stopping and (wait := self._next_pass - time.monotonic()) > 0:
                    self._changed.wait(wait)
                if self._stopping:
                    return
                # The next pass unless a post or a due receipt calls for one sooner.
                self._next_pass = time.monotonic() + self.rescan_seconds
            self._pass()

    def _pass(self) -> None:
        self.started += 1
        try:
            self._deliver()
        finally:
            self.passes += 1

    def _deliver(self) -> None:
        as_of = self.clock()
        try:
            report = deliver_queued(
                self.engine, settings=self.settings, as_of=as_of, purpose=RECEIPT
            )
            failed = report.error
        except ArshjulError as exc:
            failed = str(exc)
            log.error("Kvitton skickas inte: %s", exc)
        except Exception:  # the database gone, say: the thread lives on, the row stays queued
            failed = "oväntat fel"
            log.exception("Kvittona kunde inte skickas; de skickas vid nästa försök")
        if failed:
            with self._changed:
                self._resting_until = time.monotonic() + self.rest_seconds
                self._next_pass = max(self._next_pass, self._resting_until)
            return
        try:
            due = next_due(self.engine, as_of=as_of, purpose=RECEIPT)
        except Exception:
            log.exception("Kvittonas nästa tid kunde inte läsas")
            return
        if due is not None and due > as_of:
            self.wake(due)  # a receipt waiting out its window: the newest goes when it ends
