"""Sending a batch of deliveries: claim, send over one connection, mark; at most once per recipient
even when a worker is killed part-way, and paced to SN_NEWSLETTER_RATE messages a second.

How a killed worker is survived without repeats. Each delivery goes: queued -> sending (claimed)
-> handed over -> sent. With the SMTP backend the message is sent in full except the final "."
that commits it to the mail server; the delivery is marked handed over; then the "." goes. A
worker killed before the "." leaves a message the mail server throws away, so a claimed row that
was not handed over is safe to send again. A row that was handed over is counted as sent. When a
batch's task runs again (Celery redelivers it: late acks, reject on worker lost) or the sweep
finds a claim older than SN_NEWSLETTER_CLAIM_SECONDS, those rules decide each row.
"""

import contextlib
import re
import smtplib
import socket
import time

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from sn_site.cache import tally

from .emails import MessageWriter, area_code, message_for
from .models import Delivery, Send

MAX_ATTEMPTS = 5


class TemporaryFailure(Exception):
    """Try again later: the mail server said 4xx, or the connection failed."""


class PermanentFailure(Exception):
    """Do not try again: the mail server refused this recipient or message (5xx)."""


def _built(build):
    """What `build` makes of a copy, or PermanentFailure saying why it could not be made (an
    address that is no address, a header no message can carry): that copy is failed, never sent,
    and the batch goes on."""
    try:
        return build()
    except Exception as error:
        raise PermanentFailure(f"The message could not be built: {type(error).__name__}: {error}") from error


class Superseded(Exception):
    """Another worker took this delivery over (this one was too slow): it must not be sent from here."""


class SmtpCourier:
    """One SMTP connection for a batch, committing each message only after `handing_over` runs."""

    def __init__(self, send: Send, newsletter):
        self.smtp = None
        self.writer = MessageWriter(send, newsletter)

    def _connect(self):
        if self.smtp is None:
            self.smtp = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=settings.EMAIL_TIMEOUT)
            # The message and its final "." go in separate writes: without this, Nagle's algorithm
            # holds the "." back until the server acknowledges the message (40 ms a message).
            self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if settings.EMAIL_USE_TLS:
                self.smtp.starttls()
            if settings.EMAIL_HOST_USER:
                self.smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
            self.smtp.ehlo_or_helo_if_needed()
        return self.smtp

    def deliver(self, delivery: Delivery, handing_over) -> None:
        sender, recipients, data = _built(lambda: self.writer.envelope(delivery))
        try:
            smtp = self._connect()
            self._expect(smtp.mail(sender), 250)
            for recipient in recipients:
                self._expect(smtp.rcpt(recipient), 250, 251)
            self._expect(smtp.docmd("DATA"), 354)
            data = re.sub(rb"(?m)^\.", b"..", data)
            smtp.send(data if data.endswith(b"\r\n") else data + b"\r\n")
            if not handing_over():
                self.close()  # the mail server drops a message whose "." never came
                raise Superseded
            smtp.send(b".\r\n")
            self._expect(smtp.getreply(), 250)
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            self.close()
            raise TemporaryFailure(str(error) or type(error).__name__) from error

    def _expect(self, reply, *codes) -> None:
        code, text = reply
        if code in codes:
            return
        detail = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
        if 400 <= code < 500:
            self.smtp.rset()
            raise TemporaryFailure(detail)
        try:
            self.smtp.rset()
        except smtplib.SMTPException:
            self.close()
        raise PermanentFailure(detail)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


class BackendCourier:
    """Any other Django email backend (an email service through Anymail, say): the delivery is
    handed over just before the backend is called, so a crash during the call counts as sent."""

    def __init__(self, send: Send, newsletter):
        self.send, self.code = send, area_code(newsletter)
        self.connection = get_connection()
        self.connection.open()

    def deliver(self, delivery: Delivery, handing_over) -> None:
        message = _built(lambda: message_for(self.send, delivery, self.code))
        _built(message.message)  # as the backend will: a header it cannot write fails here, before handing over
        if not handing_over():
            raise Superseded
        try:
            sent = self.connection.send_messages([message])
        except OSError as error:
            raise TemporaryFailure(str(error)) from error
        if not sent:
            raise PermanentFailure("The email backend did not send it.")

    def close(self) -> None:
        self.connection.close()


def courier(send: Send, newsletter):
    smtp = settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    return SmtpCourier(send, newsletter) if smtp else BackendCourier(send, newsletter)


def pace() -> None:
    """Wait, if need be, so that all workers together send at most SN_NEWSLETTER_RATE a second."""
    rate = settings.SN_NEWSLETTER_RATE
    if not rate:
        return
    while True:
        second = int(time.time())
        if tally(f"newsletter-rate:{second}", 5) <= rate:
            return
        time.sleep(max(0.0, second + 1 - time.time()))


