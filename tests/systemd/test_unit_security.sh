#!/usr/bin/env bash
# test_unit_security.sh - checks a unit of systemd/ offline (default
# prospect-milter.service; the purge service is checked too, see tests/CMakeLists.txt).
#
# 1. systemd-analyze security --offline=true must rate the unit's overall
#    exposure at MAX_EXPOSURE (2.5) or lower.
# 2. systemd-analyze verify must have nothing to say about the unit (unknown
#    keys, bad values, missing commands). Run only where verify works without
#    systemd as PID 1; skipped otherwise. A missing /usr/sbin/prospect-milter
#    is tolerated (not installed yet) and reported.
#
# Usage: test_unit_security.sh [UNIT_FILE]
# Exit: 0 pass, 1 fail, 77 skip (systemd-analyze missing or too old).
set -u

MAX_EXPOSURE=2.5
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
unit=${1:-$here/../../systemd/prospect-milter.service}
name=${unit##*/}

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "SKIP: systemd-analyze not found"
    exit 77
fi
if [ ! -r "$unit" ]; then
    echo "FAIL: cannot read $unit"
    exit 1
fi

# --- 1. exposure rating ----------------------------------------------------
report=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1)
line=$(printf '%s\n' "$report" | grep -m1 'Overall exposure level')
if [ -z "$line" ]; then
    if printf '%s\n' "$report" | grep -qiE 'unrecognized option|unknown option'; then
        echo "SKIP: systemd-analyze has no --offline (systemd older than 250)"
        exit 77
    fi
    printf '%s\n' "$report"
    echo "FAIL: no 'Overall exposure level' line from systemd-analyze security"
    exit 1
fi
# "→ Overall exposure level for prospect-milter.service: 1.4 OK 🙂"
exposure=$(printf '%s\n' "$line" | sed -n 's/.*Overall exposure level for [^:]*: *\([0-9][0-9]*\.[0-9]*\).*/\1/p')
if [ -z "$exposure" ]; then
    echo "FAIL: cannot parse exposure from: $line"
    exit 1
fi
if awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e + 0 <= m + 0) }'; then
    echo "ok: $name exposure $exposure <= $MAX_EXPOSURE"
else
    printf '%s\n' "$report" | grep '✗'
    echo "FAIL: $name exposure $exposure > $MAX_EXPOSURE"
    exit 1
fi

# --- 2. verify ---------------------------------------------------------------
# systemd-analyze verify exits 0 even on unknown keys and unparsable values,
# so any message about the unit counts as a failure.
probe_dir=$(mktemp -d) || exit 1
trap 'rm -rf "$probe_dir"' EXIT
printf '[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/true\n' \
    > "$probe_dir/pm-verify-probe.service"
if ! probe=$(systemd-analyze verify --man=no "$probe_dir/pm-verify-probe.service" 2>&1) \
   || [ -n "$probe" ]; then
    echo "skip: systemd-analyze verify does not work here: ${probe:-exit status}"
    exit 0
fi

messages=$(systemd-analyze verify --man=no "$unit" 2>&1 | grep -F "${name%.service}")
status=0
while IFS= read -r msg; do
    [ -n "$msg" ] || continue
    case "$msg" in
        *"Command /usr/sbin/prospect-milter is not executable"*|*"Command /usr/bin/prospectctl is not executable"*)
            program=${msg#*Command }; program=${program%% is not executable*}
            if [ ! -e "$program" ]; then
                echo "note: $program not installed; verify cannot check it"
                continue
            fi ;;
    esac
    echo "verify: $msg"
    status=1
done <<< "$(printf '%s\n' "$messages" | sort -u)"
if [ "$status" -ne 0 ]; then
    echo "FAIL: systemd-analyze verify reports problems in $name"
    exit 1
fi
echo "ok: $name passes systemd-analyze verify"
exit 0
