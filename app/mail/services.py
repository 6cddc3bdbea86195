"""Sending mail: render a text template, then SMTP or the outbox, always with a log row."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template

from app.extensions import db
from app.mail.models import MailStatus, OutboxMessage

log = logging.getLogger(__name__)


def send_mail(recipient: str, subject: str, template: str, **context: object) -> OutboxMessage:
    """Send `templates/mail/<template>.txt` to one recipient; never raises on SMTP trouble."""
    body = render_template(f"mail/{template}.txt", **context)
    message = OutboxMessage(recipient=recipient, subject=subject, body=body, status=MailStatus.OUTBOX)
    config = current_app.config
    if config.get("MAIL_SERVER"):
        try:
            _deliver_smtp(recipient, subject, body)
        except (OSError, smtplib.SMTPException) as exc:
            message.status = MailStatus.FAILED
            message.error = str(exc)[:500]
            log.warning("mail to %s failed: %s", recipient, exc)
        else:
            message.status = MailStatus.SENT
            message.body = None
            log.info("mail sent to %s: %s", recipient, subject)
    else:
        log.info("mail into the outbox for %s: %s\n%s", recipient, subject, body)
    db.session.add(message)
    db.session.flush()
    return message


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
