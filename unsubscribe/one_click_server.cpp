// one_click_server.cpp — the one-click endpoint on libmicrohttpd: parsing
// and checking the listen address, routing, the body limit, and turning
// what the Handlers answer into pages and status codes. Nothing thrown
// here or by a handler may cross into libmicrohttpd's C frames: every
// callback catches everything and answers 503 or drops the connection.
#include "one_click_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

#include "language.h"
#include "pages.h"

namespace unsubscribe {

namespace {

constexpr std::string_view token_path = "/u/";
constexpr std::size_t max_token_length = 64;
// RFC 8058 bodies are 26 bytes; the limit only has to leave room for a
// browser's form encoding and a few extra fields.
constexpr std::size_t max_body = 4096;
// Request line and headers share this per-connection pool; a proxy's
// forwarded headers fit well within it, and a larger request gets
// libmicrohttpd's own 431/414.
constexpr std::size_t connection_memory = 16 * 1024;
// Handlers may wait on the store; a second thread keeps pages served while
// one does.
constexpr unsigned worker_threads = 2;

struct ListenAddress {
    sockaddr_storage storage{};
    std::uint16_t port = 0;
    bool ipv6 = false;
};

[[noreturn]] void refuse(const std::string& listen, const std::string& why)
{
    throw std::runtime_error("one-click listen address '" + listen + "': " + why);
}

// The endpoint speaks plain HTTP and trusts nothing about its clients, so
// it must only be reachable through the site's TLS reverse proxy on the
// same machine: anything but a loopback address is refused, and names are
// not resolved (there is nothing to gain and "localhost" can be anything).
ListenAddress parse_listen_address(const std::string& listen)
{
    std::string host;
    std::string port_text;
    if (!listen.empty() && listen.front() == '[') {
        const auto close = listen.find(']');
        if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':')
            refuse(listen, "expected [IPV6]:PORT");
        host = listen.substr(1, close - 1);
        port_text = listen.substr(close + 2);
    } else {
        const auto colon = listen.rfind(':');
        if (colon == std::string::npos)
            refuse(listen, "expected ADDRESS:PORT");
        host = listen.substr(0, colon);
        port_text = listen.substr(colon + 1);
        if (host.find(':') != std::string::npos)
            refuse(listen, "an IPv6 address goes in brackets, as in [::1]:8026");
    }

    unsigned port = 0;
    const char* port_end = port_text.data() + port_text.size();
    const auto [stop, error] = std::from_chars(port_text.data(), port_end, port);
    if (port_text.empty() || error != std::errc{} || stop != port_end || port > 65535)
        refuse(listen, "the port must be a number from 0 to 65535");

    ListenAddress address;
    address.port = static_cast<std::uint16_t>(port);
    in_addr ipv4{};
    in6_addr ipv6{};
    if (inet_pton(AF_INET, host.c_str(), &ipv4) == 1) {
        if ((ntohl(ipv4.s_addr) >> 24) != 127)
            refuse(listen, "not a loopback address (127.0.0.0/8 or ::1); put the site's reverse proxy in front");
        sockaddr_in ip{};
        ip.sin_family = AF_INET;
        ip.sin_addr = ipv4;
        ip.sin_port = htons(static_cast<std::uint16_t>(port));
        std::memcpy(&address.storage, &ip, sizeof ip);
    } else if (inet_pton(AF_INET6, host.c_str(), &ipv6) == 1) {
        if (!IN6_IS_ADDR_LOOPBACK(&ipv6))
            refuse(listen, "not a loopback address (127.0.0.0/8 or ::1); put the site's reverse proxy in front");
        sockaddr_in6 ip{};
        ip.sin6_family = AF_INET6;
        ip.sin6_addr = ipv6;
        ip.sin6_port = htons(static_cast<std::uint16_t>(port));
        std::memcpy(&address.storage, &ip, sizeof ip);
        address.ipv6 = true;
    } else {
        refuse(listen, "'" + host + "' is not a numeric IP address");
    }
    return address;
}

bool is_token_syntax(std::string_view token)
{
    if (token.empty() || token.size() > max_token_length)
        return false;
    for (char c : token)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    return true;
}

std::string_view header(MHD_Connection* connection, const char* name)
{
    const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
    return value ? std::string_view(value) : std::string_view{};
}

// What the client says it will send; "more than we take" when the number
// does not even fit.
std::uint64_t declared_body_length(MHD_Connection* connection)
{
    const std::string_view text = header(connection, MHD_HTTP_HEADER_CONTENT_LENGTH);
    std::uint64_t length = 0;
    if (text.empty())
        return 0;
    const auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), length);
    if (error != std::errc{} || stop != text.data() + text.size())
        return max_body + 1;
    return length;
}

struct Reply {
    unsigned status;
    std::string page;
};

