// milter_session.cpp - whole-message driver.  See milter_session.h.

#include "milter_session.h"

#include <libmilter/mfdef.h>

#include <cstdio>
#include <set>
#include <sstream>
#include <stdexcept>

namespace milterclient {

const char* to_string(Stage s) {
  switch (s) {
    case Stage::Connect: return "connect";
    case Stage::Helo: return "helo";
    case Stage::Mail: return "mail";
    case Stage::Rcpt: return "rcpt";
    case Stage::Data: return "data";
    case Stage::Eoh: return "eoh";
    case Stage::Eom: return "eom";
  }
  return "?";
}

bool stage_from_string(std::string_view n, Stage& out) {
  static const std::pair<const char*, Stage> names[] = {
      {"connect", Stage::Connect}, {"helo", Stage::Helo}, {"mail", Stage::Mail},
      {"envfrom", Stage::Mail},    {"rcpt", Stage::Rcpt}, {"envrcpt", Stage::Rcpt},
      {"data", Stage::Data},       {"eoh", Stage::Eoh},   {"eom", Stage::Eom},
  };
  for (const auto& [name, st] : names)
    if (n == name) {
      out = st;
      return true;
    }
  return false;
}

char stage_command(Stage s) {
  switch (s) {
    case Stage::Connect: return SMFIC_CONNECT;
    case Stage::Helo: return SMFIC_HELO;
    case Stage::Mail: return SMFIC_MAIL;
    case Stage::Rcpt: return SMFIC_RCPT;
    case Stage::Data: return SMFIC_DATA;
    case Stage::Eoh: return SMFIC_EOH;
    case Stage::Eom: return SMFIC_BODYEOB;
  }
  return 0;
}

int stage_smfim(Stage s) {
  switch (s) {
    case Stage::Connect: return smfim::kConnect;
    case Stage::Helo: return smfim::kHelo;
    case Stage::Mail: return smfim::kEnvFrom;
    case Stage::Rcpt: return smfim::kEnvRcpt;
    case Stage::Data: return smfim::kData;
    case Stage::Eoh: return smfim::kEoh;
    case Stage::Eom: return smfim::kEom;
  }
  return -1;
}

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::Accept: return "accept";
    case Outcome::Reject: return "reject";
    case Outcome::Tempfail: return "tempfail";
    case Outcome::Discard: return "discard";
    case Outcome::Shutdown: return "shutdown";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// Message parsing
// ---------------------------------------------------------------------------
namespace {

// Postfix is_header(): a name of printable non-space characters other than
// ':', optionally followed by blanks, then ':'.  Returns the name length.
std::size_t header_name_len(std::string_view line, std::size_t& colon) {
  std::size_t i = 0;
  while (i < line.size()) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == ':' || c <= ' ' || c >= 0x7f) break;
    ++i;
  }
  if (i == 0) return 0;
  std::size_t j = i;
  while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
  if (j >= line.size() || line[j] != ':') return 0;
  colon = j;
  return i;
}

}  // namespace

ParsedMessage parse_message(std::string_view raw) {
  ParsedMessage m;
  // Split into lines (LF or CRLF).
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t nl = raw.find('\n', pos);
    std::string_view line;
    if (nl == std::string_view::npos) {
      line = raw.substr(pos);
      pos = raw.size();
    } else {
      line = raw.substr(pos, nl - pos);
      pos = nl + 1;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
  }
  std::size_t i = 0;
  // An mbox "From " envelope line is not part of the message.
  if (!lines.empty() && lines[0].rfind("From ", 0) == 0) i = 1;

  for (; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.empty()) {
      ++i;  // the separator line itself is not body content
      break;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !m.headers.empty()) {
      m.headers.back().second += '\n';
      m.headers.back().second += line;
      continue;
    }
    std::size_t colon = 0;
    std::size_t n = header_name_len(line, colon);
    if (n == 0) break;  // not a header: the body starts here
    m.headers.emplace_back(std::string(line.substr(0, n)), std::string(line.substr(colon + 1)));
  }
  for (; i < lines.size(); ++i) {
    m.body += lines[i];
    m.body += "\r\n";
  }
  return m;
}

std::string header_value_for_wire(const std::string& raw_value, bool leadspc) {
  if (!leadspc && !raw_value.empty() && raw_value[0] == ' ') return raw_value.substr(1);
  return raw_value;
}

// ---------------------------------------------------------------------------
// run_message
// ---------------------------------------------------------------------------
namespace {

std::string bracket(const std::string& a) {
  if (!a.empty() && a.front() == '<' && a.back() == '>') return a;
  return "<" + a + ">";
}

bool has_macro(const MacroList& l, std::string_view key) {
  for (const auto& [k, v] : l)
    if (macro_key(k) == key) return true;
  return false;
}

class Runner {
 public:
  Runner(MilterClient& c, const Envelope& e) : c_(c), env_(e), neg_(c.negotiated()) {}

