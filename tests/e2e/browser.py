#!/usr/bin/python3
"""Open a page in headless Chromium, submit its one form, report both pages.

    /usr/bin/python3 tests/e2e/browser.py [--lang fr] [--timeout 10] URL

Drives Debian's chromium (/usr/bin/chromium) through chromedriver
(/usr/bin/chromedriver) with selenium (python3-selenium 4.8.3). Run it with
/usr/bin/python3: the modules are Debian packages.

Prints ONE JSON object on stdout (one line), e.g.

    {"url": "...", "status": 200, "status_ok": true, "title": "...",
     "text_before": "...", "method_used": "POST", "form_action": "...",
     "url_after": "...", "status_after": 200, "status_after_ok": true,
     "title_after": "...", "text_after": "..."}

  title, text_before   the page's <title> and visible body text (innerText
                       as WebDriver sees it)
  status, status_ok    HTTP status of the page (Navigation Timing
                       responseStatus; null if unknown) and 200 <= status < 300
  method_used          the method the form was submitted with, as far as the
                       DOM tells: the button's formmethod, else the form's
                       method, upper-cased ("POST", "GET")
  text_after ...       the same for the page the submission navigated to

Exit status: 0 success; 2 the page has no form with exactly one submit
button (the JSON is still printed, without the *_after fields, with
"error"); 1 anything else (message on stderr; page load failure, no
navigation within --timeout seconds after the click, ...).

Network: only loopback. The URL must be http(s) on 127.0.0.0/8, ::1 or
localhost (refused otherwise); chromium gets no proxy, a host resolver that
answers nothing but localhost, and background networking, component
updates, sync, QUIC etc. off. chromedriver listens on localhost only (its
default) on a port chosen on 127.0.0.1. Selenium Manager (which would
download a driver) is only used by selenium 4.8.3 when the driver path does
not exist; the path is checked first, so it never runs.

Processes: this script makes itself a child subreaper, so chromium's
helpers stay its descendants even if chromedriver dies first. At the end
(success, error, SIGTERM/SIGINT/SIGHUP) driver.quit() runs, then any
process still left below this one is ended by PID (TERM, then KILL) and
reaped, and the temporary profile is removed.
"""

import argparse
import ctypes
import ipaddress
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

PR_SET_CHILD_SUBREAPER = 36


def die(msg, code=1):
    sys.stderr.write("browser.py: %s\n" % msg)
    sys.exit(code)


