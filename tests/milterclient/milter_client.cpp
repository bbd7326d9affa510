// milter_client.cpp - MTA side of the milter protocol v6.  See milter_client.h.

#include "milter_client.h"

#include <libmilter/mfdef.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace milterclient {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

std::string printable_code(char c) {
  std::ostringstream o;
  if (c >= 0x21 && c < 0x7f)
    o << "'" << c << "'";
  else
    o << "0x" << std::hex << (static_cast<unsigned>(static_cast<unsigned char>(c)));
  return o.str();
}

const char* response_name(char c) {
  switch (c) {
    case SMFIR_ADDRCPT: return "SMFIR_ADDRCPT";
    case SMFIR_DELRCPT: return "SMFIR_DELRCPT";
    case SMFIR_ADDRCPT_PAR: return "SMFIR_ADDRCPT_PAR";
    case SMFIR_SHUTDOWN: return "SMFIR_SHUTDOWN";
    case SMFIR_ACCEPT: return "SMFIR_ACCEPT";
    case SMFIR_REPLBODY: return "SMFIR_REPLBODY";
    case SMFIR_CONTINUE: return "SMFIR_CONTINUE";
    case SMFIR_DISCARD: return "SMFIR_DISCARD";
    case SMFIR_CHGFROM: return "SMFIR_CHGFROM";
    case SMFIR_CONN_FAIL: return "SMFIR_CONN_FAIL";
    case SMFIR_ADDHEADER: return "SMFIR_ADDHEADER";
    case SMFIR_INSHEADER: return "SMFIR_INSHEADER";
    case SMFIR_SETSYMLIST: return "SMFIR_SETSYMLIST";
    case SMFIR_CHGHEADER: return "SMFIR_CHGHEADER";
    case SMFIR_PROGRESS: return "SMFIR_PROGRESS";
    case SMFIR_QUARANTINE: return "SMFIR_QUARANTINE";
    case SMFIR_REJECT: return "SMFIR_REJECT";
    case SMFIR_SKIP: return "SMFIR_SKIP";
    case SMFIR_TEMPFAIL: return "SMFIR_TEMPFAIL";
    case SMFIR_REPLYCODE: return "SMFIR_REPLYCODE";
    case SMFIC_OPTNEG: return "SMFIC_OPTNEG";
    default: return "unknown response";
  }
}

void put_u32(std::string& s, uint32_t v) {
  s.push_back(static_cast<char>((v >> 24) & 0xff));
  s.push_back(static_cast<char>((v >> 16) & 0xff));
  s.push_back(static_cast<char>((v >> 8) & 0xff));
  s.push_back(static_cast<char>(v & 0xff));
}

uint32_t get_u32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}

void put_cstr(std::string& s, std::string_view v, const char* what) {
  if (v.find('\0') != std::string_view::npos)
    throw std::invalid_argument(std::string("milterclient: NUL byte in ") + what);
  s.append(v);
  s.push_back('\0');
}

// Which SMFIP_NO* bit declines a step, and which SMFIP_NR_* bit silences it.
uint32_t no_bit(char cmd) {
  switch (cmd) {
    case SMFIC_CONNECT: return SMFIP_NOCONNECT;
    case SMFIC_HELO: return SMFIP_NOHELO;
    case SMFIC_MAIL: return SMFIP_NOMAIL;
    case SMFIC_RCPT: return SMFIP_NORCPT;
    case SMFIC_DATA: return SMFIP_NODATA;
    case SMFIC_HEADER: return SMFIP_NOHDRS;
    case SMFIC_EOH: return SMFIP_NOEOH;
    case SMFIC_BODY: return SMFIP_NOBODY;
    case SMFIC_UNKNOWN: return SMFIP_NOUNKNOWN;
    default: return 0;
  }
}

uint32_t nr_bit(char cmd) {
  switch (cmd) {
    case SMFIC_CONNECT: return SMFIP_NR_CONN;
    case SMFIC_HELO: return SMFIP_NR_HELO;
    case SMFIC_MAIL: return SMFIP_NR_MAIL;
    case SMFIC_RCPT: return SMFIP_NR_RCPT;
    case SMFIC_DATA: return SMFIP_NR_DATA;
    case SMFIC_HEADER: return SMFIP_NR_HDR;
    case SMFIC_EOH: return SMFIP_NR_EOH;
    case SMFIC_BODY: return SMFIP_NR_BODY;
    case SMFIC_UNKNOWN: return SMFIP_NR_UNKN;
    default: return 0;
  }
}

bool is_message_step(char cmd) {
  switch (cmd) {
    case SMFIC_RCPT:
    case SMFIC_DATA:
    case SMFIC_HEADER:
    case SMFIC_EOH:
    case SMFIC_BODY:
    case SMFIC_BODYEOB:
      return true;
    default:
      return false;
  }
}

