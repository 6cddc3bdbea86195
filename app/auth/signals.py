"""What accounts tell the domains above them, without importing them (blinker, as Indico does)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# The person has just proven they read this account's mailbox (verification link, or a password
# set through a mailed link). Sent with the User as sender; receivers add and flush, never commit.
email_proven = _signals.signal("email-proven")
