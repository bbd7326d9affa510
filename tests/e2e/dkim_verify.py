#!/usr/bin/python3
"""Verify the DKIM signatures of one message file, without DNS.

    dkim_verify.py --txt KEY.txt --domain example.com MESSAGE.eml

KEY.txt is the zone snippet written by opendkim-genkey, e.g.

    e2e._domainkey  IN  TXT  ( "v=DKIM1; h=sha256; k=rsa; "
          "p=MIIB..." )  ; ----- DKIM key e2e for example.com

The key lookup (dkimpy's dnsfunc) answers exactly one name,
"<owner>.<domain>." (e2e._domainkey.example.com.), with that record and
nothing else; no resolver is ever asked.

Prints one line per DKIM-Signature, topmost first:

    verified=true h=from:to:subject:... d=example.com s=e2e
    verified=false h=from:... d=example.com s=e2e reason="body hash mismatch..."

h= is the signature's h= tag, lower-cased, whitespace removed. Exit status
0 only if the message has at least one signature and every signature
verifies; 1 otherwise (also for an unreadable/unparsable message).
Needs Debian's python3-dkim: run it with /usr/bin/python3.
"""

import argparse
import logging
import re
import sys

try:
    import dkim
except ImportError as e:  # pragma: no cover - environment problem
    sys.stderr.write("dkim_verify.py: cannot import dkim (%s); use /usr/bin/python3 with python3-dkim\n" % e)
    sys.exit(1)


def read_txt_record(path, domain):
    """Return (fqdn_bytes, txt_bytes) from an opendkim-genkey .txt file:
    the owner name is the first token, the record the concatenation of the
    quoted strings up to the closing parenthesis (the ";" comment after it
    is ignored)."""
    with open(path, "r", encoding="ascii") as f:
        text = f.read()
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|[()]|;[^\n]*|[^\s"();]+', text)
    if not tokens:
        raise ValueError("%s: empty" % path)
    owner, strings = tokens[0], []
    for t in tokens[1:]:
        if t == ")":
            break
        if t.startswith('"'):
            strings.append(t[1:-1].replace('\\"', '"').replace("\\\\", "\\"))
    if owner.startswith('"') or not strings:
        raise ValueError("%s: not an opendkim-genkey TXT record" % path)
    txt = "".join(strings)
    if owner.endswith("."):
        fqdn = owner
    else:
        fqdn = "%s.%s." % (owner, domain.rstrip("."))
    return fqdn.lower().encode("ascii"), txt.encode("ascii")


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.messages = []

    def emit(self, record):
        try:
            self.messages.append(record.getMessage())
        except Exception:  # pragma: no cover
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--txt", required=True, help="opendkim-genkey SELECTOR.txt")
    ap.add_argument("--domain", required=True, help="the signing domain (d=)")
    ap.add_argument("message", help="message file (CRLF or LF line ends)")
    args = ap.parse_args()

    try:
        fqdn, txt = read_txt_record(args.txt, args.domain)
    except (OSError, ValueError) as e:
        sys.stderr.write("dkim_verify.py: %s\n" % e)
        return 1

    asked = []

    def dnsfunc(name, timeout=5):
        if isinstance(name, str):
            name = name.encode("ascii")
        asked.append(name)
        if name.lower().rstrip(b".") == fqdn.rstrip(b"."):
            return txt
        return None  # -> dkim.KeyFormatError("missing public key"): no DNS, ever

    try:
        with open(args.message, "rb") as f:
            msg = f.read()
    except OSError as e:
        sys.stderr.write("dkim_verify.py: %s\n" % e)
        return 1

    log = logging.getLogger("dkim_verify")
    log.propagate = False
    log.setLevel(logging.INFO)
    handler = ListHandler()
    log.addHandler(handler)

    try:
        d = dkim.DKIM(msg, logger=log, minkey=1024)
    except dkim.DKIMException as e:
        print('verified=false h= reason="%s"' % str(e).replace('"', "'"))
        return 1
    sigs = [v for (k, v) in d.headers if k.lower() == b"dkim-signature"]
    if not sigs:
        print('verified=false h= reason="no DKIM-Signature header"')
        return 1

    all_ok = True
    for idx, raw in enumerate(sigs):
        try:
            tags = dkim.util.parse_tag_value(raw)
        except Exception as e:  # InvalidTagValueList and friends
            tags = {}
            print('verified=false h= reason="unparsable signature: %s"' % str(e).replace('"', "'"))
            all_ok = False
            continue
        h = re.sub(rb"\s+", b"", tags.get(b"h", b"")).lower().decode("ascii", "replace")
        dom = tags.get(b"d", b"").decode("ascii", "replace")
        sel = tags.get(b"s", b"").decode("ascii", "replace")
        handler.messages.clear()
        reason = ""
        try:
            ok = bool(d.verify(idx=idx, dnsfunc=dnsfunc))
        except dkim.DKIMException as e:
            ok = False
            reason = str(e)
        if not ok and not reason:
            reason = "; ".join(m for m in handler.messages if m) or "signature did not verify"
        line = "verified=%s h=%s d=%s s=%s" % ("true" if ok else "false", h, dom, sel)
        if reason:
            line += ' reason="%s"' % reason.replace('"', "'").replace("\n", " ")[:300]
        print(line)
        all_ok = all_ok and ok
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
