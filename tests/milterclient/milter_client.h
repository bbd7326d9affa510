// milter_client.h - MTA side of the Sendmail/Postfix milter protocol (v6).
//
// This is a test/load client: it speaks to a mail filter exactly the way an
// MTA (Postfix's milter8 client in particular) does, one method per protocol
// step.  It depends only on libc/libstdc++ and the protocol constants of
// <libmilter/mfdef.h>; it does not link libmilter.
//
// Wire format: every packet is a 4-byte big-endian length (command byte +
// data), one command byte, then the data.  Strings are NUL-terminated.
//
// Behaviour mirrored from the MTA:
//   * steps the filter declined at negotiation (SMFIP_NO*) are not sent and
//     return ReplyKind::Skipped;
//   * steps the filter marked no-reply (SMFIP_NR_*) are sent but no reply is
//     awaited; they return ReplyKind::NoReply;
//   * after a final answer (accept/reject/tempfail/discard/replycode) in a
//     message, further steps of that message are not sent (ReplyKind::NotSent)
//     until mail() starts a new message (optionally after abort());
//     reject/tempfail at RCPT only refuse that recipient, as in an MTA;
//   * a final answer at CONNECT/HELO (or SMFIR_SHUTDOWN / SMFIR_CONN_FAIL at
//     any step) ends the SMTP connection: every later step is NotSent;
//   * SMFIR_SKIP makes the client skip further events of the same type
//     (body chunks) until another event type is sent;
//   * SMFIR_PROGRESS is consumed internally (counted in Reply::progress);
//   * SMFIR_QUARANTINE is recorded as a modification wherever it arrives;
//     the other modification requests are only legal after SMFIC_BODYEOB.
//
// A MilterClient is not thread-safe; use one per thread.

#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace milterclient {

// ---------------------------------------------------------------------------
// Protocol constants.  Command/response codes and SMFIP_* come from mfdef.h
// (included by the .cpp); the SMFIF_* action bits and SMFIM_* macro stage
// indices are defined in libmilter's mfapi.h, which we deliberately do not
// include, so their (stable, on-the-wire) values are repeated here.
// ---------------------------------------------------------------------------
namespace action {
inline constexpr uint32_t kAddHeaders = 0x001;   // SMFIF_ADDHDRS
inline constexpr uint32_t kChangeBody = 0x002;   // SMFIF_CHGBODY
inline constexpr uint32_t kAddRcpt = 0x004;      // SMFIF_ADDRCPT
inline constexpr uint32_t kDelRcpt = 0x008;      // SMFIF_DELRCPT
inline constexpr uint32_t kChangeHeaders = 0x010;// SMFIF_CHGHDRS
inline constexpr uint32_t kQuarantine = 0x020;   // SMFIF_QUARANTINE
inline constexpr uint32_t kChangeFrom = 0x040;   // SMFIF_CHGFROM
inline constexpr uint32_t kAddRcptPar = 0x080;   // SMFIF_ADDRCPT_PAR
inline constexpr uint32_t kSetSymlist = 0x100;   // SMFIF_SETSYMLIST
inline constexpr uint32_t kAll = 0x1FF;          // what Postfix offers
}  // namespace action

// Macro stage indices used in the SMFIC_OPTNEG symlist (smfi_setsymlist).
namespace smfim {
inline constexpr int kConnect = 0;
inline constexpr int kHelo = 1;
inline constexpr int kEnvFrom = 2;
inline constexpr int kEnvRcpt = 3;
inline constexpr int kData = 4;
inline constexpr int kEom = 5;
inline constexpr int kEoh = 6;
}  // namespace smfim

inline constexpr uint32_t kProtocolVersion = 6;
// Every protocol bit Postfix (milter_protocol = 6) offers: all SMFIP_NO*,
// SMFIP_NR_*, SKIP, RCPT_REJ and HDR_LEADSPC (== SMFI_CURR_PROT).
inline constexpr uint32_t kAllProtocol = 0x001FFFFF;
inline constexpr std::size_t kMaxChunk = 65535;  // MILTER_CHUNK_SIZE