  Transcript run(const ParsedMessage& msg) {
    if (!c_.negotiated_ok())
      throw std::logic_error("milterclient::run_message: client not negotiated");
    if (c_.connection_finished())
      throw std::logic_error(
          "milterclient::run_message: the SMTP connection was ended by the filter; open a new "
          "one");
    if (c_.in_message())
      throw std::logic_error("milterclient::run_message: a message is already in progress");
    if (env_.recipients.empty())
      throw std::invalid_argument("milterclient::run_message: no recipients");
    do_run(msg);
    // The MTA resets the transaction (RSET / end of DATA) with SMFIC_ABORT.
    if (!c_.connection_finished() && (env_.abort_at_end || c_.in_message())) c_.abort();
    return std::move(t_);
  }

 private:
  void do_run(const ParsedMessage& msg) {
    const bool leadspc = neg_.has(SMFIP_HDR_LEADSPC);
    if (c_.awaiting_connect()) {
      send_macros(Stage::Connect, SMFIC_CONNECT, {});
      if (record("connect", "", c_.connect(env_.client_name, env_.family, env_.client_port,
                                           env_.client_addr)))
        return;
      send_macros(Stage::Helo, SMFIC_HELO, {});
      if (record("helo", "", c_.helo(env_.helo))) return;
    }

    std::vector<std::string> margs{bracket(env_.sender)};
    margs.insert(margs.end(), env_.mail_args.begin(), env_.mail_args.end());
    send_macros(Stage::Mail, SMFIC_MAIL, {"mail_addr", env_.sender});
    if (record("mail", margs[0], c_.mail(margs))) return;

    std::size_t accepted = 0;
    Reply last_refusal;
    for (const auto& rc : env_.recipients) {
      send_macros(Stage::Rcpt, SMFIC_RCPT, {"rcpt_addr", rc});
      Reply r = c_.rcpt({bracket(rc)});
      bool refused = r.is_reject() || r.is_tempfail();
      if (record("rcpt", bracket(rc), r)) return;
      if (refused) {
        t_.rejected_recipients.emplace_back(bracket(rc), r);
        last_refusal = r;
      } else {
        ++accepted;
      }
    }
    if (accepted == 0) {
      // Every recipient refused: the MTA never reaches DATA.
      conclude("rcpt", last_refusal);
      return;
    }

    send_macros(Stage::Data, SMFIC_DATA, {});
    if (record("data", "", c_.data())) return;

    for (const auto& [name, value] : msg.headers) {
      // Postfix sends the end-of-header macros with every header.
      send_macros(Stage::Eoh, SMFIC_HEADER, {});
      if (record("header", name, c_.header(name, header_value_for_wire(value, leadspc)))) return;
    }
    send_macros(Stage::Eoh, SMFIC_EOH, {});
    if (record("eoh", "", c_.eoh())) return;

    for (std::size_t off = 0; off < msg.body.size(); off += kMaxChunk) {
      std::string_view chunk = std::string_view(msg.body).substr(off, kMaxChunk);
      // ... and the end-of-message macros with every body chunk.
      send_macros(Stage::Eom, SMFIC_BODY, {});
      Reply r = c_.body(chunk);
      bool stop = r.kind == ReplyKind::Skip || r.kind == ReplyKind::Skipped;
      if (record("body", std::to_string(chunk.size()) + " bytes", r)) return;
      if (stop) break;
    }
    send_macros(Stage::Eom, SMFIC_BODYEOB, {});
    Reply r = c_.eom();
    record("eom", "", r);
    if (t_.final_step.empty()) conclude("eom", r);
  }

  void send_macros(Stage s, char cmd, std::pair<std::string, std::string> auto_macro) {
    MacroList list;
    if (auto it = env_.macros.find(s); it != env_.macros.end()) list = it->second;
    if (env_.auto_addr_macros && !auto_macro.first.empty() && !has_macro(list, auto_macro.first))
      list.emplace_back("{" + auto_macro.first + "}", auto_macro.second);
    if (env_.filter_macros_by_symlist) {
      auto it = neg_.symlists.find(stage_smfim(s));
      if (it != neg_.symlists.end()) {
        std::set<std::string> want;
        for (const auto& n : neg_.symlist(stage_smfim(s))) want.insert(macro_key(n));
        MacroList kept;
        for (auto& kv : list)
          if (want.count(macro_key(kv.first))) kept.push_back(std::move(kv));
        list = std::move(kept);
      }
    }
    if (!list.empty()) c_.macros(cmd, list);
    tick();
  }

