#!/usr/bin/env bash
# prospectctl suppress|consent: add/check/remove round trips, domains, IDNA
# and case, hashes, imports (plain, CSV, hashes, --strict, bad lines,
# idempotence), exports, counts, and the exit statuses of prospectctl(8).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
: "${PROSPECTCTL:?PROSPECTCTL must name the prospectctl binary}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The corpus policy with absolute paths, and a store under $tmp.
sed "s|\.\./\.\./conf/|$source_dir/conf/|g" "$source_dir/tests/corpus/policy.conf" >"$tmp/policy.conf"
printf 'store: { path = "%s/store"; };\n' "$tmp" >>"$tmp/policy.conf"

failures=0 passed=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { passed=$((passed + 1)); }

# run ARGS...: prospectctl with the test policy; sets $out, $err, $status.
run() {
    "$PROSPECTCTL" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    out=$(<"$tmp/out") err=$(<"$tmp/err")
}
# ctl TABLE ACTION ARGS...: run with -c the test policy.
ctl() { run "$1" "$2" -c "$tmp/policy.conf" "${@:3}"; }

expect_status() {  # expected, what
    if [[ "$status" == "$1" ]]; then pass; else fail "$2: exit $status, expected $1 (stdout: $out; stderr: $err)"; fi
}
expect_line() {  # text exact line expected in $out, what
    if grep -qxF -- "$1" <<<"$out"; then pass; else fail "$2: no line [$1] in stdout: $out"; fi
}
expect_out() {  # regex expected in $out, what
    if grep -qE -- "$1" <<<"$out"; then pass; else fail "$2: [$1] not in stdout: $out"; fi
}
expect_err() {  # regex expected in $err, what
    if grep -qE -- "$1" <<<"$err"; then pass; else fail "$2: [$1] not in stderr: $err"; fi
}
expect_eq() {  # expected, got, what
    if [[ "$1" == "$2" ]]; then pass; else fail "$3: got [$2], expected [$1]"; fi
}
hash_of() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# --- suppress add / check / remove: a round trip --------------------------
jane=$(hash_of jane@client.fr)
ctl suppress add jane@client.fr --campaign spring --note "asked by phone"
expect_status 0 "add"
expect_line "suppressed jane@client.fr ($jane)" "add prints the normalised address and its hash"
ctl suppress add Jane@CLIENT.fr
expect_status 0 "add again"
expect_out "^already suppressed since [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z \(source cli, campaign \"spring\", note \"asked by phone\"\): jane@client.fr \($jane\)$" \
    "add again keeps the first entry and shows it"
ctl suppress check jane@client.fr
expect_status 1 "check of a suppressed address"
expect_out "^suppressed jane@client.fr \($jane\) since .* \(source cli, campaign \"spring\", note \"asked by phone\"\)$" "check shows the entry"
ctl suppress check paul@client.fr
expect_status 0 "check of an address not suppressed"
expect_line "not suppressed paul@client.fr ($(hash_of paul@client.fr))" "check says not suppressed"
ctl suppress check paul@client.fr jane@client.fr
expect_status 1 "check: 1 when any is suppressed"
ctl suppress remove jane@client.fr
expect_status 0 "remove"
expect_line "removed jane@client.fr ($jane)" "remove says removed"
ctl suppress remove jane@client.fr
expect_status 0 "remove of what is not there"
expect_line "not suppressed jane@client.fr ($jane)" "remove says not suppressed"
ctl suppress check jane@client.fr
expect_status 0 "check after remove"

# --- invalid arguments: the valid ones are done, then 65 -------------------
ctl suppress add not-an-address anne@client.fr
expect_status 65 "add with an invalid argument"
expect_err "^prospectctl suppress add: not-an-address: " "the invalid argument is named"
expect_line "suppressed anne@client.fr ($(hash_of anne@client.fr))" "the valid argument is still done"

