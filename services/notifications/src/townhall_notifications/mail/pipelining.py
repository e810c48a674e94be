"""One mail over an open SMTP connection, its envelope pipelined (RFC 2920) when offered.

Without pipelining a mail costs four round trips (MAIL, RCPT, DATA, the message), each
one a wait on the server; with it MAIL, RCPT and DATA go in one write and their three
replies are read together, then the message. smtplib has no pipelining, so this writes
the commands with its own `send` and reads with its `getreply`; a server that does not
advertise PIPELINING gets smtplib's `sendmail`. Failures raise what `sendmail` raises
(a refused sender, recipient or message), so callers tell bounces from retries alike.
"""

from __future__ import annotations

import re
import smtplib

_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


def send_message(smtp: smtplib.SMTP, sender: str, to: str, data: bytes) -> None:
    """Send `data` (CRLF line ends) from `sender` to `to` on `smtp`, after EHLO."""
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("pipelining"):
        smtp.sendmail(sender, [to], data)
        return
    smtp.send(f"MAIL FROM:<{sender}>\r\nRCPT TO:<{to}>\r\nDATA\r\n".encode())
    mail_reply, rcpt_reply, data_reply = smtp.getreply(), smtp.getreply(), smtp.getreply()
    if data_reply[0] == 354 and (mail_reply[0] != 250 or rcpt_reply[0] not in (250, 251)):
        # The server took DATA although the envelope failed: end the empty message.
        smtp.send(b".\r\n")
        smtp.getreply()
    if mail_reply[0] != 250:
        raise smtplib.SMTPSenderRefused(mail_reply[0], mail_reply[1], sender)
    if rcpt_reply[0] not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({to: rcpt_reply})
    if data_reply[0] != 354:
        raise smtplib.SMTPDataError(*data_reply)
    body = _LEADING_DOT.sub(b"..", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    smtp.send(body + b".\r\n")
    code, message = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, message)
