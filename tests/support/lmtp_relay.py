"""The test MTA behind Dovecot's submission server: an aiosmtpd SMTP server that
hands every accepted message to Dovecot's LMTP service (final delivery).

Usage: lmtp_relay.py LISTEN_PORT LMTP_PORT
Prints "ready" on stdout once it listens.
"""
import smtplib
import sys
import time

from aiosmtpd.controller import Controller


class ToLmtp:
    def __init__(self, lmtp_port):
        self.lmtp_port = lmtp_port

    async def handle_DATA(self, server, session, envelope):
        try:
            with smtplib.LMTP("127.0.0.1", self.lmtp_port) as lmtp:
                refused = lmtp.sendmail(
                    envelope.mail_from, envelope.rcpt_tos, envelope.original_content
                )
        except smtplib.SMTPRecipientsRefused as e:
            code, text = next(iter(e.recipients.values()))
            return "%d %s" % (code, text.decode(errors="replace"))
        except smtplib.SMTPResponseException as e:
            return "%d %s" % (e.smtp_code, e.smtp_error.decode(errors="replace"))
        if refused:
            code, text = next(iter(refused.values()))
            return "%d %s" % (code, text.decode(errors="replace"))
        return "250 delivered"


def main():
    port, lmtp_port = int(sys.argv[1]), int(sys.argv[2])
    controller = Controller(ToLmtp(lmtp_port), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
