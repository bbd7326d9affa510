# shellcheck shell=bash disable=SC1112
# bench/milter_fixtures.sh — the fixtures of bench/milter_run.sh, sourced by
# it: the messages, the unsubscribe key, the policy and the suppression
# list, all in the run's work directory ($work). Needs $build, $top,
# $entries, $prospectctl and $inspect_bench.

# An ordinary business mail, neither from a prospecting sender nor naming a
# campaign: what most of a relay's traffic is, and what the milter must let
# through at the least cost. Plain text, about 4 KB, a reply quoting the
# message it answers.
write_ordinary_message() {
    local file=$1
    {
        printf 'From: Jean Martin <jean.martin@partner-logistique.fr>\r\n'
        printf 'To: Sophie Laurent <sophie.laurent@client-industrie.fr>\r\n'
        printf 'Cc: Atelier <atelier@client-industrie.fr>\r\n'
        printf 'Subject: Re: Livraison du 12 mars, quai 4\r\n'
        printf 'Date: Tue, 10 Mar 2026 16:41:07 +0100\r\n'
        printf 'Message-ID: <5e0c1a77-3f1b-4c2e-9d41-8a2f0b7c6e15@partner-logistique.fr>\r\n'
        printf 'In-Reply-To: <a91f3c02-77d4-4e8b-b1f5-0c6d2e9a4b38@client-industrie.fr>\r\n'
        printf 'References: <a91f3c02-77d4-4e8b-b1f5-0c6d2e9a4b38@client-industrie.fr>\r\n'
        printf 'MIME-Version: 1.0\r\n'
        printf 'Content-Type: text/plain; charset=utf-8; format=flowed\r\n'
        printf 'Content-Transfer-Encoding: 8bit\r\n'
        printf '\r\n'
        printf 'Bonjour Sophie,\r\n\r\n'
        printf 'Merci pour votre message. Nous confirmons la livraison du jeudi 12 mars au\r\n'
        printf 'quai 4, avec un créneau de 7 h 30 à 9 h. Le chauffeur aura les bons de\r\n'
        printf 'livraison en double exemplaire et appellera l’atelier vingt minutes avant\r\n'
        printf 'son arrivée.\r\n\r\n'
        printf 'Pour les palettes de la commande 2026-0311, deux points :\r\n\r\n'
        printf -- '- les cartons de visserie seront filmés séparément, comme demandé ;\r\n'
        printf -- '- le hayon du camion ne passe pas sous 3,80 m : merci de nous dire si le\r\n'
        printf '  quai 4 a toujours sa porte relevée, sinon nous prendrons le quai 2.\r\n\r\n'
        printf 'Je vous envoie la facture séparément, à l’adresse de la comptabilité.\r\n\r\n'
        printf 'Bonne fin de journée,\r\n\r\n'
        printf 'Jean Martin\r\nResponsable transport\r\nPartner Logistique\r\n+33 4 72 00 00 00\r\n\r\n'
        printf 'Le 10/03/2026 à 11:02, Sophie Laurent a écrit :\r\n'
        local line
        for line in \
            'Bonjour Jean,' '' \
            'Pouvez-vous nous confirmer le créneau de jeudi ? L’atelier reçoit aussi une' \
            'livraison de tôles le même matin, et nous voudrions éviter que les deux' \
            'camions se croisent au portail. Si 7 h 30 vous convient, nous libérons le' \
            'quai 4 dès 7 h.' '' \
            'Autre chose : lors de la dernière livraison, trois cartons de visserie' \
            'étaient écrasés sous une palette de profilés. Pourriez-vous les filmer à' \
            'part cette fois-ci ? Nous avons ouvert une réclamation pour les pièces' \
            'abîmées, le numéro est RC-2026-0087.' '' \
            'Enfin, notre service comptable a changé d’adresse : les factures sont' \
            'désormais à envoyer à comptabilite@client-industrie.fr, et non plus à mon' \
            'adresse. Merci d’en prendre note pour les prochaines commandes.' '' \
            'Bien cordialement,' '' \
            'Sophie Laurent' 'Approvisionnements' 'Client Industrie' \
            '+33 4 78 00 00 00'; do
            printf '> %s\r\n' "$line"
        done
        printf '>\r\n'
        for line in 1 2 3 4 5 6 7 8 9 10; do
            printf '> > Ligne %s de la commande 2026-0311 : référence VIS-M8-%03d, 40 cartons,\r\n' "$line" "$line"
            printf '> > livraison quai 4, palette filmée, étiquette client en face avant.\r\n'
        done
    } > "$file"
}