# --- whole domains --------------------------------------------------------
ctl suppress add @Blocked.FR
expect_status 0 "add a domain"
expect_line "suppressed @blocked.fr ($(hash_of @blocked.fr))" "a domain's key is the hash of @domain"
ctl suppress check zoe@blocked.fr
expect_status 1 "an address of a suppressed domain"
expect_out "^suppressed zoe@blocked.fr \($(hash_of zoe@blocked.fr)\) by its whole domain @blocked.fr since " "check names the domain"
ctl suppress check zoe@sub.blocked.fr
expect_status 0 "a subdomain is another domain"
ctl suppress remove zoe@blocked.fr
expect_out "^note: zoe@blocked.fr stays suppressed by its whole domain @blocked.fr since " "remove warns of the domain"
ctl suppress check @blocked.fr
expect_status 1 "check of the domain itself"

# --- IDNA and case ----------------------------------------------------------
idna=$(hash_of jane.doe@xn--bcher-kva.example)
ctl suppress add 'Jane.Doe@BÜCHER.example'
expect_status 0 "add an IDN address"
expect_line "suppressed jane.doe@xn--bcher-kva.example ($idna)" "normalised to lower case and the A-label"
ctl suppress check 'jane.doe@bücher.example'
expect_status 1 "found in U-label spelling"
ctl suppress check 'JANE.DOE@XN--BCHER-KVA.EXAMPLE'
expect_status 1 "found in upper-case A-label spelling"

# --- hashes as arguments ----------------------------------------------------
crm=$(hash_of crm.only@client.fr)
ctl suppress add "${crm^^}"
expect_status 0 "add a hash (upper-case hex)"
expect_line "suppressed $crm" "a hash is shown in lower case"
ctl suppress check crm.only@client.fr
expect_status 1 "the address of an added hash is suppressed"
ctl suppress check "$idna"
expect_status 1 "check by hash"
expect_out "^suppressed $idna since " "check by hash prints the hash"
ctl suppress remove "$crm"
expect_line "removed $crm" "remove by hash"

# --- count and export -----------------------------------------------------
ctl suppress count
expect_status 0 "count"
expect_eq 3 "$out" "count: anne, @blocked.fr, the IDN address"
ctl suppress export
expect_status 0 "export"
expect_eq "hash,date,source,campaign,note" "$(head -1 <<<"$out")" "export header"
expect_eq 4 "$(wc -l <<<"$out")" "export: header and 3 rows"
expect_out "^$idna,[0-9]{4}-[0-9]{2}-[0-9]{2},cli,,$" "export row of a known address"
ctl suppress add note.test@client.fr --campaign 'a,b' --note 'say "stop"' --source mailto
ctl suppress export -o "$tmp/export.csv"
expect_status 0 "export to a file"
expect_eq "" "$out" "export to a file prints nothing"
expect_eq "$(hash_of note.test@client.fr),$(date -u +%F),mailto,\"a,b\",\"say \"\"stop\"\"\"" \
    "$(grep "^$(hash_of note.test@client.fr)," "$tmp/export.csv")" "export quotes CSV fields"
expect_eq 600 "$(stat -c %a "$tmp/export.csv")" "the export file is readable by its owner only"

# --- import: plain lines, bad lines, idempotence ---------------------------
list="$tmp/list.txt"
python3 - "$list" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("# objections from the CRM\n")
    for i in range(2, 1002):
        if i in (10, 500, 1001):
            f.write("bad-line-%d\n" % i)
        else:
            f.write("Person%d@Import.Example\n" % i)
PY
ctl suppress import --store "$tmp/import" "$list"
expect_status 65 "import with 3 bad lines"
expect_line "imported 997 lines: 997 new, 0 already suppressed, 3 bad" "import summary"
for n in 10 500 1001; do
    expect_err "^$list:$n: bad-line-$n: " "bad line $n reported with its number"
done
expect_eq 3 "$(grep -c "^$list:" <<<"$err")" "exactly the 3 bad lines reported"
ctl suppress count --store "$tmp/import"
expect_eq 997 "$out" "997 imported"
ctl suppress check --store "$tmp/import" person2@import.example person1000@import.example
expect_status 1 "first and last imported addresses are suppressed"
ctl suppress import --store "$tmp/import" --batch 100 "$list"
expect_line "imported 997 lines: 0 new, 997 already suppressed, 3 bad" "re-import adds nothing"
ctl suppress count --store "$tmp/import"
expect_eq 997 "$out" "count unchanged by re-import"
grep -v bad-line "$list" >"$tmp/clean.txt"
ctl suppress import --store "$tmp/import" - <"$tmp/clean.txt"
expect_status 0 "import from standard input, no bad line"
expect_line "imported 997 lines: 0 new, 997 already suppressed, 0 bad" "standard input read whole"

