#!/usr/bin/env bash
# prospectctl register: the GDPR art. 30 record of processing built from a
# policy. Every value the policy declares must reach both the Markdown and
# the HTML record (escaped, never as markup); what it leaves out must say
# so; the HTML must stand alone (no script, no external resource); and bad
# policies and bad options get the exit statuses of prospectctl(8).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
: "${PROSPECTCTL:?PROSPECTCTL must name the prospectctl binary}"
: "${PROSPECT_MILTER:?PROSPECT_MILTER must name the prospect-milter binary (for the policy version)}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failures=0 passed=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { passed=$((passed + 1)); }

# run ARGS...: prospectctl register; sets $out, $err, $status.
run() {
    "$PROSPECTCTL" register "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    out=$(<"$tmp/out") err=$(<"$tmp/err")
}
expect_status() {  # expected, what
    if [[ "$status" == "$1" ]]; then pass; else fail "$2: exit $status, expected $1 (stderr: $err)"; fi
}
expect_err() {  # regex expected in $err, what
    if grep -qE -- "$1" <<<"$err"; then pass; else fail "$2: [$1] not in stderr: $err"; fi
}
contains() {  # haystack, needle, what
    if grep -qF -- "$2" <<<"$1"; then pass; else fail "$3: [$2] not found"; fi
}
lacks() {  # haystack, needle, what
    if grep -qF -- "$2" <<<"$1"; then fail "$3: [$2] found"; else pass; fi
}
count_of() { grep -oF -- "$2" <<<"$1" | wc -l; }
expect_eq() {  # expected, got, what
    if [[ "$1" == "$2" ]]; then pass; else fail "$3: got [$2], expected [$1]"; fi
}
html_escape() {
    local s=$1
    # (quoted replacements: bash 5.2 reads a bare & as the matched text)
    s=${s//&/'&amp;'} s=${s//</'&lt;'} s=${s//>/'&gt;'} s=${s//\"/'&quot;'} s=${s//\'/'&#39;'}
    printf '%s' "$s"
}
# What a Markdown reader sees of the text: a backslash before ASCII
# punctuation only makes it literal (CommonMark).
markdown_as_read() { perl -pe 's/\\([[:punct:]])/$1/g'; }

data_files="content: { keywords = \"$source_dir/conf/keywords.conf\"; };
consent: { consumer_domains = \"$source_dir/conf/consumer-domains.conf\";
           countries = \"$source_dir/conf/countries.conf\"; validity_days = 500; };"

# --- a policy that declares everything, with awkward characters -----------
key="$tmp/3.key"
(umask 077 && head -c 48 /dev/urandom | base64 >"$key")

org_name="Société Ærø & Fils <SAS> | Lyon"
org_alias="Ærø & Fils"
org_address="3 rue de l'Église & Cie, <Bât. B> | 69001 Lyon"
org_dpo="Zoé Délégué <dpo@exemple-test.fr> | +33 4 00 00 00 00"
org_privacy="https://www.exemple-test.fr/vie-privée?x=1&y=2"
org_domains=("exemple-test.fr" "envoi.exemple-test.fr")
org_measures=("Postes chiffrés & verrouillés <BitLocker> | audit" "Revue trimestrielle des accès * _ [x] é")

c1_id="printemps-2026"
c1_purpose="Présenter notre logiciel <Paie> & RH | aux DRH"
c1_source="Liste louée <Données & Co> | contrat n°14"
c1_people="DRH & responsables <RH> | PME à Lyon"
c1_data=("nom & prénom" "adresse <pro> | bureau" "- fonction # poste é")
c1_recipients=("équipe commerciale & marketing" "hébergeur CRM <UE> | sous-traitant")
c1_transfers=("Support <US> & clauses types | art. 46 é")

c2_id="conso_2026"
c2_purpose="Offres <grand public> & promotions | é"
c2_source="Jeu-concours <été> & partenaires | 2026"
c2_people="Particuliers & familles <FR> | é"
c2_data=("adresse électronique & âge" "préférences <produits> | é")
c2_recipients=("agence d'envoi & routage <ESP> | UE")
c2_transfers=("Hébergeur <CA> & décision d'adéquation | é")

list() { local first=1 v; for v in "$@"; do ((first)) || printf ', '; printf '"%s"' "$v"; first=0; done; }

cat >"$tmp/full.conf" <<EOF
dry_run = true;
failure_action = "accept";
milter: { socket = "inet:8899@127.0.0.1"; };
organisation: {
  name = "$org_name";
  aliases = [ "$org_alias" ];
  domains = [ $(list "${org_domains[@]}") ];
  postal_address = "$org_address";
  privacy_url = "$org_privacy";
  dpo = "$org_dpo";
  security_measures = [ $(list "${org_measures[@]}") ];
};
campaigns = (
  {
    id = "$c1_id";
    purpose = "$c1_purpose";
    audience = "b2b";
    legal_basis = "legitimate_interest";
    data_source = "$c1_source";
    start = "2026-03-01";
    end = "2027-02-28";
    retention_days = 400;
    country = "FR";
    data_categories = [ $(list "${c1_data[@]}") ];
    people = "$c1_people";
    recipients = [ $(list "${c1_recipients[@]}") ];
    transfers = [ $(list "${c1_transfers[@]}") ];
  },
  {
    id = "$c2_id";
    purpose = "$c2_purpose";
    audience = "b2c";
    legal_basis = "legitimate_interest";
    data_source = "$c2_source";
    start = "2026-05-15";
    end = "2026-12-31";
    retention_days = 730;
    country = "BE";
    data_categories = [ $(list "${c2_data[@]}") ];
    people = "$c2_people";
    recipients = [ $(list "${c2_recipients[@]}") ];
    transfers = [ $(list "${c2_transfers[@]}") ];
  }
);
unsubscribe: {
  keys = ( { id = 3; file = "$key"; } );
  url = "https://www.exemple-test.fr/u/";
  address = "stop@exemple-test.fr";
  listen = "127.0.0.1:8026";
};
logging: { recipients = "clear"; };
$data_files
EOF

checked=$("$PROSPECT_MILTER" -t -c "$tmp/full.conf" 2>&1)
version=$(sed -nE 's/^.*: policy ([0-9a-f]{12}) is valid$/\1/p' <<<"$checked")
[[ -n "$version" ]] || { echo "FAIL: prospect-milter -t does not accept the test policy: $checked"; exit 1; }

day_before=$(date -u +%F)
run -c "$tmp/full.conf"
expect_status 0 "register, Markdown by default"
markdown=$out
read_markdown=$(markdown_as_read <<<"$markdown")
run -c "$tmp/full.conf" --format html
expect_status 0 "register --format html"
html=$out
day_after=$(date -u +%F)

declared=("$org_name" "$org_alias" "$org_address" "$org_dpo" "$org_privacy" "${org_domains[@]}" "${org_measures[@]}"
          "$c1_id" "$c1_purpose" "$c1_source" "$c1_people" "${c1_data[@]}" "${c1_recipients[@]}" "${c1_transfers[@]}"
          "$c2_id" "$c2_purpose" "$c2_source" "$c2_people" "${c2_data[@]}" "${c2_recipients[@]}" "${c2_transfers[@]}"
          "2026-03-01" "2027-02-28" "2026-05-15" "2026-12-31" "FR, for every recipient" "BE, for every recipient")
for value in "${declared[@]}"; do
    contains "$read_markdown" "$value" "Markdown shows the declared value"
    contains "$html" "$(html_escape "$value")" "HTML shows the declared value, escaped"
done

# --- the record's own statements -------------------------------------------
for document in "$read_markdown" "$html"; do
    contains "$document" "$version" "the policy version (as prospect-milter -t names it)"
    contains "$document" "$tmp/full.conf" "the policy file"
    if grep -qE "($day_before|$day_after) [0-9]{2}:[0-9]{2} UTC" <<<"$document"; then pass
    else fail "the generation date (UTC) is not in the record"; fi
    contains "$document" "legitimate interest of the controller (GDPR art. 6(1)(f))" "legal basis with its article"
    expect_eq 1 "$(count_of "$document" "The CNIL requires the prior consent of private persons")" \
        "the b2c campaign under legitimate interest, and only it, gets the CNIL warning"
    lacks "$document" "The law of BE requires" "a b2c campaign gets no second, national warning"
done
contains "$read_markdown" "B2B: business contacts" "audience B2B"
contains "$read_markdown" "B2C: private persons" "audience B2C"
contains "$read_markdown" "contact history: 1 year and 35 days (400 days) after the last contact" "retention in years and days"
contains "$read_markdown" "contact history: 2 years (730 days) after the last contact" "retention in whole years"
contains "$read_markdown" "consents: 1 year and 135 days (500 days) after they were given" "consent validity"
contains "$read_markdown" "kept as long as the objection must be honoured" "objections kept"
contains "$read_markdown" "**Warning:** Dry run" "dry run is a warning"
contains "$read_markdown" "**Warning:** Every decision is recorded in the systemd journal (on standard error where no journal runs) with the recipient's address in clear" \
    "recipients logged in clear is a warning"
contains "$read_markdown" "**Warning:** A message prospect-milter cannot judge" "failure_action accept is a warning"
contains "$read_markdown" "HMAC-SHA256 (key 3 signs, 1 key verifies)" "signed unsubscribe tokens"
contains "$read_markdown" "loopback only (127.0.0.1:8026)" "one-click listener on loopback"
contains "$read_markdown" "over TCP on loopback only (inet:8899@127.0.0.1)" "milter on loopback TCP"
contains "$read_markdown" "only as SHA-256 hashes" "the store keeps hashes"
contains "$read_markdown" "prospectctl subject show ADDRESS" "rights: access"
contains "$read_markdown" "prospectctl subject erase ADDRESS" "rights: erasure"
lacks "$read_markdown" "not declared" "a policy that declares everything lacks nothing"

# --- Markdown: policy text can never become markup -------------------------
raw_lt=$(sed -E 's/<https?:[^>]*>//g; s/\\<//g' <<<"$markdown" | grep -c '<')
expect_eq 0 "$raw_lt" "Markdown: every < from the policy is escaped (no raw HTML)"
contains "$markdown" "\\- fonction \\# poste é" "Markdown: a value that would open a nested list is escaped"
contains "$markdown" "<$org_privacy>" "Markdown: the privacy notice is a link"

# --- HTML: one self-contained, well-formed page -----------------------------
lacks "$(tr 'A-Z' 'a-z' <<<"$html")" "<script" "HTML has no script"
for resource in 'src=' 'url(' '@import' '<link' '<img' '<iframe' '<object' '<embed' '<base' '<form'; do
    lacks "$html" "$resource" "HTML has no external resource ($resource)"
done
expect_eq 0 "$(grep -ciE '<[^>]*[[:space:]]on[a-z]+=' <<<"$html")" "HTML has no event handler attribute"
expect_eq "1" "$(count_of "$html" 'href=')" "HTML has one link"
contains "$html" "<a href=\"$(html_escape "$org_privacy")\">" "that link is the privacy notice"
others=$(grep -oE 'https?://[^"<[:space:]]*' <<<"$html" | grep -vxF "$(html_escape "$org_privacy")")
expect_eq "" "$others" "HTML names no web address but the privacy notice"
printf '%s' "$html" >"$tmp/record.html"
printf '%s\n' "${declared[@]}" >"$tmp/declared.txt"
python3 - "$tmp/record.html" "$tmp/declared.txt" <<'PY' && pass || fail "HTML does not parse as expected"
import sys
from html.parser import HTMLParser

VOID = {"meta", "br", "hr"}

class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open, self.text, self.problems = [], [], []
    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append(tag)
    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.problems.append("unbalanced </%s>" % tag)
    def handle_data(self, data):
        self.text.append(data)

checker = Checker()
checker.feed(open(sys.argv[1], encoding="utf-8").read())
checker.close()
if checker.open:
    checker.problems.append("unclosed: %s" % checker.open)
text = "".join(checker.text)
for value in open(sys.argv[2], encoding="utf-8").read().splitlines():
    if value not in text:
        checker.problems.append("not in the page's text: %r" % value)
for problem in checker.problems:
    print("  " + problem)
sys.exit(1 if checker.problems else 0)
PY

# --- output files and the format they get -----------------------------------
run -c "$tmp/full.conf" -o "$tmp/record-out.html"
expect_status 0 "-o FILE.html"
expect_eq "<!DOCTYPE html>" "$(head -1 "$tmp/record-out.html")" "-o FILE.html writes HTML"
expect_eq "" "$out" "-o writes nothing on standard output"
run -c "$tmp/full.conf" --format md -o "$tmp/record-out.htm"
expect_eq "# Record of processing activities (GDPR art. 30): prospecting by e-mail" \
    "$(head -1 "$tmp/record-out.htm")" "--format md wins over the file name"
run -c "$tmp/full.conf" --output "$tmp/record.md"
expect_status 0 "--output FILE.md"
expect_eq "$markdown" "$(<"$tmp/record.md")" "the file holds what standard output showed"

# --- a policy that leaves things out ---------------------------------------
cat >"$tmp/sparse.conf" <<EOF
organisation: {
  name = "Exemple SAS";
  domains = [ "example.com" ];
};
campaigns = (
  {
    id = "salon-2026";
    purpose = "Invite exhibitors to our trade fair";
    audience = "b2b";
    legal_basis = "legitimate_interest";
    start = "2026-01-01";
    country = "DE";
  }
);
$data_files
EOF
run -c "$tmp/sparse.conf"
expect_status 0 "register of a sparse policy"
sparse=$(markdown_as_read <<<"$out")
contains "$sparse" "- **Recipients of the data:** *not declared in the policy (campaign recipients)*" \
    "a campaign without recipients says not declared"
contains "$sparse" "- **Data protection officer:** *not declared in the policy (organisation.dpo)*" "no DPO"
contains "$sparse" "- **Postal address:** *not declared in the policy (organisation.postal_address)*" "no postal address"
contains "$sparse" "- **Privacy notice:** *not declared in the policy (organisation.privacy_url)*" "no privacy notice"
contains "$sparse" "- **Data source:** *not declared in the policy (campaign data_source)*" "no data source"
contains "$sparse" "- **Taken by the site:** *not declared in the policy (organisation.security_measures)*" \
    "no measures of the site's own"
contains "$sparse" "- **Transfers outside the EU/EEA:** none declared" "no transfers"
contains "$sparse" "- **Categories of persons:** professional contacts" "people from the audience"
contains "$sparse" "e-mail address, kept in the store only as a SHA-256 hash" "the data prospect-milter itself processes"
contains "$sparse" "from 2026-01-01, no end date" "an open-ended campaign"
contains "$sparse" "The law of DE requires prior consent even for business addresses" "a b2b campaign under German law"
contains "$sparse" "with the recipient pseudonymised (SHA-256 of the address)" "pseudonymised decision records"
contains "$sparse" "over a unix socket (unix:/run/prospect-milter/prospect-milter.sock" "milter on a unix socket"
contains "$sparse" "**Warning:** No unsubscribe group in the policy" "no unsubscribe loop is a warning"
lacks "$sparse" "The CNIL requires the prior consent" "no CNIL warning for a b2b campaign"
lacks "$sparse" "Dry run" "no dry-run warning when enforcing"
run -c "$tmp/sparse.conf" --format html
contains "$out" "<em class=\"missing\">not declared in the policy (organisation.dpo)</em>" "HTML marks what is missing"

# --- errors -----------------------------------------------------------------
printf 'organisation: {\n  name = "X";\n  domains = [ "example.com" ;\n};\n%s\n' "$data_files" >"$tmp/syntax.conf"
run -c "$tmp/syntax.conf"
expect_status 78 "a policy that does not parse"
expect_err "^$tmp/syntax.conf:3: " "the parse error names file:line"
sed 's/audience = "b2b";/audience = "b2x";/' "$tmp/sparse.conf" >"$tmp/invalid.conf"
run -c "$tmp/invalid.conf"
expect_status 78 "a policy with an invalid value"
line=$(grep -n 'audience = "b2x"' "$tmp/invalid.conf" | cut -d: -f1)
expect_err "^$tmp/invalid.conf:$line: " "the invalid value is named by file:line"
expect_eq "" "$out" "nothing is written for a bad policy"
run -c "$tmp/missing.conf"
expect_status 78 "a policy file that does not exist"
run -c "$tmp/full.conf" --format pdf
expect_status 64 "--format pdf"
expect_err "--format pdf" "the bad format is named"
run -c "$tmp/full.conf" extra-argument
expect_status 64 "an argument besides the options"
run -c "$tmp/full.conf" --no-such-option
expect_status 64 "an unknown option"
run -c "$tmp/full.conf" -o "$tmp/no/such/dir/record.md"
expect_status 73 "an output file that cannot be created"
run --help
expect_status 0 "--help"
contains "$out" "prospectctl register [-c POLICY] [--format md|html] [-o FILE]" "the usage names register"

echo "test_register: $passed passed, $failures failed"
[[ $failures == 0 ]]