def _claimable(now):
    """Rows a batch may take: queued, or claimed by a worker that has been silent too long and
    never handed them over."""
    stale = now - timezone.timedelta(seconds=settings.SN_NEWSLETTER_CLAIM_SECONDS)
    return Q(status=Delivery.Status.QUEUED) | Q(status=Delivery.Status.SENDING, handed_over=False, claimed_at__lt=stale)


def batch_send(*, send_id: int, first: int, last: int) -> dict:
    """Send one batch. Returns counts; raises TemporaryFailure (after marking) if some rows should
    be tried again later."""
    now = timezone.now()
    in_batch = Delivery.objects.filter(send_id=send_id, pk__gte=first, pk__lte=last)
    # A dead worker's rows that it handed over count as sent: the mail server has them.
    stale = now - timezone.timedelta(seconds=settings.SN_NEWSLETTER_CLAIM_SECONDS)
    in_batch.filter(status=Delivery.Status.SENDING, handed_over=True, claimed_at__lt=stale).update(
        status=Delivery.Status.SENT, sent_at=F("claimed_at")
    )
    # Addresses that bounced or complained since the send was snapshotted get nothing.
    in_batch.filter(status=Delivery.Status.QUEUED, subscriber__suppressed_at__isnull=False).update(
        status=Delivery.Status.SUPPRESSED
    )
    with transaction.atomic():
        claimed = list(in_batch.filter(_claimable(now)).select_for_update(skip_locked=True).order_by("pk"))
        in_batch.filter(pk__in=[d.pk for d in claimed]).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    counts = {"sent": 0, "failed": 0, "retry": 0}
    if not claimed:
        return counts
    send = Send.objects.select_related("newsletter").get(pk=send_id)
    mailer = courier(send, send.newsletter.specific)
    last_error = ""
    sent: list[int] = []
    try:
        with _quick_commits():
            for delivery in claimed:
                pace()
                rows = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING, claimed_at=now)
                try:
                    mailer.deliver(delivery, handing_over=lambda rows=rows: bool(rows.update(handed_over=True)))
                except Superseded:
                    continue
                except TemporaryFailure as error:
                    last_error = str(error)[:500]
                    give_up = delivery.attempts + 1 >= MAX_ATTEMPTS
                    rows.update(
                        status=Delivery.Status.FAILED if give_up else Delivery.Status.QUEUED,
                        handed_over=False,
                        last_error=last_error,
                    )
                    counts["failed" if give_up else "retry"] += 1
                    continue
                except PermanentFailure as error:
                    rows.update(status=Delivery.Status.FAILED, handed_over=False, last_error=str(error)[:500])
                    counts["failed"] += 1
                    continue
                sent.append(delivery.pk)
                counts["sent"] += 1
                if len(sent) >= MARK_SENT_EVERY:
                    _mark_sent(sent)
    finally:
        _mark_sent(sent)
        mailer.close()
    if counts["retry"]:
        raise TemporaryFailure(f"{counts['retry']} to try again: {last_error}")
    return counts


# Handed over means sent, for recovery, so "sent" is written for many rows at a time.
MARK_SENT_EVERY = 100


def _mark_sent(pks: list[int]) -> None:
    if pks:
        Delivery.objects.filter(pk__in=pks).update(status=Delivery.Status.SENT, sent_at=timezone.now())
        pks.clear()


@contextlib.contextmanager
def _quick_commits():
    """On PostgreSQL, the batch's many small writes commit without waiting for the disk. A killed
    worker loses nothing by it (the database server has the writes); only a crash of the database
    server itself could lose the last moment's marks, and so repeat a few messages."""
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def stale_batches(now=None) -> list[tuple[int, int, int]]:
    """(send, first, last) for every batch range holding a claim older than the claim timeout,
    queued rows of a send whose batches have all run, or rows of a send started longer ago than the
    claim timeout that were never tried: what the sweep queues again. Queuing a batch twice is safe:
    each row is claimed by one worker only."""
    now = now or timezone.now()
    stale = now - timezone.timedelta(seconds=settings.SN_NEWSLETTER_CLAIM_SECONDS)
    rows = (
        Delivery.objects.filter(send__status=Send.Status.SENDING)
        .filter(
            Q(status=Delivery.Status.SENDING, claimed_at__lt=stale)
            | Q(status=Delivery.Status.QUEUED, attempts__gt=0)
            # never tried, long after the send started: its batch's task was lost (the broker
            # restarted without persistence, or could not be reached when the send began)
            | Q(status=Delivery.Status.QUEUED, attempts=0, send__started_at__lt=stale)
        )
        .values_list("send_id", "pk")
        .order_by("send_id", "pk")
    )
    batches: dict[int, list[int]] = {}
    for send_id, pk in rows:
        batches.setdefault(send_id, []).append(pk)
    return [(send_id, pks[0], pks[-1]) for send_id, pks in batches.items()]
