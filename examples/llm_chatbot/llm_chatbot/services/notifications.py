"""Outgoing e-mail. The demo deployment has no mail relay, so messages are logged, never sent.

Log lines carry the masked recipient and the subject only: no body, no credentials.
"""

from __future__ import annotations

import logging

from ..security import mask_email

log = logging.getLogger(__name__)


def send_suspension_notice(email: str, display_name: str, university_name: str) -> None:
    subject = f"[{university_name}] Your chatbot account has been suspended"
    log.info("mail queued (fake relay): to=%s subject=%r", mask_email(email), subject)