def is_loopback_url(url):
    try:
        u = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    if u.scheme not in ("http", "https") or not u.hostname:
        return False
    host = u.hostname
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def become_subreaper():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def children_of(pid):
    """PIDs whose parent is pid (zombies included: they need reaping)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d, "rb") as f:
                st = f.read().decode("ascii", "replace")
        except OSError:
            continue
        rest = st[st.rfind(")") + 2:].split()
        if len(rest) > 1 and rest[1] == str(pid):
            out.append((int(d), st[st.find("(") + 1:st.rfind(")")], rest[0]))
    return out


def reap_leftovers(report):
    """End every remaining descendant by PID: TERM, wait 3 s, KILL; reap.
    Returns the list of (pid, comm) that were still alive."""
    me = os.getpid()
    ended = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        # reap zombies first (ours, possibly re-parented to us)
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if pid == 0:
                break
        kids = [(p, c) for (p, c, s) in children_of(me) if s != "Z"]
        if not kids:
            return ended
        for p, c in kids:
            if (p, c) not in ended:
                ended.append((p, c))
            try:
                os.kill(p, signal.SIGTERM)
            except ProcessLookupError:
                pass
        t = time.monotonic() + 3
        while time.monotonic() < t and any(s != "Z" for (_, _, s) in children_of(me)):
            time.sleep(0.05)
        for p, c, s in children_of(me):
            if s != "Z":
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        time.sleep(0.05)
    if report:
        sys.stderr.write("browser.py: processes still alive after cleanup: %r\n" % children_of(me))
    return ended


class Terminated(BaseException):
    pass


def on_signal(signum, _frame):
    raise Terminated(signum)


def main():
    ap = argparse.ArgumentParser(description="Open URL in headless Chromium, submit its single form.")
    ap.add_argument("--lang", default="en", help="UI language and Accept-Language (e.g. fr, fr-FR, de)")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds for each page load / the navigation after the click")
    ap.add_argument("--chromium", default=CHROMIUM)
    ap.add_argument("--chromedriver", default=CHROMEDRIVER)
    ap.add_argument("--keep-profile", action="store_true", help="do not remove the temporary profile (debugging)")
    ap.add_argument("url")
    args = ap.parse_args()

    if not is_loopback_url(args.url):
        die("refusing %r: only http(s) URLs on loopback (127.0.0.0/8, ::1, localhost)" % args.url)
    for path in (args.chromium, args.chromedriver):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            # never let selenium fall back to Selenium Manager (network)
            die("%s is missing or not executable" % path)

    # No proxy, ever: urllib (selenium's /shutdown call), urllib3 (the
    # WebDriver connection) and chromium would all honour these.
    for k in list(os.environ):
        if k.lower() in ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy", "socks_proxy"):
            del os.environ[k]
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "localhost,127.0.0.1,::1"

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    become_subreaper()

    try:
        from selenium import webdriver
        from selenium.common.exceptions import TimeoutException, WebDriverException
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError as e:
        die("cannot import selenium (%s); run with /usr/bin/python3 (python3-selenium)" % e)

    tmp = tempfile.mkdtemp(prefix="e2e-browser.")
    driver = None
    service = None
    result = {"url": args.url}
    rc = 1
    try:
        opts = webdriver.ChromeOptions()
        opts.binary_location = args.chromium
        for a in (
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage",
            "--disable-default-apps", "--disable-extensions",
            "--disable-domain-reliability", "--disable-client-side-phishing-detection",
            "--disable-breakpad", "--disable-crash-reporter", "--metrics-recording-only",
            "--password-store=basic",
            "--no-pings", "--no-proxy-server",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.*, EXCLUDE [::1]",
            "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,"
            "CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions",
            "--user-data-dir=%s" % os.path.join(tmp, "profile"),
            "--disk-cache-dir=%s" % os.path.join(tmp, "cache"),
            "--lang=%s" % args.lang,
            "--window-size=1024,768",
        ):
            opts.add_argument(a)
        opts.add_experimental_option("prefs", {"intl.accept_languages": args.lang})
        opts.page_load_strategy = "normal"

        # port chosen by binding 127.0.0.1:0 (selenium's free_port);
        # chromedriver itself listens on localhost only.
        service = Service(executable_path=args.chromedriver, port=0,
                          log_path=os.path.join(tmp, "chromedriver.log"),
                          env=dict(os.environ, HOME=tmp))
        try:
            driver = webdriver.Chrome(service=service, options=opts)
        except WebDriverException as e:
            log = ""
            try:
                with open(os.path.join(tmp, "chromedriver.log"), errors="replace") as f:
                    log = "".join(f.readlines()[-20:])
            except OSError:
                pass
            die("cannot start chromium/chromedriver: %s\n%s" % (str(e).strip(), log))
        driver.set_page_load_timeout(args.timeout)

        def page_state(prefix):
            st = driver.execute_script(
                "var n = performance.getEntriesByType('navigation')[0];"
                "return n && typeof n.responseStatus === 'number' ? n.responseStatus : null;")
            out = {
                "title": driver.title,
                "text": driver.find_element(By.TAG_NAME, "body").text,
                "status": st,
                "status_ok": isinstance(st, int) and 200 <= st < 300,
                "url": driver.current_url,
            }
            return {(k if not prefix else k + "_" + prefix): v for k, v in out.items()}

        try:
            driver.get(args.url)
        except TimeoutException:
            die("page did not load within %gs: %s" % (args.timeout, args.url))
        before = page_state("")
        result.update({"status": before["status"], "status_ok": before["status_ok"],
                       "title": before["title"], "text_before": before["text"]})
        result["lang"] = driver.execute_script("return navigator.language")

        buttons = driver.find_elements(
            By.CSS_SELECTOR,
            "button:not([type]), button[type=submit], input[type=submit], input[type=image]")
        buttons = [b for b in buttons if driver.execute_script("return arguments[0].form !== null", b)]
        if len(buttons) != 1:
            result["error"] = "expected one form with one submit button, found %d submit button(s) in forms" % len(buttons)
            print(json.dumps(result, ensure_ascii=False))
            sys.stdout.flush()
            sys.stderr.write("browser.py: %s\n" % result["error"])
            rc = 2
            return rc
        btn = buttons[0]
        info = driver.execute_script(
            "var b = arguments[0], f = b.form;"
            "var m = b.hasAttribute('formmethod') ? b.formMethod : f.method;"
            "var a = b.hasAttribute('formaction') ? b.formAction : f.action;"
            "return [m, a, document.forms.length];", btn)
        result["method_used"] = (info[0] or "get").upper()
        result["form_action"] = info[1]
        result["forms"] = info[2]

        old_root = driver.find_element(By.TAG_NAME, "html")
        btn.click()
        try:
            WebDriverWait(driver, args.timeout).until(EC.staleness_of(old_root))
            WebDriverWait(driver, args.timeout).until(
                lambda d: d.execute_script("return document.readyState") == "complete")
        except TimeoutException:
            die("no navigation within %gs after clicking the submit button" % args.timeout)
        after = page_state("after")
        result.update({"url_after": after["url_after"], "status_after": after["status_after"],
                       "status_after_ok": after["status_ok_after"],
                       "title_after": after["title_after"], "text_after": after["text_after"]})
        print(json.dumps(result, ensure_ascii=False))
        sys.stdout.flush()
        rc = 0
        return rc
    except Terminated as t:
        sys.stderr.write("browser.py: terminated by signal %s\n" % t.args[0])
        rc = 128 + int(t.args[0])
        return rc
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
        return rc
    except Exception as e:  # selenium errors and the like
        sys.stderr.write("browser.py: %s: %s\n" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else ""))
        rc = 1
        return rc
    finally:
        # ignore further signals while cleaning up
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        if driver is not None:
            try:
                driver.quit()          # closes chromium, then stops chromedriver
            except Exception:
                pass
        elif service is not None and getattr(service, "process", None) is not None:
            try:
                service.stop()
            except Exception:
                pass
        left = reap_leftovers(report=True)
        if left:
            sys.stderr.write("browser.py: ended %d leftover process(es) by PID: %s\n" %
                             (len(left), ", ".join("%d(%s)" % pc for pc in left)))
        if not args.keep_profile:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            sys.stderr.write("browser.py: kept %s\n" % tmp)


if __name__ == "__main__":
    sys.exit(main())