# --- import: --strict -----------------------------------------------------------
# 998 new addresses, then a bad line, then another: in transactions of 10,
# nothing may be written.
strict_list="$tmp/strict.txt"
{ for i in $(seq 1 998); do echo "strict$i@import.example"; done; echo bad-line-999; echo bad-line-1000; } >"$strict_list"
ctl suppress import --store "$tmp/import" --strict --batch 10 "$strict_list"
expect_status 65 "--strict with bad lines"
expect_err "^$strict_list:999: bad-line-999: " "--strict reports the first bad line"
if grep -q ":1000:" <<<"$err"; then fail "--strict stops at the first bad line"; else pass; fi
expect_line "imported 0 lines: 0 new, 0 already suppressed, 1 bad" "--strict imports nothing"
ctl suppress count --store "$tmp/import"
expect_eq 997 "$out" "--strict left the store as it was"
ctl suppress check --store "$tmp/import" strict1@import.example
expect_status 0 "not even the first line of a --strict import is written"
head -998 "$strict_list" >"$tmp/strict-clean.txt"
ctl suppress import --store "$tmp/import" --strict - <"$tmp/strict-clean.txt"
expect_status 0 "--strict without a bad line"
expect_line "imported 998 lines: 998 new, 0 already suppressed, 0 bad" "--strict imports a clean file"

# --- import: CSV with a column, and hashes ---------------------------------
cat >"$tmp/crm.csv" <<'CSV'
"Name",E-Mail,Company
"Doe, Jane",jane.csv@client.fr,Client SA
# a comment line

Bob,"bob.csv@CLIENT.fr",Client SA
Nobody,,Client SA
CSV
ctl suppress import --store "$tmp/csv" --column e-mail "$tmp/crm.csv"
expect_status 65 "CSV import with an empty cell"
expect_line "imported 2 lines: 2 new, 0 already suppressed, 1 bad" "CSV import summary"
expect_err "^$tmp/crm.csv:6: column \"e-mail\" is empty" "the empty cell's line"
ctl suppress check --store "$tmp/csv" jane.csv@client.fr bob.csv@client.fr
expect_status 1 "CSV addresses suppressed"
expect_eq 2 "$(grep -c '^suppressed' <<<"$out")" "both CSV addresses suppressed"
ctl suppress import --store "$tmp/csv" --column email "$tmp/crm.csv"
expect_status 65 "CSV import naming a missing column"
expect_err "no column \"email\" in the header \(columns: Name, E-Mail, Company\)" "the columns are listed"

{ hash_of h1@client.fr; hash_of h2@client.fr; echo h3@client.fr; } >"$tmp/hashes.txt"
ctl suppress import --store "$tmp/hashes" --hashes "$tmp/hashes.txt"
expect_status 65 "--hashes with an address line"
expect_line "imported 2 lines: 2 new, 0 already suppressed, 1 bad" "--hashes summary"
expect_err "^$tmp/hashes.txt:3: h3@client.fr: not a SHA-256 hash" "an address is a bad line under --hashes"
ctl suppress check --store "$tmp/hashes" h1@client.fr h2@client.fr
expect_eq 2 "$(grep -c '^suppressed' <<<"$out")" "hashes imported"

# --- consent ------------------------------------------------------------------
jo=$(hash_of jo.doe@gmail.com)
ctl consent add Jo.Doe@Gmail.com --source web-form --proof "form 12, 192.0.2.7" --date 2025-03-01
expect_status 0 "consent add"
expect_line "consent recorded jo.doe@gmail.com ($jo)" "consent add prints the key"
ctl consent check jo.doe@gmail.com
expect_status 0 "consent check of a consent"
expect_line "consent jo.doe@gmail.com ($jo) since 2025-03-01T00:00:00Z (source \"web-form\", proof \"form 12, 192.0.2.7\")" \
    "consent check shows date, source and proof"
