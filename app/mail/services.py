"""Sending mail: render a text template, then SMTP or the outbox, always with a log row.

Links with tokens (reset, set-up, verification) never reach the log. Once SMTP took a mail, its text
is dropped; when SMTP refused it, the text is kept for the admins with every token masked. A live
link stays readable only in the outbox of a site without SMTP (development and demos read their
links there) and, between commit and delivery, in memory or (encrypted) in the worker's job.
"""

from __future__ import annotations

import json
import logging
import re
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import cast

from flask import Flask, current_app, has_app_context, render_template
from flask_babel import gettext as _
from sqlalchemy import Table, event, select, update
from sqlalchemy.orm import Session, SessionTransaction

from app import clock, crypto, jobs
from app.extensions import db
from app.mail.models import MailStatus, OutboxMessage

log = logging.getLogger(__name__)


_PENDING = "mail_after_commit"  # key in the session's info: {id: body} of mails queued in this transaction


def send_mail(recipient: str, subject: str, template: str, **context: object) -> OutboxMessage:
    """Send `templates/mail/<template>.txt` to one recipient; never raises on SMTP trouble.

    With SMTP the mail leaves only after the transaction that wrote it commits: a registration
    rolled back (an import with a bad row, a refused decision) never mails anyone about itself."""
    body = render_template(f"mail/{template}.txt", **context)
    message = OutboxMessage(recipient=recipient, subject=subject, body=body, status=MailStatus.OUTBOX)
    if current_app.config.get("MAIL_SERVER"):
        # The live links (reset, set-up, verification) never reach the database: the row keeps
        # them masked and the text that leaves with SMTP is held in memory until the commit.
        message.status, message.body = MailStatus.QUEUED, mask_tokens(body)
    else:
        log.info("mail into the outbox for %s: %s", mask_email(recipient), subject)
    db.session.add(message)
    db.session.flush()
    if message.status is MailStatus.QUEUED:
        db.session.info.setdefault(_PENDING, {})[message.id] = body
    return message


def mask_email(address: str) -> str:
    """b•••@perpusdes.id: enough to tell mails apart in a log, not to know who got them."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


@event.listens_for(Session, "after_transaction_end")
def _deliver_after_commit(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended (a savepoint's end is not enough): send what it committed.
    Rows rolled back (the whole transaction, or a savepoint) are simply not found."""
    if transaction.parent is not None or transaction.nested:
        return
    pending = session.info.pop(_PENDING, None)
    if pending and has_app_context():
        hand_over(pending)


def hand_over(bodies: dict[int, str]) -> None:
    """Committed mails leave through the RQ worker when there is one (one job for the transaction's
    mails, their text encrypted with the app's keys: reset and verification links never lie readable
    in Redis), otherwise (or when Redis does not answer) over SMTP from this process, at once."""
    if jobs.uses_worker():
        sealed = crypto.encrypt(json.dumps({str(k): v for k, v in bodies.items()}))
        jobs.enqueue("app.mail.services:deliver_sealed", sealed, fallback="inline")
    else:
        deliver_queued(bodies)


def deliver_sealed(sealed: str) -> None:
    """The worker's side of `hand_over`: open the texts and send them."""
    deliver_queued({int(k): v for k, v in json.loads(crypto.decrypt(sealed)).items()})


def sweep_queued(older_than: timedelta) -> tuple[int, int]:
    """Mails still queued `older_than` after they were written lost their worker job (a worker
    killed, Redis emptied): a stored text without a masked link is the mail itself and is sent
    again; one whose link was masked cannot be rebuilt, so it is marked failed with a reason the
    admins read in the outbox (the person asks for a new link). Returns (sent again, failed)."""
    cutoff = clock.now() - older_than
    stale = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == MailStatus.QUEUED, OutboxMessage.created_at < cutoff)
    ).all()
    tokenised = _token_link_pattern()
    lost = [m for m in stale if tokenised.search(m.body or "")]
    resend = {}
    table = cast(Table, OutboxMessage.__table__)
    for message in stale:
        if message not in lost:
            # Claimed by moving its time to now: a second sweep (another worker) skips it, and if
            # this process dies before sending, the next sweep after the period tries again.
            claim = db.session.execute(
                update(table)
                .where(table.c.id == message.id, table.c.status == MailStatus.QUEUED.value, table.c.created_at < cutoff)
                .values(created_at=clock.now())
            )
            if claim.rowcount:  # type: ignore[attr-defined]
                resend[message.id] = message.body or ""
    for message in lost:
        message.status = MailStatus.FAILED
        message.error = _(
            "Tidak terkirim: pekerjaan pengirimannya hilang (pekerja latar berhenti) dan tautan di dalamnya "
            "tidak disimpan. Minta orang itu meminta tautan baru."
        )
        log.warning("queued mail %s to %s lost its job: marked failed", message.id, mask_email(message.recipient))
    db.session.commit()
    if resend:
        log.warning("queued mails %s lost their job: sent again", sorted(resend))
        deliver_queued(resend)
    return len(resend), len(lost)


