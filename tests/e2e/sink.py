#!/usr/bin/python3
"""Byte-exact SMTP sink for the end-to-end tests (stdlib only).

Why not smtp-sink(1)?  Its -d dump (Postfix 3.7) is not byte-exact: it strips
the CR of every CRLF and appends an empty line, and it creates the dump file
at MAIL FROM and fills it at end of DATA, so a test polling the directory sees
empty/partial files and cannot tell "arrived" from "in progress".

This sink:
  * listens on HOST:PORT, announces PIPELINING, 8BITMIME, SMTPUTF8, SIZE,
    ENHANCEDSTATUSCODES (so Postfix never downgrades 8-bit bodies to QP);
  * for every accepted message writes, in DIR:
        NNNNNN.env  the envelope, one "Key: value" per line:
                    X-Client-Addr, X-Helo-Args, X-Mail-Args, X-Rcpt-Args (one
                    per RCPT, in order), X-Sink-Size
        NNNNNN.eml  the message exactly as received after SMTP dot-unstuffing
                    (CRLF line ends as on the wire, 8-bit bytes untouched)
    The .eml is written to a temp file and renamed into place after the .env,
    so an existing NNNNNN.eml is always complete and has its .env;
  * numbers messages in arrival order, continuing after existing files, so a
    restarted sink on the same DIR never overwrites;
  * failure injection without restart: if DIR/.reply-data exists, its first
    line (e.g. "451 4.3.0 try later") is the reply to end-of-DATA and the
    message is NOT kept; same for DIR/.reply-rcpt for every RCPT TO;
  * logs one line per event to --log (default: stderr).
"""

import argparse
import os
import socket
import socketserver
import sys
import threading
import time

MAX_LINE = 1 << 20  # command/data line limit; Postfix folds at 998 anyway


class State:
    def __init__(self, directory, hostname, eightbit, logf):
        self.dir = directory
        self.hostname = hostname
        self.eightbit = eightbit
        self.logf = logf
        self.lock = threading.Lock()
        self.counter = 0
        for name in os.listdir(directory):
            stem, _, ext = name.partition(".")
            if ext in ("eml", "env") and stem.isdigit():
                self.counter = max(self.counter, int(stem))

    def next_id(self):
        with self.lock:
            self.counter += 1
            return "%06d" % self.counter

    def log(self, msg):
        with self.lock:
            self.logf.write("%s sink[%d]: %s\n" % (time.strftime("%H:%M:%S"), os.getpid(), msg))
            self.logf.flush()

    def injected(self, which):
        try:
            with open(os.path.join(self.dir, ".reply-" + which), "rb") as f:
                line = f.readline().strip()
            return line if line else None
        except FileNotFoundError:
            return None