# The policy: every rule at "reject" and a message that passes them all,
# so that every check runs on an accepted message; the unsubscribe group
# with a key, so that List-Unsubscribe is added; decision records as JSON
# lines on stderr, which the script sends to a file.
write_policy() {
    local socket=$1 file=$2
    cat > "$file" <<EOF
failure_action = "tempfail";
milter: { socket = "$socket"; shutdown_grace = 5; };
store: { path = "$work/store"; };
organisation: {
  name = "Exemple Prospection SAS";
  aliases = [ "Exemple Prospection", "EXPRO" ];
  domains = [ "example.com", "mail.example.com" ];
  postal_address = "12 rue de la Paix, 75002 Paris";
  privacy_url = "https://www.example.com/privacy";
  dpo = "dpo@example.com";
  default_country = "FR";
  require_postal_address = true;
};
scope: {
  campaign_header = "X-Campaign-ID";
  senders = [ "@example.com", "@mail.example.com" ];
  sasl_logins = [ "outreach-tool" ];
  services = [ "outreach" ];
  internal_domains = [ "example.com", "mail.example.com" ];
};
campaigns = ( {
  id = "corpus";
  purpose = "B2B prospecting for payroll, HR and logistics products";
  audience = "b2b";
  legal_basis = "legitimate_interest";
  data_source = "Example Data Ltd business directory, licence 2026-014";
  start = "2020-01-01";
  country = "FR";
} );
rules: {
  campaign = "reject"; suppression = "reject"; consent = "reject"; size = "reject";
  unsubscribe = "reject"; identity = "reject"; reason = "reject"; first_contact = "reject";
};
content: {
  keywords = "$top/conf/keywords.conf";
};
consent: {
  consumer_domains = "$top/conf/consumer-domains.conf";
  countries = "$top/conf/countries.conf";
};
unsubscribe: {
  keys = ( { id = 1; file = "$work/unsubscribe.key"; } );
  url = "https://www.example.com/u/";
  address = "unsubscribe@example.com";
  existing_header = "replace";
  several_recipients = "generic";
};
logging: { target = "stderr"; level = "info"; };
EOF
}

# Stops the run when the in-scope message would not pass every rule (or
# the 10 MB one): a message refused early would flatter the figures.
check_passes() {
    local message=$1 name=$2
    if ! "$prospectctl" check -c "$work/policy-check.conf" --sender claire.dubois@example.com \
        --rcpt prospect0@client0.fr "$message" > "$work/check-$name.txt" 2>&1; then
        echo "milter_run.sh: the $name message does not pass every rule of the bench policy:" >&2
        cat "$work/check-$name.txt" >&2
        exit 1
    fi
}

# The suppression list, in store_bench's address scheme (bench/leads.h):
# lead-<i>@company-<i % 50000>.example, imported as an administrator
# would, with prospectctl. The load's recipients are never in it, so every
# RCPT is a lookup that misses, on the address and on the domain.
import_suppressions() {
    local list=$work/suppressions.txt started=$SECONDS
    awk -v n="$entries" 'BEGIN { for (i = 0; i < n; i++) printf "lead-%d@company-%d.example\n", i, i % 50000 }' > "$list"
    "$prospectctl" suppress import -c "$work/policy-check.conf" "$list" > "$work/import.log" 2>&1 ||
        { cat "$work/import.log" >&2; exit 1; }
    local count
    count=$("$prospectctl" suppress count -c "$work/policy-check.conf" 2>/dev/null)
    rm -f "$list"
    echo "suppression list: $count entries imported with prospectctl in $((SECONDS - started)) s" >&2
    [[ $count == "$entries" ]] || { echo "milter_run.sh: expected $entries suppressions, the store has $count" >&2; exit 1; }
}

make_fixtures() {
    "$inspect_bench" --dump typical > "$work/typical.eml"
    "$inspect_bench" --dump large > "$work/large.eml"
    write_ordinary_message "$work/ordinary.eml"
    (umask 077 && openssl rand -base64 48 > "$work/unsubscribe.key")
    write_policy "unix:$work/check.sock" "$work/policy-check.conf"
    check_passes "$work/typical.eml" typical
    check_passes "$work/large.eml" large
    import_suppressions
}