// Reads NUL-terminated strings / integers out of a packet payload.
class Cursor {
 public:
  Cursor(const std::string& d, const char* ctx) : d_(d), ctx_(ctx) {}
  std::string cstr(const char* field) {
    auto nul = d_.find('\0', pos_);
    if (nul == std::string::npos)
      throw ProtocolError(std::string(ctx_) + ": " + field + " is not NUL-terminated");
    std::string out = d_.substr(pos_, nul - pos_);
    pos_ = nul + 1;
    return out;
  }
  uint32_t u32(const char* field) {
    if (d_.size() - pos_ < 4)
      throw ProtocolError(std::string(ctx_) + ": packet too short for " + field);
    uint32_t v = get_u32(d_.data() + pos_);
    pos_ += 4;
    return v;
  }
  bool done() const { return pos_ >= d_.size(); }
  std::size_t left() const { return d_.size() - pos_; }
  void expect_end() const {
    if (!done())
      throw ProtocolError(std::string(ctx_) + ": " + std::to_string(left()) +
                          " unexpected trailing byte(s)");
  }

 private:
  const std::string& d_;
  const char* ctx_;
  std::size_t pos_ = 0;
};

// "550 5.7.1 text", "451-4.7.1 ...\r\n451 4.7.1 ...": check like Postfix does.
bool valid_reply_code(const std::string& t) {
  if (t.size() < 4) return false;
  if (t[0] != '4' && t[0] != '5') return false;
  if (!std::isdigit(static_cast<unsigned char>(t[1])) ||
      !std::isdigit(static_cast<unsigned char>(t[2])))
    return false;
  if (t[3] != ' ' && t[3] != '-') return false;
  if (t.size() > 4 && std::isdigit(static_cast<unsigned char>(t[4])) && t[4] != t[0])
    return false;
  return true;
}

bool loopback(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return in6->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

int timeout_ms(std::chrono::milliseconds d) {
  auto c = d.count();
  if (c < 0) return -1;
  if (c > 0x7fffffff) return 0x7fffffff;
  return static_cast<int>(c);
}

void set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

}  // namespace

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------
const char* to_string(ReplyKind k) {
  switch (k) {
    case ReplyKind::Continue: return "continue";
    case ReplyKind::Accept: return "accept";
    case ReplyKind::Reject: return "reject";
    case ReplyKind::Tempfail: return "tempfail";
    case ReplyKind::Discard: return "discard";
    case ReplyKind::ReplyCode: return "replycode";
    case ReplyKind::Skip: return "skip";
    case ReplyKind::Shutdown: return "shutdown";
    case ReplyKind::ConnFail: return "connfail";
    case ReplyKind::Skipped: return "skipped";
    case ReplyKind::NoReply: return "noreply";
    case ReplyKind::NotSent: return "not_sent";
  }
  return "?";
}

const char* to_string(ModKind k) {
  switch (k) {
    case ModKind::AddHeader: return "addheader";
    case ModKind::InsertHeader: return "insheader";
    case ModKind::ChangeHeader: return "chgheader";
    case ModKind::AddRcpt: return "addrcpt";
    case ModKind::AddRcptPar: return "addrcpt_par";
    case ModKind::DelRcpt: return "delrcpt";
    case ModKind::ReplaceBody: return "replbody";
    case ModKind::ChangeFrom: return "chgfrom";
    case ModKind::Quarantine: return "quarantine";
    case ModKind::SetSymlist: return "setsymlist";
  }
  return "?";
}

const char* command_name(char cmd) {
  switch (cmd) {
    case SMFIC_ABORT: return "SMFIC_ABORT";
    case SMFIC_BODY: return "SMFIC_BODY";
    case SMFIC_CONNECT: return "SMFIC_CONNECT";
    case SMFIC_MACRO: return "SMFIC_MACRO";
    case SMFIC_BODYEOB: return "SMFIC_BODYEOB";
    case SMFIC_HELO: return "SMFIC_HELO";
    case SMFIC_QUIT_NC: return "SMFIC_QUIT_NC";
    case SMFIC_HEADER: return "SMFIC_HEADER";
    case SMFIC_MAIL: return "SMFIC_MAIL";
    case SMFIC_EOH: return "SMFIC_EOH";
    case SMFIC_OPTNEG: return "SMFIC_OPTNEG";
    case SMFIC_QUIT: return "SMFIC_QUIT";
    case SMFIC_RCPT: return "SMFIC_RCPT";
    case SMFIC_DATA: return "SMFIC_DATA";
    case SMFIC_UNKNOWN: return "SMFIC_UNKNOWN";
    default: return "SMFIC_?";
  }
}