def deliver_queued(bodies: dict[int, str]) -> None:
    """Send the committed, still-queued mails among `bodies` (id: full text) over SMTP and record
    each outcome. Reads the rows again: a mail rolled back with its transaction is not there."""
    ids = list(bodies)
    table = cast(Table, OutboxMessage.__table__)
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(table.c.id, table.c.recipient, table.c.subject, table.c.body).where(
                table.c.id.in_(sorted(set(ids))), table.c.status == MailStatus.QUEUED.value
            )
        ).all()
    outcomes = []
    for row in rows:
        try:
            _deliver_smtp(row.recipient, row.subject, bodies.get(row.id) or row.body or "")
        except (OSError, smtplib.SMTPException) as exc:
            outcomes.append(
                {
                    "id": row.id,
                    "status": MailStatus.FAILED.value,
                    "error": str(exc)[:500],
                    "body": mask_tokens(row.body),
                }
            )
            log.warning("mail to %s failed: %s", mask_email(row.recipient), exc)
        else:
            outcomes.append({"id": row.id, "status": MailStatus.SENT.value, "error": None, "body": None})
            log.info("mail sent to %s: %s", mask_email(row.recipient), row.subject)
    if outcomes:
        with db.engine.begin() as conn:
            for outcome in outcomes:
                conn.execute(
                    update(table)
                    .where(table.c.id == outcome["id"])
                    .values(status=outcome["status"], error=outcome["error"], body=outcome["body"])
                )


def _deliver_smtp(recipient: str, subject: str, body: str) -> None:
    config = current_app.config
    msg = EmailMessage()
    msg["From"] = config["MAIL_DEFAULT_SENDER"]
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="sibimtek.id")
    msg.set_content(body)
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)


MASK = "••••••"


def _token_link_pattern() -> re.Pattern[str]:
    """Paths of the site's routes that take a `<token>` (/atur-sandi/, /verifikasi-email/, …), read
    from the URL map once per app, so a new tokenised link is masked without being listed here."""
    cache = current_app.extensions.setdefault("mail_token_pattern", {})
    if "pattern" not in cache:
        prefixes = sorted(
            {
                re.split(r"<(?:[^:>]+:)?token>", rule.rule)[0].rsplit(">", 1)[-1]
                for rule in current_app.url_map.iter_rules()
                if "token" in rule.arguments
            }
            - {"", "/"}
        )
        alternatives = "|".join(re.escape(prefix) for prefix in prefixes) or r"(?!x)x"
        cache["pattern"] = re.compile(rf"({alternatives})[^\s/?#<>\"']+")
    return cache["pattern"]


def mask_tokens(text: str | None) -> str | None:
    """`text` with the token of every tokenised link replaced by dots (the rest of the link kept)."""
    if not text:
        return text
    return _token_link_pattern().sub(lambda m: m.group(1) + MASK, text)


class TokenLinkFilter(logging.Filter):
    """Masks tokenised links in every log line that passes (request lines of the development server
    and gunicorn name the reset or verification path that was opened)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__()
        self.pattern = pattern

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.pattern.sub(lambda m: m.group(1) + MASK, message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def register_log_masking(app: Flask) -> None:
    """Put the filter on the request loggers and on every handler of the root logger."""
    with app.app_context():
        token_filter = TokenLinkFilter(_token_link_pattern())
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenLinkFilter) for f in logger.filters):
            logger.addFilter(token_filter)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, TokenLinkFilter) for f in handler.filters):
            handler.addFilter(token_filter)
