// one_click_test.cpp — the one-click unsubscribe endpoint, through a real
// listening OneClickServer on 127.0.0.1 and a raw HTTP/1.1 client, plus
// the language choice and the page escaping on their own.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cctype>
#include <cerrno>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "unsubscribe/language.h"
#include "unsubscribe/one_click_server.h"
#include "unsubscribe/pages.h"

using unsubscribe::Language;

namespace {

constexpr std::string_view known_token = "Ab3-x_Y9";
const std::string organisation = "Dupont & Fils <Prospection>";
const std::string escaped_organisation = "Dupont &amp; Fils &lt;Prospection&gt;";

struct HttpReply {
    int status = 0;  // 0: the server hung up without answering; -1: no connection
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;

    std::string header(const std::string& name) const
    {
        const auto found = headers.find(name);
        return found == headers.end() ? std::string{} : found->second;
    }
};

HttpReply parse_reply(std::string raw)
{
    // Interim answers ("100 Continue") precede the one that counts.
    while (raw.rfind("HTTP/1.1 1", 0) == 0 && raw.find("\r\n\r\n") != std::string::npos)
        raw.erase(0, raw.find("\r\n\r\n") + 4);
    HttpReply reply;
    const auto end_of_head = raw.find("\r\n\r\n");
    if (raw.rfind("HTTP/1.", 0) != 0 || end_of_head == std::string::npos)
        return reply;
    reply.status = std::stoi(raw.substr(9, 3));
    reply.body = raw.substr(end_of_head + 4);
    std::size_t line = raw.find("\r\n") + 2;
    while (line < end_of_head) {
        const auto line_end = raw.find("\r\n", line);
        const std::string text = raw.substr(line, line_end - line);
        const auto colon = text.find(':');
        std::string name = text.substr(0, colon);
        for (char& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        reply.headers[name] = text.substr(text.find_first_not_of(' ', colon + 1));
        line = line_end + 2;
    }
    return reply;
}

// One request on a fresh connection, read to the server's close. No Catch
// assertion in here: Catch2 v2 is not thread-safe and visitors run in
// parallel in one test.
HttpReply exchange(std::uint16_t port, const std::string& request)
{
    HttpReply failed;
    failed.status = -1;
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return failed;
    timeval timeout{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        close(fd);
        return failed;
    }
    std::size_t sent = 0;
    while (sent < request.size()) {
        const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;  // the server may answer and close before reading all
        sent += static_cast<std::size_t>(n);
    }
    std::string raw;
    char buffer[4096];
    for (;;) {
        const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        raw.append(buffer, static_cast<std::size_t>(n));
    }
    close(fd);
    return parse_reply(raw);
}

std::string request(const std::string& method, const std::string& path, const std::string& extra_headers = {},
                    const std::string& body = {})
{
    std::string text = method + " " + path + " HTTP/1.1\r\nHost: unsubscribe.example.com\r\nConnection: close\r\n";
    text += extra_headers;
    if (method == "POST" || method == "PUT" || !body.empty())
        text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    return text + "\r\n" + body;
}

const std::string one_click_body = "List-Unsubscribe=One-Click";

enum class StoreState { working, unavailable, throwing };

// A server whose handlers accept only known_token and count their calls.
class Endpoint {
public:
    std::atomic<int> checks{0};
    std::atomic<int> unsubscribes{0};
    std::atomic<StoreState> store{StoreState::working};
    std::atomic<bool> identity_fails{false};

    Endpoint() : m_server(settings("127.0.0.1:0"), handlers()) {}

    HttpReply get(const std::string& path, const std::string& headers = {})
    {
        return exchange(m_server.port(), request("GET", path, headers));
    }
    HttpReply post(const std::string& path, const std::string& body = one_click_body, const std::string& headers = {})
    {
        return exchange(m_server.port(), request("POST", path, headers, body));
    }
    HttpReply send(const std::string& raw) { return exchange(m_server.port(), raw); }
    int handler_calls() const { return checks + unsubscribes; }

    static unsubscribe::ServerSettings settings(const std::string& listen)
    {
        unsubscribe::ServerSettings settings;
        settings.listen = listen;
        settings.connection_timeout_seconds = 5;
        return settings;
    }

private:
    unsubscribe::Handlers handlers()
    {
        unsubscribe::Handlers handlers;
        handlers.check = [this](std::string_view token) {
            ++checks;
            if (store == StoreState::throwing)
                throw std::runtime_error("key file unreadable");
            return token == known_token ? unsubscribe::TokenCheck::valid : unsubscribe::TokenCheck::invalid;
        };
        handlers.unsubscribe = [this](std::string_view token) {
            ++unsubscribes;
            if (token != known_token)
                return unsubscribe::UnsubscribeResult::invalid_token;
            if (store == StoreState::throwing)
                throw std::runtime_error("store corrupt");
            return store == StoreState::unavailable ? unsubscribe::UnsubscribeResult::unavailable
                                                    : unsubscribe::UnsubscribeResult::done;
        };
        handlers.identity = [this] {
            if (identity_fails)
                throw std::runtime_error("no policy");
            return unsubscribe::PageIdentity{organisation, "https://example.com/privacy?lang=fr&v=2"};
        };
        return handlers;
    }

    unsubscribe::OneClickServer m_server;
};

const std::string known_path = "/u/" + std::string(known_token);

void check_common_headers(const HttpReply& reply)
{
    CHECK(reply.header("content-type") == "text/html; charset=utf-8");
    CHECK(reply.header("cache-control") == "no-store");
    CHECK(reply.header("x-content-type-options") == "nosniff");
    CHECK(reply.header("referrer-policy") == "no-referrer");
    CHECK(reply.header("content-security-policy") ==
          "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    CHECK(!reply.header("content-language").empty());
    CHECK(reply.header("vary") == "Accept-Language");
    CHECK(reply.header("location").empty());
}

}  // namespace

TEST_CASE("GET on a valid link shows the organisation and a button, and unsubscribes nobody", "[one_click]")
{
    Endpoint endpoint;
    const HttpReply reply = endpoint.get(known_path);
    CHECK(reply.status == 200);
    check_common_headers(reply);
    CHECK(reply.body.find(escaped_organisation) != std::string::npos);
    CHECK(reply.body.find(organisation) == std::string::npos);
    // Relative: the form posts back to the page's own URL, whatever prefix
    // the proxy adds.
    CHECK(reply.body.find("<form method=\"post\" action=\"" + known_path.substr(3) + "\">") != std::string::npos);
    CHECK(reply.body.find("<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">") !=
          std::string::npos);
    CHECK(reply.body.find("<button type=\"submit\">") != std::string::npos);
    CHECK(reply.body.find("href=\"https://example.com/privacy?lang=fr&amp;v=2\"") != std::string::npos);
    CHECK(reply.body.find("<script") == std::string::npos);
    CHECK(endpoint.checks == 1);
    CHECK(endpoint.unsubscribes == 0);
}

TEST_CASE("HEAD answers as GET without the page", "[one_click]")
{
    Endpoint endpoint;
    const HttpReply got = endpoint.get(known_path);
    const HttpReply head = endpoint.send(request("HEAD", known_path));
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    check_common_headers(head);
    CHECK(head.header("content-length") == std::to_string(got.body.size()));
    CHECK(endpoint.unsubscribes == 0);

    const HttpReply unknown = endpoint.send(request("HEAD", "/u/unknown"));
    CHECK(unknown.status == 400);
    CHECK(unknown.body.empty());
}

TEST_CASE("POST unsubscribes and confirms, every time it is sent", "[one_click]")
{
    Endpoint endpoint;
    const HttpReply first = endpoint.post(known_path);
    CHECK(first.status == 200);
    check_common_headers(first);
    CHECK(first.body.find(escaped_organisation) != std::string::npos);
    CHECK(first.body.find("<form") == std::string::npos);
    CHECK(endpoint.unsubscribes == 1);

    const HttpReply second = endpoint.post(known_path);
    CHECK(second.status == 200);
    CHECK(second.body == first.body);
    CHECK(endpoint.unsubscribes == 2);
    CHECK(endpoint.checks == 0);
}

TEST_CASE("POST takes any body within the limit", "[one_click]")
{
    Endpoint endpoint;
    CHECK(endpoint.post(known_path, "").status == 200);
    CHECK(endpoint.post(known_path, "List-Unsubscribe=One-Click&submit=1",
                        "Content-Type: application/x-www-form-urlencoded\r\n")
              .status == 200);
    CHECK(endpoint.post(known_path, std::string(4096, 'x')).status == 200);
    CHECK(endpoint.post(known_path, one_click_body, "Expect: 100-continue\r\n").status == 200);
    CHECK(endpoint.unsubscribes == 4);
}

TEST_CASE("A token the handlers refuse gets 400 and no detail", "[one_click]")
{
    Endpoint endpoint;
    const std::string forged = "Ab3-x_Y8";
    for (const HttpReply& reply : {endpoint.get("/u/" + forged), endpoint.post("/u/" + forged)}) {
        CHECK(reply.status == 400);
        check_common_headers(reply);
        CHECK(reply.body.find(forged) == std::string::npos);
        CHECK(reply.body.find("<form") == std::string::npos);
    }
    CHECK(endpoint.checks == 1);
    CHECK(endpoint.unsubscribes == 1);
}

TEST_CASE("A path that cannot be a token gets 400 before any handler", "[one_click]")
{
    Endpoint endpoint;
    const std::string too_long(65, 'a');
    for (const std::string& path : {std::string("/u/%3Cscript%3E"), std::string("/u/<script>"), std::string("/u/.."),
                                    std::string("/u/../etc/passwd"), "/u/" + too_long, std::string("/u/"),
                                    std::string("/u/Ab3-x_Y9/"), std::string("/u/Ab3%2Dx_Y9"),
                                    std::string("/u/Ab3.x")}) {
        INFO(path);
        const HttpReply got = endpoint.get(path);
        CHECK(got.status == 400);
        CHECK(got.body.find("script") == std::string::npos);
        CHECK(endpoint.post(path).status == 400);
    }
    CHECK(endpoint.handler_calls() == 0);

    // The longest a token may be still reaches the handlers.
    CHECK(endpoint.get("/u/" + std::string(64, 'a')).status == 400);
    CHECK(endpoint.checks == 1);
}

TEST_CASE("A query string does not change the token", "[one_click]")
{
    Endpoint endpoint;
    CHECK(endpoint.get(known_path + "?utm_source=mail").status == 200);
}

TEST_CASE("Other paths get 404", "[one_click]")
{
    Endpoint endpoint;
    for (const std::string path : {"/other", "/", "/u", "/U/Ab3-x_Y9", "//u/Ab3-x_Y9", "/unsubscribe/Ab3-x_Y9"}) {
        INFO(path);
        const HttpReply reply = endpoint.get(path);
        CHECK(reply.status == 404);
        check_common_headers(reply);
    }
    CHECK(endpoint.post("/other").status == 404);
    CHECK(endpoint.handler_calls() == 0);
}

TEST_CASE("Other methods get 405 with Allow", "[one_click]")
{
    Endpoint endpoint;
    for (const std::string method : {"PUT", "DELETE", "OPTIONS", "PATCH"}) {
        INFO(method);
        const HttpReply reply = endpoint.send(request(method, known_path, {}, one_click_body));
        CHECK(reply.status == 405);
        CHECK(reply.header("allow") == "GET, HEAD, POST");
        check_common_headers(reply);
    }
    CHECK(endpoint.handler_calls() == 0);
}

TEST_CASE("A body over 4 KiB is refused without asking the handler", "[one_click]")
{
    Endpoint endpoint;
    const HttpReply reply = endpoint.post(known_path, std::string(5000, 'x'));
    CHECK(reply.status == 413);
    check_common_headers(reply);

    // A chunked body cannot be answered in the middle; the server hangs up.
    std::string chunked = "POST " + known_path +
                          " HTTP/1.1\r\nHost: unsubscribe.example.com\r\nConnection: close\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 5; ++i)
        chunked += "3e8\r\n" + std::string(1000, 'x') + "\r\n";
    chunked += "0\r\n\r\n";
    CHECK(endpoint.send(chunked).status != 200);
    CHECK(endpoint.handler_calls() == 0);

    // A small chunked body is fine.
    const HttpReply small = endpoint.send("POST " + known_path +
                                          " HTTP/1.1\r\nHost: unsubscribe.example.com\r\nConnection: close\r\n"
                                          "Transfer-Encoding: chunked\r\n\r\n1a\r\n" +
                                          one_click_body + "\r\n0\r\n\r\n");
    CHECK(small.status == 200);
    CHECK(endpoint.unsubscribes == 1);
}

TEST_CASE("A failing handler gets 503, never a crash", "[one_click]")
{
    Endpoint endpoint;
    SECTION("a handler throws")
    {
        endpoint.store = StoreState::throwing;
        const HttpReply posted = endpoint.post(known_path);
        CHECK(posted.status == 503);
        check_common_headers(posted);
        CHECK(posted.header("retry-after") == "60");
        CHECK(endpoint.get(known_path).status == 503);
    }
    SECTION("the identity cannot be read")
    {
        endpoint.identity_fails = true;
        CHECK(endpoint.get(known_path).status == 503);
    }
    SECTION("the store is unavailable")
    {
        endpoint.store = StoreState::unavailable;
        const HttpReply reply = endpoint.post(known_path);
        CHECK(reply.status == 503);
        CHECK(reply.header("retry-after") == "60");
        check_common_headers(reply);
    }
    // The server still answers afterwards.
    endpoint.store = StoreState::working;
    endpoint.identity_fails = false;
    CHECK(endpoint.post(known_path).status == 200);
}

TEST_CASE("Concurrent visitors are all answered", "[one_click]")
{
    Endpoint endpoint;
    std::atomic<int> answered{0};
    std::vector<std::thread> visitors;
    for (int i = 0; i < 8; ++i)
        visitors.emplace_back([&endpoint, &answered, i] {
            for (int j = 0; j < 10; ++j) {
                const HttpReply reply = (i + j) % 2 ? endpoint.post(known_path) : endpoint.get(known_path);
                if (reply.status == 200)
                    ++answered;
            }
        });
    for (auto& visitor : visitors)
        visitor.join();
    CHECK(answered == 80);
    CHECK(endpoint.unsubscribes == 40);
}

TEST_CASE("The page is in the visitor's language", "[one_click]")
{
    Endpoint endpoint;
    struct Case {
        std::string accept_language;
        std::string tag;
        std::string phrase;
    };
    for (const Case& c : {Case{"de-CH,de;q=0.9,en;q=0.8", "de", "Abmelden"}, Case{"nl", "nl", "Afmelden"},
                          Case{"fr-BE", "fr", "Me désinscrire"}, Case{"xx", "en", "Unsubscribe"},
                          Case{"fr;q=0,en", "en", "Unsubscribe"}, Case{"es-ES,es;q=0.9", "es", "Darme de baja"},
                          Case{"it-IT", "it", "Annulla l’iscrizione"}, Case{"", "en", "Unsubscribe"}}) {
        INFO(c.accept_language);
        const std::string header = c.accept_language.empty() ? "" : "Accept-Language: " + c.accept_language + "\r\n";
        const HttpReply reply = endpoint.get(known_path, header);
        CHECK(reply.status == 200);
        CHECK(reply.header("content-language") == c.tag);
        CHECK(reply.body.find("<html lang=\"" + c.tag + "\">") != std::string::npos);
        CHECK(reply.body.find(c.phrase) != std::string::npos);
    }
    const HttpReply refused = endpoint.get("/u/nope", "Accept-Language: de\r\n");
    CHECK(refused.header("content-language") == "de");
    CHECK(refused.body.find("Ungültiger Link") != std::string::npos);
}

TEST_CASE("The server listens on loopback only", "[one_click]")
{
    unsubscribe::Handlers handlers;
    handlers.check = [](std::string_view) { return unsubscribe::TokenCheck::invalid; };
    handlers.unsubscribe = [](std::string_view) { return unsubscribe::UnsubscribeResult::invalid_token; };
    handlers.identity = [] { return unsubscribe::PageIdentity{}; };

    for (const std::string listen : {"0.0.0.0:0", "192.0.2.1:80", "[::]:0", "[2001:db8::1]:8026", "localhost:8026",
                                     "127.0.0.1", "127.0.0.1:65536", "127.0.0.1:-1", "::1:8026", "[::1]8026", "",
                                     "127.0.0.1:80x"}) {
        INFO(listen);
        CHECK_THROWS_WITH(unsubscribe::OneClickServer(Endpoint::settings(listen), handlers),
                          Catch::Contains("'" + listen + "'"));
    }

    SECTION("any 127/8 address will do")
    {
        unsubscribe::OneClickServer server(Endpoint::settings("127.0.0.1:0"), handlers);
        CHECK(server.port() != 0);
        SECTION("a port in use is reported with the address")
        {
            const std::string taken = "127.0.0.1:" + std::to_string(server.port());
            CHECK_THROWS_WITH(unsubscribe::OneClickServer(Endpoint::settings(taken), handlers),
                              Catch::Contains(taken));
        }
    }
    SECTION("one connection at a time still serves")
    {
        auto settings = Endpoint::settings("127.0.0.1:0");
        settings.max_connections = 1;
        unsubscribe::OneClickServer server(settings, handlers);
        CHECK(exchange(server.port(), request("GET", "/u/abc")).status == 400);
    }
    SECTION("IPv6 loopback")
    {
        const int probe = socket(AF_INET6, SOCK_STREAM, 0);
        sockaddr_in6 address{};
        address.sin6_family = AF_INET6;
        address.sin6_addr = in6addr_loopback;
        const bool have_ipv6 =
            probe >= 0 && bind(probe, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
        if (probe >= 0)
            close(probe);
        if (have_ipv6) {
            unsubscribe::OneClickServer server(Endpoint::settings("[::1]:0"), handlers);
            CHECK(server.port() != 0);
        } else {
            WARN("no IPv6 loopback here: [::1] not tried");
        }
    }
    SECTION("every handler is needed")
    {
        handlers.identity = nullptr;
        CHECK_THROWS_AS(unsubscribe::OneClickServer(Endpoint::settings("127.0.0.1:0"), handlers),
                        std::invalid_argument);
    }
}

TEST_CASE("Accept-Language: the best supported language, English by default", "[one_click][language]")
{
    using unsubscribe::choose_language;
    CHECK(choose_language("") == Language::en);
    CHECK(choose_language("fr") == Language::fr);
    CHECK(choose_language("FR-be") == Language::fr);
    CHECK(choose_language("de-CH,de;q=0.9,en;q=0.8") == Language::de);
    CHECK(choose_language("xx, nl;q=0.1") == Language::nl);
    CHECK(choose_language("xx") == Language::en);
    CHECK(choose_language("fr;q=0,en") == Language::en);
    CHECK(choose_language("fr;q=0") == Language::en);
    CHECK(choose_language("en;q=0.5, it;q=0.8") == Language::it);
    CHECK(choose_language("en;Q=0.5 , it ; q=0.8") == Language::it);
    CHECK(choose_language("es, it") == Language::es);
    CHECK(choose_language("it, es") == Language::it);
    CHECK(choose_language("*") == Language::en);
    CHECK(choose_language("ja, *;q=0.5") == Language::en);
    CHECK(choose_language("*;q=0.5, de;q=0.4") == Language::en);
    CHECK(choose_language("*, en;q=0") == Language::fr);
    CHECK(choose_language("fr-CA;q=0, fr") == Language::fr);
    CHECK(choose_language("fr-CA;q=0.3, de;q=0.2") == Language::fr);
    CHECK(choose_language("nl;q=1.000, fr;q=0.999") == Language::nl);
    // Malformed elements are skipped, the rest still counts.
    CHECK(choose_language("de;q=2, nl") == Language::nl);
    CHECK(choose_language("de;q=0.5x, nl;q=0.1") == Language::nl);
    CHECK(choose_language("d<e>, it") == Language::it);
    CHECK(choose_language(",,;,") == Language::en);
    CHECK(choose_language("de;q=") == Language::en);

    CHECK(unsubscribe::language_tag(Language::nl) == "nl");
    CHECK(unsubscribe::language_tag(Language::it) == "it");
}

TEST_CASE("Pages escape what they interpolate", "[one_click][pages]")
{
    CHECK(unsubscribe::html_escape(R"(<a href="x">Tom & Jerry's</a>)") ==
          "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
    CHECK(unsubscribe::html_escape("Société Générale") == "Société Générale");

    const unsubscribe::PageIdentity hostile{R"(<script>alert("x")</script> & 'co')", "javascript:alert(1)"};
    for (Language language : {Language::fr, Language::nl, Language::de, Language::en, Language::es, Language::it}) {
        INFO(unsubscribe::language_tag(language));
        for (const std::string& page :
             {unsubscribe::confirm_page(language, hostile, "t0k\"en"), unsubscribe::done_page(language, hostile)}) {
            CHECK(page.find("<script") == std::string::npos);
            CHECK(page.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;") !=
                  std::string::npos);
            CHECK(page.find("href=\"javascript") == std::string::npos);
            CHECK(page.find("javascript:alert(1)") != std::string::npos);  // shown, as text
            CHECK(page.find("t0k\"en") == std::string::npos);
        }
    }

    const unsubscribe::PageIdentity plain{"ACME", "HTTPS://acme.example/privacy"};
    CHECK(unsubscribe::done_page(Language::en, plain).find("<a href=\"HTTPS://acme.example/privacy\"") !=
          std::string::npos);
    const unsubscribe::PageIdentity no_policy{"ACME", ""};
    CHECK(unsubscribe::done_page(Language::en, no_policy).find("Privacy policy") == std::string::npos);
    CHECK(unsubscribe::notice_page(Language::fr, unsubscribe::Notice::retry_later).find("réessayer") !=
          std::string::npos);
}