  // Record a step; returns true when the message (or connection) is decided.
  bool record(const std::string& step, const std::string& arg, const Reply& r) {
    t_.steps.push_back({step, arg, r, std::chrono::steady_clock::now() - started_});
    for (const auto& m : r.modifications) {
      if (m.kind == ModKind::Quarantine) {
        t_.quarantined = true;
        t_.quarantine_reason = m.value;
      }
      t_.modifications.push_back(m);
    }
    if (c_.connection_finished()) {
      t_.connection_ended = true;
      conclude(step, r);
      return true;
    }
    if (step != "connect" && step != "helo" && c_.message_finished()) {
      conclude(step, r);
      return true;
    }
    return false;
  }

  void conclude(const std::string& step, const Reply& r) {
    if (!t_.final_step.empty()) return;
    t_.final_step = step;
    t_.final_reply = r;
    switch (r.kind) {
      case ReplyKind::Reject:
        t_.outcome = Outcome::Reject;
        t_.smtp_reply = "550 5.7.1 Command rejected";
        break;
      case ReplyKind::Tempfail:
        t_.outcome = Outcome::Tempfail;
        t_.smtp_reply = "451 4.7.1 Service unavailable - try again later";
        break;
      case ReplyKind::ReplyCode:
        t_.outcome = r.text[0] == '5' ? Outcome::Reject : Outcome::Tempfail;
        t_.smtp_reply = r.text;
        break;
      case ReplyKind::Discard:
        t_.outcome = Outcome::Discard;
        break;
      case ReplyKind::Shutdown:
      case ReplyKind::ConnFail:
        t_.outcome = Outcome::Shutdown;
        t_.smtp_reply = "421 4.7.0 Server closing connection";
        break;
      default:  // accept, or continue at end of message
        t_.outcome = Outcome::Accept;
        break;
    }
  }

  // Start the clock for the next step (after its macros are queued).
  void tick() { started_ = std::chrono::steady_clock::now(); }

  std::chrono::steady_clock::time_point started_;
  MilterClient& c_;
  const Envelope& env_;
  const NegotiateResult& neg_;
  Transcript t_;
};

}  // namespace

std::string escape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += "\\t"; break;
      case '\\': o += "\\\\"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char b[8];
          std::snprintf(b, sizeof b, "\\x%02x", c);
          o += b;
        } else {
          o += static_cast<char>(c);
        }
    }
  }
  return o;
}

std::string format_negotiation(const NegotiateResult& n) {
  std::ostringstream o;
  char buf[96];
  std::snprintf(buf, sizeof buf, "negotiate version %u actions 0x%08x protocol 0x%08x\n",
                n.version, n.actions, n.protocol);
  o << buf;
  o << "negotiate actions: " << actions_to_string(n.actions) << "\n";
  o << "negotiate protocol: " << protocol_to_string(n.protocol) << "\n";
  for (const auto& [stage, names] : n.symlists)
    o << "symlist " << smfim_name(stage) << ": " << escape(names) << "\n";
  for (const auto& w : n.warnings) o << "warning: " << escape(w) << "\n";
  return o.str();
}

std::string format_transcript(const Transcript& t, bool with_replaced_body) {
  std::ostringstream o;
  for (const auto& s : t.steps) {
    std::string label = s.step;
    if (!s.arg.empty()) label += " " + escape(s.arg);
    o << "step " << label << ": " << to_string(s.reply.kind) << "\n";
    if (s.reply.progress) o << "progress " << label << ": " << s.reply.progress << "\n";
    if (s.reply.kind == ReplyKind::ReplyCode)
      o << "reply " << label << ": " << escape(s.reply.text) << "\n";
  }
  std::string body;
  for (const auto& m : t.modifications) {
    o << to_string(m.kind) << " ";
    switch (m.kind) {
      case ModKind::AddHeader:
        o << escape(m.name) << ": " << escape(m.value);
        break;
      case ModKind::InsertHeader:
      case ModKind::ChangeHeader:
        o << m.index << " " << escape(m.name) << ": " << escape(m.value);
        break;
      case ModKind::AddRcptPar:
      case ModKind::ChangeFrom:
        o << escape(m.value);
        if (!m.args.empty()) o << " " << escape(m.args);
        break;
      case ModKind::ReplaceBody:
        o << m.value.size() << " bytes";
        body += m.value;
        break;
      default:
        o << escape(m.value);
        break;
    }
    o << "\n";
  }
  if (with_replaced_body && !body.empty()) o << "replbody-data: " << escape(body) << "\n";
  o << "outcome " << to_string(t.outcome) << " at " << t.final_step;
  if (!t.smtp_reply.empty()) o << ": " << escape(t.smtp_reply);
  o << "\n";
  return o.str();
}

Transcript run_message(MilterClient& client, const Envelope& env, const ParsedMessage& msg) {
  return Runner(client, env).run(msg);
}

Transcript run_message(MilterClient& client, const Envelope& env, const std::string& rfc822) {
  return run_message(client, env, parse_message(rfc822));
}

}  // namespace milterclient