MHD_Result send(MHD_Connection* connection, Language language, const Reply& reply)
{
    MHD_Response* response = MHD_create_response_from_buffer(
        reply.page.size(), const_cast<char*>(reply.page.data()), MHD_RESPMEM_MUST_COPY);
    if (!response)
        return MHD_NO;
    const std::string content_language(language_tag(language));
    const std::pair<const char*, const char*> headers[] = {
        {MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8"},
        // The confirmation page carries the token: no cache may keep it.
        {MHD_HTTP_HEADER_CACHE_CONTROL, "no-store"},
        {"X-Content-Type-Options", "nosniff"},
        // The token is in the URL; a followed privacy link must not leak it.
        {"Referrer-Policy", "no-referrer"},
        {"Content-Security-Policy",
         "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"},
        {MHD_HTTP_HEADER_CONTENT_LANGUAGE, content_language.c_str()},
        {MHD_HTTP_HEADER_VARY, "Accept-Language"},
    };
    bool complete = true;
    for (const auto& [name, value] : headers)
        complete = complete && MHD_add_response_header(response, name, value) == MHD_YES;
    if (reply.status == MHD_HTTP_METHOD_NOT_ALLOWED)
        complete = complete && MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, POST") == MHD_YES;
    if (reply.status == MHD_HTTP_SERVICE_UNAVAILABLE)
        complete = complete && MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, "60") == MHD_YES;
    const MHD_Result queued = complete ? MHD_queue_response(connection, reply.status, response) : MHD_NO;
    MHD_destroy_response(response);
    return queued;
}

// Marks a POST whose body is being read; libmicrohttpd hands it back on
// every call for the request and to on_completed, which frees it.
struct PendingPost {
    std::size_t body_bytes = 0;
};

class Endpoint {
public:
    explicit Endpoint(Handlers handlers) : m_handlers(std::move(handlers)) {}

    MHD_Result answer(MHD_Connection* connection, std::string_view url, std::string_view method,
                      std::size_t* upload_data_size, void** request_state)
    {
        const Language language = choose_language(header(connection, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
        try {
            std::optional<Reply> reply;
            if (auto* pending = static_cast<PendingPost*>(*request_state)) {
                if (*upload_data_size != 0) {
                    pending->body_bytes += *upload_data_size;
                    *upload_data_size = 0;
                    // Only a chunked body gets here past the limit (a declared
                    // length was checked first). libmicrohttpd cannot answer
                    // in the middle of a body, and reading an endless one to
                    // the end would hold a connection slot: hang up.
                    return pending->body_bytes > max_body ? MHD_NO : MHD_YES;
                }
                reply = finish_post(url.substr(token_path.size()), language);
            } else {
                reply = first_look(connection, url, method, language, request_state);
                if (!reply)
                    return MHD_YES;  // read the POST body
            }
            return send(connection, language, *reply);
        } catch (...) {
            // A handler (or the allocator) failed: fail safe, the visitor is
            // asked to retry and nothing is assumed done.
            try {
                return send(connection, language, {MHD_HTTP_SERVICE_UNAVAILABLE,
                                                   notice_page(language, Notice::retry_later)});
            } catch (...) {
                return MHD_NO;
            }
        }
    }

private:
    // Everything that can be decided from the request line and headers; an
    // empty result means a POST to a well-formed token whose body comes next.
    std::optional<Reply> first_look(MHD_Connection* connection, std::string_view url, std::string_view method,
                                    Language language, void** request_state)
    {
        if (!url.starts_with(token_path))
            return Reply{MHD_HTTP_NOT_FOUND, notice_page(language, Notice::not_found)};
        const bool reading = method == MHD_HTTP_METHOD_GET || method == MHD_HTTP_METHOD_HEAD;
        if (!reading && method != MHD_HTTP_METHOD_POST)
            return Reply{MHD_HTTP_METHOD_NOT_ALLOWED, notice_page(language, Notice::method_not_allowed)};
        // Handlers only ever see tokens of the alphabet we issue: anything
        // else is a mangled or forged link and is refused here.
        const std::string_view token = url.substr(token_path.size());
        if (!is_token_syntax(token))
            return Reply{MHD_HTTP_BAD_REQUEST, notice_page(language, Notice::bad_link)};
        if (reading) {
            // A GET never unsubscribes: mail scanners and link previews
            // follow every link in a message.
            if (m_handlers.check(token) != TokenCheck::valid)
                return Reply{MHD_HTTP_BAD_REQUEST, notice_page(language, Notice::bad_link)};
            return Reply{MHD_HTTP_OK, confirm_page(language, m_handlers.identity(), token)};
        }
        if (declared_body_length(connection) > max_body)
            return Reply{MHD_HTTP_CONTENT_TOO_LARGE, notice_page(language, Notice::too_large)};
        *request_state = new PendingPost{};
        return std::nullopt;
    }

    // The body itself is not checked to be "List-Unsubscribe=One-Click":
    // RFC 8058 clients send exactly that and so does our page's form, but a
    // browser or proxy may add or re-encode fields, and refusing a
    // recipient's objection over the body's wording would help nobody. The
    // signed token is what authorises the unsubscription, and a POST is what
    // link scanners do not send.
    Reply finish_post(std::string_view token, Language language)
    {
        switch (m_handlers.unsubscribe(token)) {
        case UnsubscribeResult::done:
            // The objection is recorded before the page is built: if the
            // identity cannot be read now, the visitor's retry is harmless.
            return {MHD_HTTP_OK, done_page(language, m_handlers.identity())};
        case UnsubscribeResult::invalid_token:
            return {MHD_HTTP_BAD_REQUEST, notice_page(language, Notice::bad_link)};
        case UnsubscribeResult::unavailable:
            break;
        }
        return {MHD_HTTP_SERVICE_UNAVAILABLE, notice_page(language, Notice::retry_later)};
    }

    Handlers m_handlers;
};

MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url, const char* method,
                      const char* /*version*/, const char* /*upload_data*/, std::size_t* upload_data_size,
                      void** request_state)
{
    return static_cast<Endpoint*>(cls)->answer(connection, url, method, upload_data_size, request_state);
}

void on_completed(void* /*cls*/, MHD_Connection* /*connection*/, void** request_state,
                  MHD_RequestTerminationCode /*reason*/)
{
    delete static_cast<PendingPost*>(*request_state);
    *request_state = nullptr;
}

// The path is used as sent: tokens need no percent-encoding, so a '%' is
// a damaged link, and decoding first would let "%2F" or "%00" reach the
// syntax check in disguise.
std::size_t keep_path_as_sent(void* /*cls*/, MHD_Connection* /*connection*/, char* text)
{
    return std::strlen(text);
}

// libmicrohttpd's messages are kept only while the daemon starts, to say
// why it could not (bind errors); afterwards they are per-connection noise
// (clients that hang up) with no one to read them.
struct StartupLog {
    std::mutex mutex;
    bool recording = true;
    std::string text;
};

void on_log(void* cls, const char* format, va_list arguments)
{
    auto& log = *static_cast<StartupLog*>(cls);
    try {
        char line[512];
        std::vsnprintf(line, sizeof line, format, arguments);
        const std::lock_guard lock(log.mutex);
        if (!log.recording)
            return;
        std::string_view message(line);
        while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
            message.remove_suffix(1);
        if (!log.text.empty())
            log.text += "; ";
        log.text += message;
    } catch (...) {
    }
}

}  // namespace