namespace {
struct BitName {
  uint32_t bit;
  const char* name;
};
constexpr BitName kActionNames[] = {
    {action::kAddHeaders, "ADDHDRS"},   {action::kChangeBody, "CHGBODY"},
    {action::kAddRcpt, "ADDRCPT"},      {action::kDelRcpt, "DELRCPT"},
    {action::kChangeHeaders, "CHGHDRS"},{action::kQuarantine, "QUARANTINE"},
    {action::kChangeFrom, "CHGFROM"},   {action::kAddRcptPar, "ADDRCPT_PAR"},
    {action::kSetSymlist, "SETSYMLIST"},
};
constexpr BitName kProtocolNames[] = {
    {SMFIP_NOCONNECT, "NOCONNECT"}, {SMFIP_NOHELO, "NOHELO"},
    {SMFIP_NOMAIL, "NOMAIL"},       {SMFIP_NORCPT, "NORCPT"},
    {SMFIP_NOBODY, "NOBODY"},       {SMFIP_NOHDRS, "NOHDRS"},
    {SMFIP_NOEOH, "NOEOH"},         {SMFIP_NR_HDR, "NR_HDR"},
    {SMFIP_NOUNKNOWN, "NOUNKNOWN"}, {SMFIP_NODATA, "NODATA"},
    {SMFIP_SKIP, "SKIP"},           {SMFIP_RCPT_REJ, "RCPT_REJ"},
    {SMFIP_NR_CONN, "NR_CONN"},     {SMFIP_NR_HELO, "NR_HELO"},
    {SMFIP_NR_MAIL, "NR_MAIL"},     {SMFIP_NR_RCPT, "NR_RCPT"},
    {SMFIP_NR_DATA, "NR_DATA"},     {SMFIP_NR_UNKN, "NR_UNKN"},
    {SMFIP_NR_EOH, "NR_EOH"},       {SMFIP_NR_BODY, "NR_BODY"},
    {SMFIP_HDR_LEADSPC, "HDR_LEADSPC"},
    {SMFIP_MDS_256K, "MDS_256K"},   {SMFIP_MDS_1M, "MDS_1M"},
};

template <typename T>
std::string bits_to_string(uint32_t v, const T& table) {
  std::string out;
  uint32_t known = 0;
  for (const auto& b : table) {
    known |= b.bit;
    if (v & b.bit) {
      if (!out.empty()) out += ' ';
      out += b.name;
    }
  }
  if (v & ~known) {
    std::ostringstream o;
    o << "0x" << std::hex << (v & ~known);
    if (!out.empty()) out += ' ';
    out += o.str();
  }
  return out.empty() ? "none" : out;
}
}  // namespace

std::string actions_to_string(uint32_t acts) { return bits_to_string(acts, kActionNames); }
std::string protocol_to_string(uint32_t prot) { return bits_to_string(prot, kProtocolNames); }

std::string smfim_name(int stage) {
  switch (stage) {
    case smfim::kConnect: return "connect";
    case smfim::kHelo: return "helo";
    case smfim::kEnvFrom: return "mail";
    case smfim::kEnvRcpt: return "rcpt";
    case smfim::kData: return "data";
    case smfim::kEom: return "eom";
    case smfim::kEoh: return "eoh";
    default: return "stage" + std::to_string(stage);
  }
}

std::string macro_key(std::string_view name) {
  if (name.size() >= 2 && name.front() == '{' && name.back() == '}')
    name = name.substr(1, name.size() - 2);
  return std::string(name);
}