// ---------------------------------------------------------------------------
// Errors.  All derive from milterclient::Error.  After any Error the
// connection is closed and the client is unusable (open() a new one).
// ---------------------------------------------------------------------------
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The filter sent something that violates the protocol (bad length,
// malformed packet, unexpected response, failed negotiation).
class ProtocolError : public Error {
 public:
  using Error::Error;
};
// Socket level: cannot connect, EOF, read/write error.
class IoError : public Error {
 public:
  using Error::Error;
};
// No data from the filter within the read timeout (or connect timeout).
class TimeoutError : public IoError {
 public:
  using IoError::IoError;
};

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------
enum class ReplyKind {
  Continue,   // SMFIR_CONTINUE
  Accept,     // SMFIR_ACCEPT
  Reject,     // SMFIR_REJECT
  Tempfail,   // SMFIR_TEMPFAIL
  Discard,    // SMFIR_DISCARD
  ReplyCode,  // SMFIR_REPLYCODE: Reply::text holds "550 5.7.1 ..."
  Skip,       // SMFIR_SKIP
  Shutdown,   // SMFIR_SHUTDOWN (421, connection ends)
  ConnFail,   // SMFIR_CONN_FAIL (connection ends)
  Skipped,    // not sent: filter declined this step (SMFIP_NO*) or SKIP
  NoReply,    // sent, no reply expected (SMFIP_NR_*)
  NotSent,    // not sent: an earlier final answer ended the message/connection
};
const char* to_string(ReplyKind k);

enum class ModKind {
  AddHeader,     // SMFIR_ADDHEADER   name, value
  InsertHeader,  // SMFIR_INSHEADER   index, name, value
  ChangeHeader,  // SMFIR_CHGHEADER   index, name, value ("" = delete)
  AddRcpt,       // SMFIR_ADDRCPT     value = recipient
  AddRcptPar,    // SMFIR_ADDRCPT_PAR value = recipient, args
  DelRcpt,       // SMFIR_DELRCPT     value = recipient
  ReplaceBody,   // SMFIR_REPLBODY    value = one body chunk (in order)
  ChangeFrom,    // SMFIR_CHGFROM     value = sender, args
  Quarantine,    // SMFIR_QUARANTINE  value = reason
  SetSymlist,    // SMFIR_SETSYMLIST  value = raw payload (not used by libmilter)
};
const char* to_string(ModKind k);

struct Modification {
  ModKind kind = ModKind::AddHeader;
  uint32_t index = 0;   // Insert/ChangeHeader: as sent (insert: 0 = top;
                        // change: 1 = first occurrence of name)
  std::string name;     // header name
  std::string value;    // header value / recipient / sender / body chunk / reason
  std::string args;     // ESMTP args for AddRcptPar / ChangeFrom ("" if none)
  bool operator==(const Modification&) const = default;
};

struct Reply {
  ReplyKind kind = ReplyKind::Continue;
  std::string text;                        // SMTP reply for ReplyCode
  std::vector<Modification> modifications; // eom edits (+ quarantine anywhere)
  unsigned progress = 0;                   // SMFIR_PROGRESS packets seen

  bool sent() const { return kind != ReplyKind::Skipped && kind != ReplyKind::NotSent; }
  // accept/reject/tempfail/discard/replycode/shutdown/connfail.  Whether it
  // ends the message depends on the step (reject at RCPT refuses one recipient).
  bool is_final() const;
  bool is_reject() const;    // Reject, or ReplyCode 5xx
  bool is_tempfail() const;  // Tempfail, or ReplyCode 4xx
  int smtp_code() const;     // 3-digit code of a ReplyCode, else 0
  bool body_replaced() const;
  std::string replaced_body() const;  // concatenated ReplaceBody chunks
};

// What the filter answered to SMFIC_OPTNEG.
struct NegotiateResult {
  uint32_t version = 0;
  uint32_t actions = 0;           // SMFIF_* the filter wants to use
  uint32_t protocol = 0;          // SMFIP_* steps it declines / won't reply to
  uint32_t offered_actions = 0;   // what we offered
  uint32_t offered_protocol = 0;
  // Macro lists requested with smfi_setsymlist: SMFIM_* index -> names as
  // sent (space separated, e.g. "j {daemon_name}").
  std::map<int, std::string> symlists;
  std::vector<std::string> warnings;  // tolerated oddities (as Postfix does)

  bool has(uint32_t smfip_bit) const { return (protocol & smfip_bit) != 0; }
  // Names of a stage's requested macros (empty if none requested).
  std::vector<std::string> symlist(int smfim_stage) const;
};

struct Options {
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds read_timeout{10000};   // per poll() for input
  std::chrono::milliseconds write_timeout{10000};  // per poll() for output
  // Largest accepted incoming packet length (command byte + data):
  // a 64 KiB body chunk plus slack.  Anything larger is a ProtocolError.
  std::size_t max_packet = 65536 + 4096;
  // Largest data we send in one command (libmilter's MILTER_MAX_DATA_SIZE).
  std::size_t max_send_data = 65535;
  // TCP only: re-arm TCP_QUICKACK before every read.  libmilter writes each
  // reply packet separately and does not disable Nagle, so a multi-packet
  // reply (modifications + final answer at eom) waits for our delayed ACK
  // (~40 ms on Linux).  Postfix does not do this, so it is off by default
  // (measure what the MTA would see); turn it on to measure the filter only.
  bool tcp_quickack = false;
};

// Ordered macro list (name as sent on the wire, e.g. "j", "{daemon_name}").
using MacroList = std::vector<std::pair<std::string, std::string>>;

// SMFIA_* address families for connect().
inline constexpr char kFamilyUnknown = 'U';
inline constexpr char kFamilyUnix = 'L';
inline constexpr char kFamilyInet = '4';
inline constexpr char kFamilyInet6 = '6';

class MilterClient {
 public:
  explicit MilterClient(Options opts = {});
  ~MilterClient();
  MilterClient(const MilterClient&) = delete;
  MilterClient& operator=(const MilterClient&) = delete;
  MilterClient(MilterClient&& other) noexcept;
  MilterClient& operator=(MilterClient&& other) noexcept;

  // Connect the socket.  spec: "unix:/path" (or "local:/path" or "/path"),
  // "inet:PORT@HOST", "inet:HOST:PORT", "inet:PORT", "inet6:PORT@HOST",
  // "inet6:PORT".  TCP is restricted to loopback addresses.  Sets
  // TCP_NODELAY on TCP.  Throws IoError / TimeoutError.
  void open(const std::string& spec);
  bool is_open() const { return fd_ >= 0; }
  // Close the socket without sending QUIT.
  void close();
  const std::string& spec() const { return spec_; }

  // SMFIC_OPTNEG (version 6).  Must be the first step.
  NegotiateResult negotiate(uint32_t actions = action::kAll,
                            uint32_t protocol_flags = kAllProtocol);
  const NegotiateResult& negotiated() const { return neg_; }

  // SMFIC_MACRO for the step whose command code is stage_cmd ('C' connect,
  // 'H' helo, 'M' mail, 'R' rcpt, 'T' data, 'L' header, 'N' eoh, 'B' body,
  // 'E' eom, 'U' unknown).  Queued and sent together with the next step.
  // Like Postfix, macros are sent even for steps the filter declined.
  // Returns false (nothing queued) when the step would be NotSent/skipped.
  bool macros(char stage_cmd, const std::map<std::string, std::string>& m);
  bool macros(char stage_cmd, const MacroList& m);

  // SMFIC_CONNECT.  family: kFamilyInet/Inet6/Unix/Unknown; for Unknown the
  // port and address are not sent.
  Reply connect(const std::string& hostname, char family, uint16_t port,
                const std::string& addr);
  Reply helo(const std::string& name);
  // args[0] is the address as the MTA sends it, with angle brackets
  // ("<a@b>", "<>"), followed by ESMTP parameters ("SIZE=123").
  Reply mail(const std::vector<std::string>& args);
  Reply rcpt(const std::vector<std::string>& args);
  Reply data();
  // value exactly as to be sent (Postfix strips one leading space unless
  // SMFIP_HDR_LEADSPC was negotiated; multi-line values use "\n").
  Reply header(const std::string& name, const std::string& value);
  Reply eoh();
  // Sends the chunk as SMFIC_BODY packets of <= 65535 bytes.  Returns the
  // first final/Skip reply, else the last reply.  Empty chunk: nothing sent,
  // returns Skipped.
  Reply body(std::string_view chunk);
  // SMFIC_BODYEOB; collects modifications until the final reply.
  Reply eom();
  Reply unknown(const std::string& command);
  // SMFIC_ABORT (no reply): ends the current transaction.  Sent whenever an
  // SMTP connection is open and not ended, as Postfix's milter8_abort does.
  void abort();
  // SMFIC_QUIT, then close the socket.
  void quit();
  // SMFIC_QUIT_NC: end this SMTP connection but keep the filter socket; the
  // next step must be connect().  Only allowed directly after eom():
  // libmilter's state machine accepts QUIT_NC only at end of message and
  // silently ignores it (and then the next CONNECT) anywhere else, so the
  // client throws std::logic_error instead of hanging.  Postfix never sends
  // QUIT_NC (it opens a new filter connection per SMTP connection).
  void quit_new_connection();

  // State.
  bool negotiated_ok() const { return conn_ != Conn::Closed && conn_ != Conn::Open; }
  // Negotiated and no SMTP connection reported yet: next step is connect().
  bool awaiting_connect() const { return conn_ == Conn::Ready; }
  bool connection_finished() const { return conn_ == Conn::Done; }
  bool message_finished() const { return msg_ == Msg::Final; }
  bool in_message() const { return msg_ == Msg::Open; }
  // The reply that ended the connection/message (valid when finished).
  const Reply& connection_final() const { return conn_final_; }
  const Reply& message_final() const { return msg_final_; }
  const Options& options() const { return opts_; }

 private:
  enum class Conn { Closed, Open, Ready, Envelope, Done };
  enum class Msg { None, Open, Final };

  Reply step(char cmd, const std::string& payload);
  Reply read_reply(char cmd);
  void queue_packet(char cmd, std::string_view payload);
  void flush();
  void read_exact(char* dst, std::size_t n, char cmd);
  void fill(char cmd);
  [[noreturn]] void fail_protocol(const std::string& msg);
  [[noreturn]] void fail_io(const std::string& msg, bool timeout = false);
  void require(bool ok, const char* what) const;
  bool step_gate(char cmd, Reply& out);  // false => out holds NotSent/Skipped
  void after_reply(char cmd, const Reply& r);

  Options opts_;
  int fd_ = -1;
  bool tcp_ = false;
  std::string spec_;
  Conn conn_ = Conn::Closed;
  Msg msg_ = Msg::None;
  char skip_cmd_ = 0;
  char last_cmd_ = 0;  // last step command written
  NegotiateResult neg_;
  uint32_t eff_prot_ = 0;  // negotiated protocol + steps unknown to the filter's version
  Reply conn_final_, msg_final_;
  std::string out_;
  std::string in_;
  std::size_t in_pos_ = 0;
};

// Helpers.
const char* command_name(char cmd);            // 'C' -> "SMFIC_CONNECT"
std::string actions_to_string(uint32_t acts);  // "ADDHDRS CHGBODY ..."
std::string protocol_to_string(uint32_t prot); // "NOCONNECT NR_HDR ..."
std::string smfim_name(int stage);             // 0 -> "connect"
// Normalise a macro name for comparison: "{x}" -> "x".
std::string macro_key(std::string_view name);

}  // namespace milterclient
