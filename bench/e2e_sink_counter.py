#!/usr/bin/env python3
"""Runs Postfix's smtp-sink with -c and time-stamps its message counter.

    e2e_sink_counter.py OUTFILE -- /usr/sbin/smtp-sink -c [options] ADDR:PORT BACKLOG

smtp-sink -c writes "sess=S quit=Q mesg=M" followed by a CR each time a
session ends, a QUIT is executed or a "." (end of DATA) is received, and
flushes it at once. This wrapper reads that stream from a pipe and, each
time M changes, appends "EPOCH_SECONDS M" (time.time(), microseconds) to
OUTFILE and flushes it: the time a message was accepted by the sink is read
from OUTFILE (see bench/e2e_run.sh).

smtp-sink is this process's child, with PR_SET_PDEATHSIG = SIGTERM; on
SIGTERM, SIGINT or SIGHUP the wrapper sends SIGTERM to it, waits for it and
exits. Only the PID it started is signalled.
"""
import ctypes
import os
import re
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1


def _child_setup():
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.stderr.write("usage: e2e_sink_counter.py OUTFILE -- smtp-sink -c ARGS...\n")
        return 64
    out_path = sys.argv[1]
    child = subprocess.Popen(sys.argv[3:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             preexec_fn=_child_setup)

    def stop(signum, _frame):
        try:
            child.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        sys.exit(128 + signum)

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, stop)

    pattern = re.compile(rb"mesg=(\d+)")
    last = -1
    pending = b""
    fd = child.stdout.fileno()
    with open(out_path, "a", buffering=1) as out:
        out.write("%.6f 0\n" % time.time())
        while True:
            data = os.read(fd, 65536)
            if not data:
                break
            now = time.time()
            pending += data
            records = re.split(rb"[\r\n]", pending)
            pending = records.pop()
            for record in records:
                m = pattern.search(record)
                if m:
                    count = int(m.group(1))
                    if count != last:
                        out.write("%.6f %d\n" % (now, count))
                        last = count
    return child.wait()


if __name__ == "__main__":
    sys.exit(main())