std::vector<std::string> NegotiateResult::symlist(int stage) const {
  std::vector<std::string> out;
  auto it = symlists.find(stage);
  if (it == symlists.end()) return out;
  std::istringstream in(it->second);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// ---------------------------------------------------------------------------
// Reply helpers
// ---------------------------------------------------------------------------
bool Reply::is_final() const {
  switch (kind) {
    case ReplyKind::Accept:
    case ReplyKind::Reject:
    case ReplyKind::Tempfail:
    case ReplyKind::Discard:
    case ReplyKind::ReplyCode:
    case ReplyKind::Shutdown:
    case ReplyKind::ConnFail:
      return true;
    default:
      return false;
  }
}

bool Reply::is_reject() const {
  return kind == ReplyKind::Reject || (kind == ReplyKind::ReplyCode && !text.empty() && text[0] == '5');
}

bool Reply::is_tempfail() const {
  return kind == ReplyKind::Tempfail ||
         (kind == ReplyKind::ReplyCode && !text.empty() && text[0] == '4');
}

int Reply::smtp_code() const {
  if (kind != ReplyKind::ReplyCode || text.size() < 3) return 0;
  return (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
}

bool Reply::body_replaced() const {
  for (const auto& m : modifications)
    if (m.kind == ModKind::ReplaceBody) return true;
  return false;
}

std::string Reply::replaced_body() const {
  std::string out;
  for (const auto& m : modifications)
    if (m.kind == ModKind::ReplaceBody) out += m.value;
  return out;
}

// ---------------------------------------------------------------------------
// MilterClient: lifetime and socket
// ---------------------------------------------------------------------------
MilterClient::MilterClient(Options opts) : opts_(opts) {}

MilterClient::~MilterClient() { close(); }

MilterClient::MilterClient(MilterClient&& o) noexcept { *this = std::move(o); }

MilterClient& MilterClient::operator=(MilterClient&& o) noexcept {
  if (this != &o) {
    close();
    opts_ = o.opts_;
    fd_ = o.fd_;
    o.fd_ = -1;
    tcp_ = o.tcp_;
    spec_ = std::move(o.spec_);
    conn_ = o.conn_;
    o.conn_ = Conn::Closed;
    msg_ = o.msg_;
    skip_cmd_ = o.skip_cmd_;
    last_cmd_ = o.last_cmd_;
    neg_ = std::move(o.neg_);
    eff_prot_ = o.eff_prot_;
    conn_final_ = std::move(o.conn_final_);
    msg_final_ = std::move(o.msg_final_);
    out_ = std::move(o.out_);
    in_ = std::move(o.in_);
    in_pos_ = o.in_pos_;
  }
  return *this;
}

void MilterClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  tcp_ = false;
  conn_ = Conn::Closed;
  msg_ = Msg::None;
  skip_cmd_ = 0;
  last_cmd_ = 0;
  out_.clear();
  in_.clear();
  in_pos_ = 0;
}

void MilterClient::open(const std::string& spec) {
  close();
  spec_ = spec;
  neg_ = NegotiateResult{};
  eff_prot_ = 0;
  conn_final_ = Reply{};
  msg_final_ = Reply{};

  std::string kind, rest;
  if (spec.rfind("unix:", 0) == 0) {
    kind = "unix";
    rest = spec.substr(5);
  } else if (spec.rfind("local:", 0) == 0) {
    kind = "unix";
    rest = spec.substr(6);
  } else if (!spec.empty() && spec[0] == '/') {
    kind = "unix";
    rest = spec;
  } else if (spec.rfind("inet:", 0) == 0) {
    kind = "inet";
    rest = spec.substr(5);
  } else if (spec.rfind("inet6:", 0) == 0) {
    kind = "inet6";
    rest = spec.substr(6);
  } else {
    throw IoError("unsupported milter socket spec '" + spec +
                  "' (use unix:/path, inet:PORT@HOST or inet6:PORT@HOST)");
  }

  if (kind == "unix") {
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    if (rest.empty() || rest.size() >= sizeof(sun.sun_path))
      throw IoError("bad unix socket path in '" + spec + "'");
    std::memcpy(sun.sun_path, rest.data(), rest.size());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw IoError("socket(AF_UNIX): " + errno_text(errno));
    // Blocking connect bounded by SO_SNDTIMEO (Linux applies it to AF_UNIX
    // connect when the listen backlog is full).
    timeval tv{};
    tv.tv_sec = opts_.connect_timeout.count() / 1000;
    tv.tv_usec = (opts_.connect_timeout.count() % 1000) * 1000;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int rc;
    do {
      rc = ::connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
      int e = errno;
      ::close(fd);
      if (e == EAGAIN || e == EINPROGRESS || e == ETIMEDOUT)
        throw TimeoutError("connect to " + spec + ": timed out");
      throw IoError("connect to " + spec + ": " + errno_text(e));
    }
    tv = timeval{};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    set_nonblock(fd);
    fd_ = fd;
    conn_ = Conn::Open;
    return;
  }

  // inet / inet6: PORT@HOST, HOST:PORT, [HOST]:PORT or PORT.
  std::string host, port;
  if (auto at = rest.find('@'); at != std::string::npos) {
    port = rest.substr(0, at);
    host = rest.substr(at + 1);
  } else if (!rest.empty() && rest[0] == '[') {
    auto close_br = rest.find(']');
    if (close_br == std::string::npos || close_br + 1 >= rest.size() || rest[close_br + 1] != ':')
      throw IoError("bad socket spec '" + spec + "'");
    host = rest.substr(1, close_br - 1);
    port = rest.substr(close_br + 2);
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos && kind == "inet") {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  } else {
    port = rest;
  }
  if (!host.empty() && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = kind == "inet6" ? "::1" : "127.0.0.1";
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stol(port) < 1 || std::stol(port) > 65535)
    throw IoError("bad port in socket spec '" + spec + "'");

  addrinfo hints{};
  hints.ai_family = kind == "inet6" ? AF_INET6 : AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int gai = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (gai != 0) throw IoError("resolve " + host + ": " + gai_strerror(gai));
  std::string last_err = "no loopback address for host '" + host +
                         "' (milterclient only connects to loopback)";
  bool timed_out = false;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    if (!loopback(ai->ai_addr)) continue;
    int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      last_err = "socket: " + errno_text(errno);
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int pr;
      do {
        pr = ::poll(&p, 1, timeout_ms(opts_.connect_timeout));
      } while (pr < 0 && errno == EINTR);
      if (pr == 0) {
        ::close(fd);
        last_err = "connect to " + spec + ": timed out";
        timed_out = true;
        continue;
      }
      int soerr = 0;
      socklen_t sl = sizeof soerr;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
      rc = soerr == 0 ? 0 : -1;
      errno = soerr;
    }
    if (rc < 0) {
      last_err = "connect to " + spec + ": " + errno_text(errno);
      ::close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    freeaddrinfo(res);
    fd_ = fd;
    tcp_ = true;
    conn_ = Conn::Open;
    return;
  }
  freeaddrinfo(res);
  if (timed_out) throw TimeoutError(last_err);
  throw IoError(last_err);
}

// ---------------------------------------------------------------------------
// Wire I/O
// ---------------------------------------------------------------------------
void MilterClient::fail_protocol(const std::string& msg) {
  std::string where = spec_;
  close();
  throw ProtocolError("milter " + where + ": " + msg);
}

