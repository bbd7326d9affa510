// one_click_server.h — the one-click unsubscribe endpoint (RFC 8058): an
// HTTP listener (libmicrohttpd) on a loopback address, meant to sit behind
// the site's TLS reverse proxy.
//
//   POST /u/TOKEN   the recipient the token names is suppressed; 200 and a
//                   confirmation page, never a redirect; idempotent.
//   GET  /u/TOKEN   a small page in the visitor's language naming the
//   HEAD /u/TOKEN   organisation, with a button that POSTs. GET never
//                   unsubscribes: mail security scanners follow links.
//
// A token the handler does not accept gets 400 with no detail. The server
// knows nothing of tokens or stores: it asks its Handlers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace unsubscribe {

// What the organisation shows on the pages; read from the policy in force
// at each request, so a reload changes the pages.
struct PageIdentity {
    std::string organisation;  // "Exemple Prospection SAS"
    std::string privacy_url;   // may be empty
};

enum class TokenCheck { valid, invalid };
enum class UnsubscribeResult { done, invalid_token, unavailable };

// Called on the server's own threads, up to two at a time; an exception
// from any of them is answered 503 (the server does not log it).
struct Handlers {
    // Whether a token is well formed and correctly signed (for GET/HEAD).
    std::function<TokenCheck(std::string_view token)> check;
    // Suppresses the recipient a token names. `unavailable` when the store
    // cannot be written now (the visitor is asked to retry: 503).
    std::function<UnsubscribeResult(std::string_view token)> unsubscribe;
    std::function<PageIdentity()> identity;
};

struct ServerSettings {
    // "127.0.0.1:8026", "[::1]:8026"; port 0 picks a free port (tests).
    std::string listen;
    unsigned max_connections = 64;
    unsigned connection_timeout_seconds = 10;
};

class OneClickServer {
public:
    // Starts listening; throws std::runtime_error naming the address when
    // it cannot (address not loopback, in use, not parseable).
    OneClickServer(const ServerSettings& settings, Handlers handlers);
    ~OneClickServer();  // stops; waits for requests in progress
    OneClickServer(const OneClickServer&) = delete;
    OneClickServer& operator=(const OneClickServer&) = delete;

    std::uint16_t port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace unsubscribe