class Handler(socketserver.StreamRequestHandler):
    timeout = 300

    def setup(self):
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def reply(self, line):
        if isinstance(line, str):
            line = line.encode()
        self.wfile.write(line + b"\r\n")
        self.wfile.flush()

    def handle(self):
        st = self.server.state
        peer = self.client_address[0]
        helo = None
        mail = None
        rcpts = []
        st.log("connect from %s" % peer)
        self.reply("220 %s ESMTP e2e-sink" % st.hostname)
        while True:
            raw = self.rfile.readline(MAX_LINE)
            if not raw:
                st.log("disconnect from %s (no QUIT)" % peer)
                return
            line = raw.rstrip(b"\r\n")
            verb, _, arg = line.partition(b" ")
            verb = verb.upper()
            sarg = arg.decode("utf-8", "surrogateescape")
            if verb == b"EHLO":
                helo, mail, rcpts = sarg, None, []
                ext = ["PIPELINING", "SIZE 0"]
                if st.eightbit:
                    ext += ["8BITMIME", "SMTPUTF8"]
                ext += ["ENHANCEDSTATUSCODES"]
                lines = [st.hostname] + ext
                for i, e in enumerate(lines):
                    self.reply("250%s%s" % ("-" if i < len(lines) - 1 else " ", e))
            elif verb == b"HELO":
                helo, mail, rcpts = sarg, None, []
                self.reply("250 %s" % st.hostname)
            elif verb == b"MAIL":
                if mail is not None:
                    self.reply("503 5.5.1 Error: nested MAIL command")
                elif not arg.upper().startswith(b"FROM:"):
                    self.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
                else:
                    mail, rcpts = sarg[5:].strip(), []
                    self.reply("250 2.1.0 Ok")
            elif verb == b"RCPT":
                if mail is None:
                    self.reply("503 5.5.1 Error: need MAIL command")
                elif not arg.upper().startswith(b"TO:"):
                    self.reply("501 5.5.4 Syntax: RCPT TO:<address>")
                else:
                    inj = st.injected("rcpt")
                    if inj:
                        st.log("rcpt %s refused by injection: %s" % (sarg[3:].strip(), inj.decode(errors="replace")))
                        self.reply(inj)
                    else:
                        rcpts.append(sarg[3:].strip())
                        self.reply("250 2.1.5 Ok")
            elif verb == b"DATA":
                if mail is None or not rcpts:
                    self.reply("503 5.5.1 Error: need RCPT command")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                if not self.receive(peer, helo, mail, rcpts):
                    return
                mail, rcpts = None, []
            elif verb == b"RSET":
                mail, rcpts = None, []
                self.reply("250 2.0.0 Ok")
            elif verb == b"NOOP":
                self.reply("250 2.0.0 Ok")
            elif verb == b"VRFY":
                self.reply("252 2.0.0 Send some mail, I'll try my best")
            elif verb == b"QUIT":
                self.reply("221 2.0.0 Bye")
                st.log("quit from %s" % peer)
                return
            else:
                self.reply("502 5.5.2 Error: command not recognized")

    def receive(self, peer, helo, mail, rcpts):
        st = self.server.state
        mid = st.next_id()
        tmp = os.path.join(st.dir, ".tmp-%s-%d" % (mid, os.getpid()))
        size = 0
        with open(tmp, "wb") as out:
            while True:
                raw = self.rfile.readline(MAX_LINE)
                if not raw:
                    out.close()
                    os.unlink(tmp)
                    st.log("%s: connection lost in DATA, message discarded" % mid)
                    return False
                if raw in (b".\r\n", b".\n"):
                    break
                if raw.startswith(b"."):
                    raw = raw[1:]
                out.write(raw)
                size += len(raw)
        inj = st.injected("data")
        if inj:
            os.unlink(tmp)
            st.log("%s: refused by injection: %s" % (mid, inj.decode(errors="replace")))
            self.reply(inj)
            return True
        env = ["X-Client-Addr: %s" % peer]
        if helo is not None:
            env.append("X-Helo-Args: %s" % helo)
        env.append("X-Mail-Args: %s" % mail)
        env += ["X-Rcpt-Args: %s" % r for r in rcpts]
        env.append("X-Sink-Size: %d" % size)
        envpath = os.path.join(st.dir, mid + ".env")
        with open(envpath + ".tmp", "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("\n".join(env) + "\n")
        os.rename(envpath + ".tmp", envpath)
        os.rename(tmp, os.path.join(st.dir, mid + ".eml"))
        st.log("%s: from=%s rcpts=%s size=%d" % (mid, mail, ",".join(rcpts), size))
        self.reply("250 2.0.0 Ok: queued as %s" % mid)
        return True


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 64


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", required=True, help="HOST:PORT, e.g. 127.0.0.1:2525")
    ap.add_argument("--dir", required=True, help="directory that receives NNNNNN.eml/.env")
    ap.add_argument("--pidfile", help="written once the socket listens")
    ap.add_argument("--hostname", default="sink.test")
    ap.add_argument("--no-8bitmime", action="store_true", help="do not announce 8BITMIME/SMTPUTF8")
    ap.add_argument("--log", help="log file (default stderr)")
    a = ap.parse_args()

    host, _, port = a.listen.rpartition(":")
    os.makedirs(a.dir, exist_ok=True)
    logf = open(a.log, "a", encoding="utf-8") if a.log else sys.stderr
    state = State(a.dir, a.hostname, not a.no_8bitmime, logf)
    srv = Server((host, int(port)), Handler)
    srv.state = state
    if a.pidfile:
        with open(a.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(a.pidfile + ".tmp", a.pidfile)
    state.log("listening on %s:%s, dir %s" % (host, port, a.dir))
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