void MilterClient::fail_io(const std::string& msg, bool timeout) {
  std::string where = spec_;
  close();
  if (timeout) throw TimeoutError("milter " + where + ": " + msg);
  throw IoError("milter " + where + ": " + msg);
}

void MilterClient::queue_packet(char cmd, std::string_view payload) {
  if (payload.size() > opts_.max_send_data)
    throw std::invalid_argument(std::string("milterclient: ") + command_name(cmd) + " data of " +
                                std::to_string(payload.size()) + " bytes exceeds " +
                                std::to_string(opts_.max_send_data));
  put_u32(out_, static_cast<uint32_t>(payload.size() + 1));
  out_.push_back(cmd);
  out_.append(payload);
}

void MilterClient::flush() {
  std::size_t off = 0;
  while (off < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + off, out_.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      int pr;
      do {
        pr = ::poll(&p, 1, timeout_ms(opts_.write_timeout));
      } while (pr < 0 && errno == EINTR);
      if (pr == 0) fail_io("write timed out", true);
      if (pr < 0) fail_io("poll: " + errno_text(errno));
      continue;
    }
    fail_io("write error: " + errno_text(errno));
  }
  out_.clear();
}

void MilterClient::fill(char cmd) {
  if (in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
  }
  char buf[65536];
  for (;;) {
    if (tcp_ && opts_.tcp_quickack) {
      int one = 1;
      setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    }
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      in_.append(buf, static_cast<std::size_t>(n));
      return;
    }
    if (n == 0)
      fail_io(std::string("connection closed by filter while waiting for reply to ") +
              command_name(cmd));
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) fail_io("read error: " + errno_text(errno));
    pollfd p{fd_, POLLIN, 0};
    int pr;
    do {
      pr = ::poll(&p, 1, timeout_ms(opts_.read_timeout));
    } while (pr < 0 && errno == EINTR);
    if (pr == 0)
      fail_io("timed out after " + std::to_string(opts_.read_timeout.count()) +
                  " ms waiting for reply to " + command_name(cmd),
              true);
    if (pr < 0) fail_io("poll: " + errno_text(errno));
  }
}

void MilterClient::read_exact(char* dst, std::size_t n, char cmd) {
  while (n > 0) {
    if (in_pos_ == in_.size()) fill(cmd);
    std::size_t take = std::min(n, in_.size() - in_pos_);
    std::memcpy(dst, in_.data() + in_pos_, take);
    in_pos_ += take;
    dst += take;
    n -= take;
  }
}

// ---------------------------------------------------------------------------
// Negotiation
// ---------------------------------------------------------------------------
NegotiateResult MilterClient::negotiate(uint32_t actions, uint32_t protocol_flags) {
  require(conn_ == Conn::Open, "negotiate() must be the first step after open()");
  std::string p;
  put_u32(p, kProtocolVersion);
  put_u32(p, actions);
  put_u32(p, protocol_flags);
  queue_packet(SMFIC_OPTNEG, p);
  flush();

  char hdr[5];
  try {
    read_exact(hdr, 4, SMFIC_OPTNEG);
  } catch (const TimeoutError&) {
    throw;
  } catch (const IoError& e) {
    throw IoError(std::string(e.what()) +
                  " (the filter may have refused the offered actions/protocol)");
  }
  uint32_t len = get_u32(hdr);
  if (len == 0) fail_protocol("zero-length packet in negotiation");
  if (len > opts_.max_packet)
    fail_protocol("negotiation reply length " + std::to_string(len) + " exceeds limit " +
                  std::to_string(opts_.max_packet));
  read_exact(hdr + 4, 1, SMFIC_OPTNEG);
  std::string data(len - 1, '\0');
  if (!data.empty()) read_exact(data.data(), data.size(), SMFIC_OPTNEG);
  if (hdr[4] != SMFIC_OPTNEG)
    fail_protocol("unexpected reply " + printable_code(hdr[4]) + " (" + response_name(hdr[4]) +
                  ") to SMFIC_OPTNEG");

  NegotiateResult r;
  r.offered_actions = actions;
  r.offered_protocol = protocol_flags;
  try {
    Cursor c(data, "SMFIC_OPTNEG reply");
    if (data.size() < MILTER_OPTLEN)
      throw ProtocolError("SMFIC_OPTNEG reply: " + std::to_string(data.size()) +
                          " data bytes, need at least " + std::to_string(MILTER_OPTLEN));
    r.version = c.u32("version");
    r.actions = c.u32("actions");
    r.protocol = c.u32("protocol");
    if (r.version < 2 || r.version > kProtocolVersion)
      throw ProtocolError("filter protocol version " + std::to_string(r.version) +
                          " not in 2.." + std::to_string(kProtocolVersion));
    if ((r.actions & actions) != r.actions) {
      std::ostringstream o;
      o << "filter requests actions 0x" << std::hex << r.actions << " not offered (offered 0x"
        << actions << ")";
      throw ProtocolError(o.str());
    }
    if ((r.protocol & protocol_flags) != r.protocol) {
      std::ostringstream o;
      o << "filter protocol flags include bits not offered: "
        << protocol_to_string(r.protocol & ~protocol_flags);
      r.warnings.push_back(o.str());
    }
    while (!c.done()) {
      uint32_t idx = c.u32("macro stage index");
      std::string names = c.cstr("macro list");
      if (idx > static_cast<uint32_t>(smfim::kEoh)) {
        r.warnings.push_back("ignoring unknown macro stage " + std::to_string(idx) + " (\"" +
                             names + "\")");
        continue;
      }
      r.symlists[static_cast<int>(idx)] = names;
    }
  } catch (const ProtocolError& e) {
    fail_protocol(e.what());
  }
  neg_ = r;
  eff_prot_ = r.protocol;
  // Like Postfix: don't send events an older filter version doesn't know.
  if (r.version < 4) eff_prot_ |= SMFIP_NODATA;
  if (r.version < 3) eff_prot_ |= SMFIP_NOUNKNOWN;
  conn_ = Conn::Ready;
  return r;
}

