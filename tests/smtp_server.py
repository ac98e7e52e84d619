"""A real SMTP server on 127.0.0.1 in a thread, for the tests of sending mail:
as slow as asked, refusing the first messages if asked, keeping what it gets.

It speaks just enough of RFC 5321 for smtplib (EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT), without TLS or authentication (SMTP_TLS=none).
"""

import socketserver
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes, policy


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, delay=0.0, refuse=0):
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        self.delay = delay  # seconds before each reply
        self.refuse = refuse  # how many messages to refuse (451) before taking any
        self.messages = []
        self.lock = threading.Lock()

    @property
    def port(self):
        return self.server_address[1]

    def take(self, data):
        """True if the message is accepted."""
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                return False
            self.messages.append(message_from_bytes(data, policy=policy.default))
            return True


class SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        time.sleep(self.server.delay)
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 localhost test SMTP server")
        while line := self.rfile.readline():
            command = line.decode().strip().split(" ", 1)[0].upper()
            if command == "EHLO":
                self.reply("250-localhost")
                self.reply("250 8BITMIME")
            elif command in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                accepted = self.server.take(self.read_data())
                self.reply("250 OK" if accepted else "451 Try again later")
            elif command == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Not implemented")

    def read_data(self):
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-stuffing
        return b"".join(lines)


@contextmanager
def smtp_server(app=None, **options):
    """Run a server; with ``app``, point the app's SMTP settings at it."""
    server = SMTPServer(**options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    if app is not None:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TLS="none")
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
