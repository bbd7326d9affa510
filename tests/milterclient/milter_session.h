// milter_session.h - run one whole message through a filter the way Postfix
// does, on top of MilterClient.
#pragma once

#include "milter_client.h"

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace milterclient {

// Macro stages, in protocol order.
enum class Stage { Connect, Helo, Mail, Rcpt, Data, Eoh, Eom };
const char* to_string(Stage s);            // "connect", "helo", ...
bool stage_from_string(std::string_view name, Stage& out);
char stage_command(Stage s);               // Stage::Mail -> 'M'
int stage_smfim(Stage s);                  // Stage::Mail -> SMFIM_ENVFROM

struct Envelope {
  // SMTP client as seen by the MTA (SMFIC_CONNECT).
  std::string client_name = "localhost";
  char family = kFamilyInet;               // '4', '6', 'L', 'U'
  uint16_t client_port = 40000;
  std::string client_addr = "127.0.0.1";
  std::string helo = "localhost";
  // MAIL FROM / RCPT TO addresses without angle brackets ("" = null sender);
  // sent as "<addr>" followed by the ESMTP args, as Postfix does.
  std::string sender;
  std::vector<std::string> mail_args;      // e.g. "SIZE=1234", "BODY=8BITMIME"
  std::vector<std::string> recipients;
  // Macros the "MTA" has for each stage, names as sent on the wire
  // ("j", "_", "{daemon_name}", "{auth_authen}", "i" ...).
  std::map<Stage, MacroList> macros;
  // Add {mail_addr} at MAIL and {rcpt_addr} at each RCPT unless given
  // (both are in Postfix's default milter_*_macros).
  bool auto_addr_macros = true;
  // When the filter requested a macro list for a stage (smfi_setsymlist),
  // send only those macros, as Postfix does.
  bool filter_macros_by_symlist = true;
  // End the transaction with SMFIC_ABORT, as Postfix's smtpd does when it
  // resets the transaction after each message.
  bool abort_at_end = true;
};

// A raw RFC 5322 message split the way Postfix presents it to milters.
struct ParsedMessage {
  // name (without trailing blanks before ':'), raw value after ':'
  // (leading space kept; continuation lines joined with "\n", no CR).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // after the empty line, every line ended with CRLF
};
ParsedMessage parse_message(std::string_view raw);
// Header value as Postfix sends it: one leading SPACE (not tab) removed
// unless SMFIP_HDR_LEADSPC was negotiated.
std::string header_value_for_wire(const std::string& raw_value, bool leadspc);

enum class Outcome { Accept, Reject, Tempfail, Discard, Shutdown };
const char* to_string(Outcome o);

struct StepRecord {
  std::string step;  // "connect","helo","mail","rcpt","data","header","eoh","body","eom","abort"
  std::string arg;   // rcpt: "<addr>", header: name, body: "N bytes"
  Reply reply;
  std::chrono::nanoseconds elapsed{0};  // send + wait for the reply
};

struct Transcript {
  std::vector<StepRecord> steps;
  Outcome outcome = Outcome::Accept;
  std::string final_step;    // step whose answer decided: "connect" ... "eom"
  Reply final_reply;         // that answer
  // The SMTP reply the MTA would give for a refusal: the filter's text for
  // replycode, else Postfix's defaults ("550 5.7.1 Command rejected",
  // "451 4.7.1 Service unavailable - try again later", "421 ..."); "" else.
  std::string smtp_reply;
  std::vector<Modification> modifications;       // from eom (+ quarantine)
  std::vector<std::pair<std::string, Reply>> rejected_recipients;
  bool connection_ended = false;  // connect/helo final, shutdown, conn_fail
  bool quarantined = false;
  std::string quarantine_reason;
};

// Run one message.  The client must be negotiated; if no SMTP connection is
// open yet (fresh, or after quit_new_connection()) CONNECT and HELO are sent
// first, otherwise the message continues the current SMTP session.
// Throws std::logic_error if the connection already ended (open a new one),
// and milterclient::Error on I/O or protocol errors.
Transcript run_message(MilterClient& client, const Envelope& env,
                       const std::string& rfc822_bytes);
Transcript run_message(MilterClient& client, const Envelope& env, const ParsedMessage& msg);

// Stable, line-oriented text forms (used by milter-probe and tests).
//   negotiate version 6 actions 0x00000101 protocol 0x00000080
//   negotiate actions: ADDHDRS SETSYMLIST
//   negotiate protocol: NR_HDR
//   symlist connect: j {daemon_name}
//   warning: ...
std::string format_negotiation(const NegotiateResult& n);
//   step rcpt <bad@x>: replycode
//   reply rcpt <bad@x>: 550 5.7.1 Go away
//   step eom: continue
//   addheader X-Foo: bar
//   outcome reject at rcpt: 550 5.7.1 Go away
// Control characters are escaped (\n, \r, \t, \xNN, \\).
std::string format_transcript(const Transcript& t, bool with_replaced_body = false);
std::string escape(std::string_view s);

}  // namespace milterclient