// ---------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------
void MilterClient::require(bool ok, const char* what) const {
  if (!ok) throw std::logic_error(std::string("milterclient: ") + what);
}

bool MilterClient::step_gate(char cmd, Reply& out) {
  require(fd_ >= 0, "not connected (open() first)");
  require(conn_ != Conn::Open, "negotiate() first");
  if (cmd == SMFIC_CONNECT) {
    require(conn_ == Conn::Ready,
            "connect() only once per SMTP connection (quit_new_connection() or open() to start "
            "another)");
  } else {
    require(conn_ != Conn::Ready, "connect() first");
  }
  if (conn_ == Conn::Done) {
    out = Reply{ReplyKind::NotSent, {}, {}, 0};
    return false;
  }
  if (cmd == SMFIC_MAIL) {
    require(msg_ != Msg::Open,
            "mail() while a message is in progress; finish it with eom() or call abort()");
  } else if (is_message_step(cmd)) {
    require(msg_ != Msg::None, "mail() first");
    if (msg_ == Msg::Final) {
      out = Reply{ReplyKind::NotSent, {}, {}, 0};
      return false;
    }
  }
  // Postfix: skip further events of the type the filter said SKIP to.
  if (skip_cmd_ != 0) {
    if (skip_cmd_ == cmd) {
      out = Reply{ReplyKind::Skipped, {}, {}, 0};
      return false;
    }
    skip_cmd_ = 0;
  }
  // State transitions happen even when the filter declined the step.
  if (cmd == SMFIC_CONNECT) conn_ = Conn::Envelope;
  if (cmd == SMFIC_MAIL) {
    msg_ = Msg::Open;
    msg_final_ = Reply{};
  }
  if (eff_prot_ & no_bit(cmd)) {
    if (!out_.empty()) flush();  // macros are sent even for declined steps
    out = Reply{ReplyKind::Skipped, {}, {}, 0};
    return false;
  }
  return true;
}

void MilterClient::after_reply(char cmd, const Reply& r) {
  auto end_conn = [&] {
    conn_ = Conn::Done;
    conn_final_ = r;
  };
  auto end_msg = [&] {
    if (msg_ != Msg::None) {
      msg_ = Msg::Final;
      msg_final_ = r;
    }
  };
  switch (r.kind) {
    case ReplyKind::Shutdown:
    case ReplyKind::ConnFail:
      end_conn();
      end_msg();
      return;
    case ReplyKind::Skip:
      skip_cmd_ = cmd;
      break;
    default:
      break;
  }
  if (cmd == SMFIC_BODYEOB) {
    end_msg();
    return;
  }
  if (!r.is_final()) return;
  switch (cmd) {
    case SMFIC_CONNECT:
    case SMFIC_HELO:
      // Postfix: DISCARD is not allowed for connect/helo and is ignored.
      if (r.kind != ReplyKind::Discard) end_conn();
      return;
    case SMFIC_RCPT:
      // reject/tempfail refuse this recipient only.
      if (r.kind == ReplyKind::Accept || r.kind == ReplyKind::Discard) end_msg();
      return;
    case SMFIC_UNKNOWN:
      return;  // refuses that command only
    default:
      end_msg();
      return;
  }
}

