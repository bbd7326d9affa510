# shellcheck shell=bash
# The unsubscribe loop in end-to-end tests (sourced after lib.sh and
# milter.sh).
#
#   unsubscribe_policy WEB_PORT KEY_ID...  -> appends an `unsubscribe` group
#                                             to $E2E_DIR/policy.conf, one key
#                                             file per id (the last signs)
#   token_of FILE                          -> the token in FILE's List-Unsubscribe
#   one_click METHOD TOKEN [BODY]          -> HTTP status of METHOD /u/TOKEN;
#                                             the page in $E2E_DIR/web.body
#   unsubscribe_start [MILTER...]          -> sink "out", prospect-milter with
#                                             key 1, Postfix "mx" with the
#                                             milter then MILTER...; sets MX, WEB
#   prospect TO MESSAGE-ID [swaks args]    -> a compliant prospecting mail from
#                                             sales@example.com (reply code)
#   delivered MESSAGE-ID                   -> the sink's file, once it arrives
#   suppressed ADDRESS                     -> yes / no (prospectctl)

# Key files are made once per id and kept, so a rotation keeps old keys.
_unsubscribe_key() {
    local id=$1 file="$E2E_DIR/keys/$1.key"
    mkdir -p "$E2E_DIR/keys"
    if [[ ! -f "$file" ]]; then
        (umask 077; openssl rand -base64 48 >"$file")
    fi
    printf '{ id = %s; file = "%s"; }' "$id" "$file"
}

unsubscribe_policy() {
    local web=$1 keys="" id; shift
    for id in "$@"; do
        keys+="${keys:+, }$(_unsubscribe_key "$id")"
    done
    # A copy of the base policy gets the group, so it can be rewritten.
    [[ -f "$E2E_DIR/policy.base" ]] || cp "$E2E_DIR/policy.conf" "$E2E_DIR/policy.base"
    {
        cat "$E2E_DIR/policy.base"
        printf 'unsubscribe: {\n  keys = ( %s );\n' "$keys"
        printf '  url = "https://www.example.com/u/";\n  address = "unsubscribe@example.com";\n'
        printf '  listen = "127.0.0.1:%s";\n%s};\n' "$web" "${UNSUBSCRIBE_EXTRA:-}"
    } >"$E2E_DIR/policy.conf.new"
    mv "$E2E_DIR/policy.conf.new" "$E2E_DIR/policy.conf"
    UNSUBSCRIBE_PORT=$web
}

token_of() {
    grep -ai '^List-Unsubscribe:' "$1" | head -n 1 | grep -o 'https://[^>]*/u/[A-Za-z0-9_-]*' | sed 's#.*/u/##'
}

one_click() {
    local method=$1 token=$2 body=${3:-}
    local args=(-s -o "$E2E_DIR/web.body" -w '%{http_code}' --max-time 10 -X "$method")
    [[ "$method" == HEAD ]] && args=(-s -o "$E2E_DIR/web.body" -w '%{http_code}' --max-time 10 -I)
    [[ -n "$body" ]] && args+=(--data "$body")
    curl "${args[@]}" "http://127.0.0.1:$UNSUBSCRIBE_PORT/u/$token"
}

unsubscribe_start() {
    local milters=""
    (( $# )) && milters=", $*"
    SINK=$(e2e_free_port); MX=$(e2e_free_port); WEB=$(e2e_free_port)
    sink_start out "$SINK"
    milter_write_policy reject stderr
    unsubscribe_policy "$WEB" 1
    milter_start
    e2e_wait_until 10 curl -s -o /dev/null "http://127.0.0.1:$WEB/" || fail "one-click listener not answering"
    postfix_start mx "$MX" "$SINK" "$MILTER_SOCKET_SPEC$milters"
}

prospect() {
    send_mail "$MX" sales@example.com "$1" "${COMPLIANT[@]}" --header "Message-Id: <$2>" \
        --header "X-Campaign-ID: spring" --header "Subject: Your payroll" "${@:3}"
}

delivered() {
    e2e_wait_until 20 _unsubscribe_arrived "$1" || fail "$1 not delivered"
    sink_find out "<$1>"
}
_unsubscribe_arrived() { [[ -n "$(sink_find out "<$1>" 2>/dev/null)" ]]; }

# `suppress check` exits 1 when the address is suppressed.
suppressed() {
    "${PROSPECTCTL:?}" suppress check -c "$E2E_DIR/policy.conf" "$1" >/dev/null && echo no || echo yes
}
