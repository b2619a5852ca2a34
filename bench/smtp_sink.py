"""A local SMTP server for bench/faults.py: accepts every message and, once its final "." has
come, appends one line per recipient to a file, so that deliveries can be counted per address (a
message whose sender died before the "." is thrown away, as a real mail server does).

    .venv/bin/python bench/smtp_sink.py PORT FILE
"""

import signal
import sys

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.out.write("".join(f"{recipient}\n" for recipient in envelope.rcpt_tos))
        self.out.flush()
        return "250 OK"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # before the server's thread starts, so it inherits it
    with open(path, "a") as out:
        controller = Controller(Recorder(out), hostname="127.0.0.1", port=port)
        controller.start()
        signal.sigwait(stop)
        controller.stop()


if __name__ == "__main__":
    main()