struct OneClickServer::Impl {
    explicit Impl(Handlers handlers) : endpoint(std::move(handlers)) {}
    ~Impl()
    {
        if (daemon)
            MHD_stop_daemon(daemon);
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    // Both outlive the daemon, whose threads use them until it stops.
    Endpoint endpoint;
    StartupLog log;
    MHD_Daemon* daemon = nullptr;
    std::uint16_t port = 0;
};

OneClickServer::OneClickServer(const ServerSettings& settings, Handlers handlers)
{
    if (!handlers.check || !handlers.unsubscribe || !handlers.identity)
        throw std::invalid_argument("one-click server: every handler must be set");
    const ListenAddress address = parse_listen_address(settings.listen);
    if (settings.max_connections == 0)
        refuse(settings.listen, "max_connections must be at least 1");

    m_impl = std::make_unique<Impl>(std::move(handlers));
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (address.ipv6)
        flags |= MHD_USE_IPv6;
    // libmicrohttpd shares the connection limit among its threads, so a
    // pool needs as many connections; without one the single polling thread
    // serves (the option is then left out: any size below 2 draws a warning).
    MHD_OptionItem pool[] = {{MHD_OPTION_THREAD_POOL_SIZE, worker_threads, nullptr}, {MHD_OPTION_END, 0, nullptr}};
    if (settings.max_connections < worker_threads)
        pool[0] = pool[1];
    // The logger must come first to catch what the other options report.
    // The port is also in the address; libmicrohttpd names it in messages.
    m_impl->daemon = MHD_start_daemon(
        flags, address.port, nullptr, nullptr, &on_request, &m_impl->endpoint,
        MHD_OPTION_EXTERNAL_LOGGER, &on_log, &m_impl->log,
        MHD_OPTION_SOCK_ADDR, reinterpret_cast<const sockaddr*>(&address.storage),
        MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned int>(settings.max_connections),
        MHD_OPTION_CONNECTION_TIMEOUT, static_cast<unsigned int>(settings.connection_timeout_seconds),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, connection_memory,
        MHD_OPTION_ARRAY, pool,
        MHD_OPTION_NOTIFY_COMPLETED, &on_completed, nullptr,
        MHD_OPTION_UNESCAPE_CALLBACK, &keep_path_as_sent, nullptr,
        MHD_OPTION_END);
    {
        const std::lock_guard lock(m_impl->log.mutex);
        m_impl->log.recording = false;
    }
    if (!m_impl->daemon)
        refuse(settings.listen, "cannot listen" + (m_impl->log.text.empty() ? "" : ": " + m_impl->log.text));
    const MHD_DaemonInfo* info = MHD_get_daemon_info(m_impl->daemon, MHD_DAEMON_INFO_BIND_PORT);
    m_impl->port = info ? info->port : 0;
}

OneClickServer::~OneClickServer() = default;

std::uint16_t OneClickServer::port() const
{
    return m_impl->port;
}

}  // namespace unsubscribe