Reply MilterClient::read_reply(char cmd) {
  Reply r;
  for (;;) {
    char hdr[5];
    read_exact(hdr, 4, cmd);
    uint32_t len = get_u32(hdr);
    if (len == 0) fail_protocol(std::string("zero-length packet in reply to ") + command_name(cmd));
    if (len > opts_.max_packet)
      fail_protocol(std::string("reply to ") + command_name(cmd) + " has packet length " +
                    std::to_string(len) + " > limit " + std::to_string(opts_.max_packet));
    read_exact(hdr + 4, 1, cmd);
    const char code = hdr[4];
    std::string data(len - 1, '\0');
    if (!data.empty()) read_exact(data.data(), data.size(), cmd);

    std::string ctx = std::string(response_name(code)) + " after " + command_name(cmd);
    try {
      Cursor c(data, ctx.c_str());
      auto simple = [&](ReplyKind k) {
        c.expect_end();
        r.kind = k;
      };
      switch (code) {
        case SMFIR_PROGRESS:
          c.expect_end();
          ++r.progress;
          continue;
        case SMFIR_CONTINUE: simple(ReplyKind::Continue); return r;
        case SMFIR_ACCEPT: simple(ReplyKind::Accept); return r;
        case SMFIR_REJECT: simple(ReplyKind::Reject); return r;
        case SMFIR_TEMPFAIL: simple(ReplyKind::Tempfail); return r;
        case SMFIR_DISCARD: simple(ReplyKind::Discard); return r;
        case SMFIR_SKIP: simple(ReplyKind::Skip); return r;
        case SMFIR_SHUTDOWN: simple(ReplyKind::Shutdown); return r;
        case SMFIR_CONN_FAIL: simple(ReplyKind::ConnFail); return r;
        case SMFIR_REPLYCODE: {
          std::string t = c.cstr("reply text");
          c.expect_end();
          if (!valid_reply_code(t))
            throw ProtocolError(ctx + ": malformed SMTP reply \"" + t.substr(0, 80) + "\"");
          r.kind = ReplyKind::ReplyCode;
          r.text = std::move(t);
          return r;
        }
        case SMFIR_QUARANTINE: {
          Modification m;
          m.kind = ModKind::Quarantine;
          m.value = c.cstr("reason");
          c.expect_end();
          r.modifications.push_back(std::move(m));
          continue;
        }
        default:
          break;
      }
      const bool is_mod = code == SMFIR_ADDHEADER || code == SMFIR_INSHEADER ||
                          code == SMFIR_CHGHEADER || code == SMFIR_ADDRCPT ||
                          code == SMFIR_DELRCPT || code == SMFIR_ADDRCPT_PAR ||
                          code == SMFIR_CHGFROM || code == SMFIR_REPLBODY ||
                          code == SMFIR_SETSYMLIST;
      if (!is_mod)
        throw ProtocolError("unknown response code " + printable_code(code) + " to " +
                            command_name(cmd));
      if (cmd != SMFIC_BODYEOB)
        throw ProtocolError("unexpected response " + printable_code(code) + " (" +
                            response_name(code) + ") to " + command_name(cmd) +
                            " (modifications are only allowed at end of message)");
      Modification m;
      switch (code) {
        case SMFIR_ADDHEADER:
          m.kind = ModKind::AddHeader;
          m.name = c.cstr("header name");
          m.value = c.cstr("header value");
          break;
        case SMFIR_INSHEADER:
        case SMFIR_CHGHEADER:
          m.kind = code == SMFIR_INSHEADER ? ModKind::InsertHeader : ModKind::ChangeHeader;
          m.index = c.u32("header index");
          m.name = c.cstr("header name");
          m.value = c.cstr("header value");
          break;
        case SMFIR_ADDRCPT:
          m.kind = ModKind::AddRcpt;
          m.value = c.cstr("recipient");
          break;
        case SMFIR_DELRCPT:
          m.kind = ModKind::DelRcpt;
          m.value = c.cstr("recipient");
          break;
        case SMFIR_ADDRCPT_PAR:
        case SMFIR_CHGFROM:
          m.kind = code == SMFIR_CHGFROM ? ModKind::ChangeFrom : ModKind::AddRcptPar;
          m.value = c.cstr("address");
          if (!c.done()) m.args = c.cstr("ESMTP arguments");
          break;
        case SMFIR_REPLBODY:
          m.kind = ModKind::ReplaceBody;
          m.value = data;
          break;
        case SMFIR_SETSYMLIST:
          m.kind = ModKind::SetSymlist;
          m.value = data;
          break;
        default:
          throw ProtocolError("unknown response code " + printable_code(code) + " to " +
                              command_name(cmd));
      }
      if (code != SMFIR_REPLBODY && code != SMFIR_SETSYMLIST) c.expect_end();
      if ((m.kind == ModKind::AddHeader || m.kind == ModKind::InsertHeader ||
           m.kind == ModKind::ChangeHeader) &&
          m.name.empty())
        throw ProtocolError(ctx + ": empty header name");
      r.modifications.push_back(std::move(m));
    } catch (const ProtocolError& e) {
      fail_protocol(e.what());
    }
  }
}

Reply MilterClient::step(char cmd, const std::string& payload) {
  Reply r;
  if (!step_gate(cmd, r)) return r;
  queue_packet(cmd, payload);
  flush();
  last_cmd_ = cmd;
  if (eff_prot_ & nr_bit(cmd)) {
    r.kind = ReplyKind::NoReply;
    return r;
  }
  r = read_reply(cmd);
  after_reply(cmd, r);
  return r;
}