ctl consent check jo.doe@gmail.com al@gmail.com
expect_status 1 "consent check: 1 when any lacks consent"
expect_line "no consent al@gmail.com ($(hash_of al@gmail.com))" "consent check says no consent"
ctl consent add jo.doe@gmail.com --source phone
expect_out "^consent replaced jo.doe@gmail.com \($jo\), was since 2025-03-01T00:00:00Z \(source \"web-form\"" "consent add replaces and shows what it replaced"
ctl consent add @gmail.com --source web-form
expect_status 65 "consent for a whole domain"
ctl consent add al@gmail.com
expect_status 64 "consent add without --source"
ctl consent export
expect_eq "hash,date,source,proof" "$(head -1 <<<"$out")" "consent export header"
expect_line "$jo,$(date -u +%F),phone," "consent export row"
ctl consent remove jo.doe@gmail.com
expect_line "consent removed jo.doe@gmail.com ($jo)" "consent remove"
ctl consent check jo.doe@gmail.com
expect_status 1 "no consent after remove"

cat >"$tmp/consents.csv" <<'CSV'
email,proof
ann@gmail.com,"newsletter form, 2025-01-02"
ben@gmail.com,
@gmail.com,x
CSV
ctl consent import --column email --proof-column proof --proof "CRM export" --date 2025-01-02 "$tmp/consents.csv"
expect_status 65 "consent import with a domain line"
expect_line "imported 2 lines: 2 new, 0 already had consent, 1 bad" "consent import summary"
ctl consent check ann@gmail.com ben@gmail.com
expect_status 0 "imported consents"
expect_out "^consent ann@gmail.com .* since 2025-01-02T00:00:00Z \(source \"import\", proof \"newsletter form, 2025-01-02\"\)$" "proof from the column"
expect_out "^consent ben@gmail.com .*proof \"CRM export\"\)$" "--proof for an empty proof cell"
ctl consent import --column email --source other "$tmp/consents.csv"
expect_line "imported 2 lines: 0 new, 2 already had consent, 1 bad" "consent re-import keeps the consents"
ctl consent check ann@gmail.com
expect_out "source \"import\", proof \"newsletter form" "the first proof of consent stands"
ctl consent count
expect_eq 2 "$out" "consent count"
ctl consent export
expect_eq 3 "$(wc -l <<<"$out")" "consent export: header and 2 rows"
expect_line "$(hash_of ann@gmail.com),2025-01-02,import,\"newsletter form, 2025-01-02\"" "consent export quotes the proof"

# --- exit statuses ------------------------------------------------------------
printf 'organisation: { name = ; };\n' >"$tmp/bad.conf"
run suppress check -c "$tmp/bad.conf" jane@client.fr
expect_status 78 "bad policy"
expect_err "^$tmp/bad.conf:1: " "the policy error has file and line"
run suppress check -c "$tmp/missing.conf" jane@client.fr
expect_status 78 "missing policy"
ctl suppress import "$tmp/no-such-file"
expect_status 66 "missing import file"
expect_err "cannot read $tmp/no-such-file" "the missing file is named"
ctl consent import "$tmp"
expect_status 66 "a directory as import file"
ctl suppress check --store "$tmp/no-store" jane@client.fr
expect_status 74 "check on a store that does not exist"
expect_err "$tmp/no-store" "the store error names the store"
ctl suppress export -o "$tmp/no-dir/x.csv"
expect_status 73 "export to a file that cannot be created"
ctl suppress add
expect_status 64 "add without arguments"
ctl suppress frobnicate x
expect_status 64 "unknown action"
ctl suppress add --hashes jane@client.fr
expect_status 64 "an option of another action"
ctl suppress import --batch 0 "$list"
expect_status 64 "--batch 0"
ctl suppress add --source web jane@client.fr
expect_status 64 "an unknown suppression source"
ctl consent add --source x --date 2025-02-30 jane@client.fr
expect_status 64 "a date that does not exist"
ctl suppress import "$list" "$list"
expect_status 64 "import of two files"
run suppress
expect_status 64 "suppress without an action"
run suppress --help
expect_status 0 "--help"
expect_out "prospectctl suppress import" "--help prints the usage"

echo "$passed passed, $failures failed"
((failures == 0))