bool MilterClient::macros(char stage, const MacroList& m) {
  switch (stage) {
    case SMFIC_CONNECT: case SMFIC_HELO: case SMFIC_MAIL: case SMFIC_RCPT:
    case SMFIC_DATA: case SMFIC_HEADER: case SMFIC_EOH: case SMFIC_BODY:
    case SMFIC_BODYEOB: case SMFIC_UNKNOWN:
      break;
    default:
      throw std::invalid_argument(std::string("milterclient: macros() for invalid stage ") +
                                  printable_code(stage));
  }
  require(fd_ >= 0, "not connected (open() first)");
  require(conn_ != Conn::Open, "negotiate() first");
  if (conn_ == Conn::Done) return false;
  if (stage == SMFIC_CONNECT && conn_ != Conn::Ready) return false;
  if (is_message_step(stage) && msg_ == Msg::Final) return false;
  if (skip_cmd_ != 0 && skip_cmd_ == stage) return false;
  if (m.empty()) return false;
  std::string p(1, stage);
  for (const auto& [k, v] : m) {
    if (k.empty()) throw std::invalid_argument("milterclient: empty macro name");
    put_cstr(p, k, "macro name");
    put_cstr(p, v, "macro value");
  }
  queue_packet(SMFIC_MACRO, p);
  return true;
}

bool MilterClient::macros(char stage, const std::map<std::string, std::string>& m) {
  return macros(stage, MacroList(m.begin(), m.end()));
}

Reply MilterClient::connect(const std::string& hostname, char family, uint16_t port,
                            const std::string& addr) {
  std::string p;
  put_cstr(p, hostname, "hostname");
  switch (family) {
    case kFamilyUnknown:
      p.push_back(family);
      break;
    case kFamilyInet:
    case kFamilyInet6:
    case kFamilyUnix:
      p.push_back(family);
      p.push_back(static_cast<char>((port >> 8) & 0xff));
      p.push_back(static_cast<char>(port & 0xff));
      put_cstr(p, addr, "address");
      break;
    default:
      throw std::invalid_argument("milterclient: connect() family must be '4', '6', 'L' or 'U'");
  }
  return step(SMFIC_CONNECT, p);
}

Reply MilterClient::helo(const std::string& name) {
  std::string p;
  put_cstr(p, name, "helo name");
  return step(SMFIC_HELO, p);
}

Reply MilterClient::mail(const std::vector<std::string>& args) {
  if (args.empty()) throw std::invalid_argument("milterclient: mail() needs the sender");
  std::string p;
  for (const auto& a : args) put_cstr(p, a, "MAIL argument");
  return step(SMFIC_MAIL, p);
}

Reply MilterClient::rcpt(const std::vector<std::string>& args) {
  if (args.empty()) throw std::invalid_argument("milterclient: rcpt() needs the recipient");
  std::string p;
  for (const auto& a : args) put_cstr(p, a, "RCPT argument");
  return step(SMFIC_RCPT, p);
}

Reply MilterClient::data() { return step(SMFIC_DATA, {}); }

Reply MilterClient::header(const std::string& name, const std::string& value) {
  std::string p;
  put_cstr(p, name, "header name");
  put_cstr(p, value, "header value");
  return step(SMFIC_HEADER, p);
}

Reply MilterClient::eoh() { return step(SMFIC_EOH, {}); }

Reply MilterClient::body(std::string_view chunk) {
  Reply last;
  if (chunk.empty()) {
    if (!step_gate(SMFIC_BODY, last)) return last;
    last.kind = ReplyKind::Skipped;
    return last;
  }
  std::size_t max = std::min(kMaxChunk, opts_.max_send_data);
  for (std::size_t off = 0; off < chunk.size(); off += max) {
    std::string part(chunk.substr(off, max));
    Reply r = step(SMFIC_BODY, part);
    last = std::move(r);
    if (last.is_final() || last.kind == ReplyKind::Skip || last.kind == ReplyKind::Skipped ||
        last.kind == ReplyKind::NotSent)
      break;
  }
  return last;
}

Reply MilterClient::eom() { return step(SMFIC_BODYEOB, {}); }

Reply MilterClient::unknown(const std::string& command) {
  std::string p;
  put_cstr(p, command, "unknown command");
  return step(SMFIC_UNKNOWN, p);
}

void MilterClient::abort() {
  require(fd_ >= 0, "not connected (open() first)");
  skip_cmd_ = 0;
  if (conn_ == Conn::Envelope) {
    queue_packet(SMFIC_ABORT, {});
    flush();
    last_cmd_ = SMFIC_ABORT;
  }
  msg_ = Msg::None;
}

void MilterClient::quit() {
  if (fd_ < 0) return;
  try {
    queue_packet(SMFIC_QUIT, {});
    flush();
  } catch (const Error&) {
    // closing anyway
  }
  close();
}

void MilterClient::quit_new_connection() {
  require(fd_ >= 0, "not connected (open() first)");
  require(conn_ != Conn::Open, "negotiate() first");
  require(last_cmd_ == SMFIC_BODYEOB,
          "quit_new_connection() only directly after eom() (libmilter ignores SMFIC_QUIT_NC "
          "in any other state, and then the next SMFIC_CONNECT)");
  queue_packet(SMFIC_QUIT_NC, {});
  flush();
  conn_ = Conn::Ready;
  msg_ = Msg::None;
  skip_cmd_ = 0;
  last_cmd_ = SMFIC_QUIT_NC;
  conn_final_ = Reply{};
  msg_final_ = Reply{};
}

}  // namespace milterclient
