// milter-probe: run a message through a milter like Postfix would and print
// the transcript; with --messages/--connections > 1 act as a load generator.

#include "milter_client.h"
#include "milter_session.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace milterclient;

namespace {

const char* kUsage =
    "usage: milter-probe --socket SPEC [options] FILE.eml|-\n"
    "  --socket SPEC          unix:/path | inet:PORT@HOST | inet6:PORT@HOST (loopback only)\n"
    "  --from ADDR            envelope sender (default sender@example.com; \"\" = <>)\n"
    "  --rcpt ADDR            envelope recipient, repeatable (default rcpt@example.com)\n"
    "  --mail-arg ARG         ESMTP MAIL parameter, repeatable (e.g. SIZE=1000)\n"
    "  --macro STAGE:NAME=VALUE  macro for stage connect|helo|mail|rcpt|data|eoh|eom,\n"
    "                         NAME as sent on the wire (j, _, {daemon_name}), repeatable\n"
    "  --helo NAME            HELO name (default localhost)\n"
    "  --client-name NAME     SMTP client host name (default localhost)\n"
    "  --client-addr ADDR     SMTP client address (default 127.0.0.1; IPv6 if it has ':')\n"
    "  --client-port N        SMTP client port (default 40000)\n"
    "  --timeout SEC          per-read timeout (default 10)\n"
    "  --connect-timeout SEC  connect timeout (default 10)\n"
    "  --actions HEX          actions offered at negotiation (default 0x1ff)\n"
    "  --protocol HEX         protocol flags offered (default 0x1fffff)\n"
    "  --no-symlist-filter    send all given macros even if the filter asked for fewer\n"
    "  --no-auto-macros       don't add {mail_addr}/{rcpt_addr}\n"
    "  --no-abort             don't send SMFIC_ABORT after each message\n"
    "  --print-body           print the replaced body (escaped)\n"
    "  --quickack             TCP: re-arm TCP_QUICKACK before reads (hides the ~40 ms\n"
    "                         Nagle/delayed-ACK stall of multi-packet libmilter replies)\n"
    "  --messages N           messages to send (default 1)\n"
    "  --connections C        parallel connections/threads (default 1)\n"
    "  --quiet                load mode: only print statistics\n"
    "exit status: 0 ran, 1 protocol/connection error, 2 usage error\n";

[[noreturn]] void usage_error(const std::string& msg) {
  std::cerr << "milter-probe: " << msg << "\n" << kUsage;
  std::exit(2);
}

struct Config {
  std::string socket;
  std::string file;
  Envelope env;
  Options opts;
  uint32_t actions = action::kAll;
  uint32_t protocol = kAllProtocol;
  bool print_body = false;
  bool quiet = false;
  long messages = 1;
  long connections = 1;
};

std::chrono::milliseconds parse_seconds(const std::string& s, const char* opt) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (!end || *end || v <= 0) usage_error(std::string("bad value for ") + opt + ": " + s);
  return std::chrono::milliseconds(static_cast<long long>(v * 1000.0));
}

long parse_long(const std::string& s, const char* opt, long min) {
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (!end || *end || v < min) usage_error(std::string("bad value for ") + opt + ": " + s);
  return v;
}

uint32_t parse_hex(const std::string& s, const char* opt) {
  char* end = nullptr;
  unsigned long v = std::strtoul(s.c_str(), &end, 0);
  if (!end || *end || v > 0xffffffffUL) usage_error(std::string("bad value for ") + opt + ": " + s);
  return static_cast<uint32_t>(v);
}

Config parse_args(int argc, char** argv) {
  Config c;
  c.env.sender = "sender@example.com";
  std::vector<std::string> rcpts;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&](const char* opt) -> std::string {
      if (i + 1 >= argc) usage_error(std::string(opt) + " needs a value");
      return argv[++i];
    };
    if (a == "--socket") c.socket = val("--socket");
    else if (a == "--from") c.env.sender = val("--from");
    else if (a == "--rcpt") rcpts.push_back(val("--rcpt"));
    else if (a == "--mail-arg") c.env.mail_args.push_back(val("--mail-arg"));
    else if (a == "--macro") {
      std::string m = val("--macro");
      auto colon = m.find(':');
      auto eq = m.find('=', colon == std::string::npos ? 0 : colon);
      Stage st;
      if (colon == std::string::npos || eq == std::string::npos || eq == colon + 1 ||
          !stage_from_string(m.substr(0, colon), st))
        usage_error("bad --macro (want STAGE:NAME=VALUE): " + m);
      c.env.macros[st].emplace_back(m.substr(colon + 1, eq - colon - 1), m.substr(eq + 1));
    }
    else if (a == "--helo") c.env.helo = val("--helo");
    else if (a == "--client-name") c.env.client_name = val("--client-name");
    else if (a == "--client-addr") c.env.client_addr = val("--client-addr");
    else if (a == "--client-port")
      c.env.client_port = static_cast<uint16_t>(parse_long(val("--client-port"), "--client-port", 0));
    else if (a == "--timeout") c.opts.read_timeout = parse_seconds(val("--timeout"), "--timeout");
    else if (a == "--connect-timeout")
      c.opts.connect_timeout = parse_seconds(val("--connect-timeout"), "--connect-timeout");
    else if (a == "--actions") c.actions = parse_hex(val("--actions"), "--actions");
    else if (a == "--protocol") c.protocol = parse_hex(val("--protocol"), "--protocol");
    else if (a == "--no-symlist-filter") c.env.filter_macros_by_symlist = false;
    else if (a == "--no-auto-macros") c.env.auto_addr_macros = false;
    else if (a == "--no-abort") c.env.abort_at_end = false;
    else if (a == "--print-body") c.print_body = true;
    else if (a == "--quickack") c.opts.tcp_quickack = true;
    else if (a == "--messages") c.messages = parse_long(val("--messages"), "--messages", 1);
    else if (a == "--connections") c.connections = parse_long(val("--connections"), "--connections", 1);
    else if (a == "--quiet") c.quiet = true;
    else if (a == "-h" || a == "--help") { std::cout << kUsage; std::exit(0); }
    else if (a.size() > 1 && a[0] == '-' && a != "-") usage_error("unknown option " + a);
    else if (c.file.empty()) c.file = a;
    else usage_error("more than one message file");
  }
  if (c.socket.empty()) usage_error("--socket is required");
  if (c.file.empty()) usage_error("message file is required");
  c.env.recipients = rcpts.empty() ? std::vector<std::string>{"rcpt@example.com"} : rcpts;
  if (c.env.client_addr.find(':') != std::string::npos) c.env.family = kFamilyInet6;
  else if (!c.env.client_addr.empty() && c.env.client_addr[0] == '/') c.env.family = kFamilyUnix;
  if (c.connections > c.messages) c.connections = c.messages;
  return c;
}

std::string read_file(const std::string& path) {
  if (path == "-") {
    std::ostringstream o;
    o << std::cin.rdbuf();
    return o.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "milter-probe: cannot read " << path << "\n";
    std::exit(2);
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

long long percentile(std::vector<long long>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  if (rank < 1) rank = 1;
  return v[std::min(rank, v.size()) - 1];
}

int run_single(const Config& c, const ParsedMessage& msg) {
  try {
    MilterClient client(c.opts);
    client.open(c.socket);
    NegotiateResult n = client.negotiate(c.actions, c.protocol);
    std::cout << format_negotiation(n);
    Transcript t = run_message(client, c.env, msg);
    std::cout << format_transcript(t, c.print_body);
    client.quit();
    return 0;
  } catch (const Error& e) {
    std::cout << std::flush;
    std::cerr << "milter-probe: error: " << e.what() << "\n";
    return 1;
  }
}

int run_load(const Config& c, const ParsedMessage& msg) {
  std::atomic<long> errors{0}, completed{0};
  std::mutex mu;
  std::vector<long long> eom_us, msg_us;
  long outcomes[5] = {0, 0, 0, 0, 0};
  std::string first_output;
  std::atomic<bool> first_done{false};

  auto worker = [&](long share, bool first_thread) {
    std::vector<long long> my_eom, my_msg;
    long my_out[5] = {0, 0, 0, 0, 0};
    MilterClient client(c.opts);
    int consecutive_failures = 0;
    for (long i = 0; i < share; ++i) {
      try {
        std::string neg_text;
        if (!client.is_open() || client.connection_finished()) {
          if (client.is_open()) client.quit();
          client.open(c.socket);
          neg_text = format_negotiation(client.negotiate(c.actions, c.protocol));
        }
        auto t0 = std::chrono::steady_clock::now();
        Transcript t = run_message(client, c.env, msg);
        auto t1 = std::chrono::steady_clock::now();
        my_msg.push_back(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count());
        for (const auto& s : t.steps)
          if (s.step == "eom")
            my_eom.push_back(
                std::chrono::duration_cast<std::chrono::microseconds>(s.elapsed).count());
        my_out[static_cast<int>(t.outcome)]++;
        completed++;
        consecutive_failures = 0;
        if (first_thread && i == 0 && !c.quiet && !first_done.exchange(true))
          first_output = neg_text + format_transcript(t, c.print_body);
      } catch (const Error& e) {
        errors++;
        {
          std::lock_guard<std::mutex> lk(mu);
          std::cerr << "milter-probe: error: " << e.what() << "\n";
        }
        client.close();
        if (++consecutive_failures >= 3) {
          errors += share - i - 1;  // give up on the rest of this thread's share
          break;
        }
      }
    }
    if (client.is_open()) client.quit();
    std::lock_guard<std::mutex> lk(mu);
    eom_us.insert(eom_us.end(), my_eom.begin(), my_eom.end());
    msg_us.insert(msg_us.end(), my_msg.begin(), my_msg.end());
    for (int k = 0; k < 5; ++k) outcomes[k] += my_out[k];
  };

  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (long t = 0; t < c.connections; ++t) {
    long share = c.messages / c.connections + (t < c.messages % c.connections ? 1 : 0);
    threads.emplace_back(worker, share, t == 0);
  }
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (!first_output.empty()) std::cout << first_output;
  char buf[256];
  std::snprintf(buf, sizeof buf, "load messages=%ld connections=%ld completed=%ld errors=%ld\n",
                c.messages, c.connections, completed.load(), errors.load());
  std::cout << buf;
  std::snprintf(buf, sizeof buf, "load elapsed_s=%.3f messages_per_s=%.1f\n", elapsed,
                elapsed > 0 ? static_cast<double>(completed.load()) / elapsed : 0.0);
  std::cout << buf;
  std::size_t n_eom = eom_us.size(), n_msg = msg_us.size();
  long long e50 = percentile(eom_us, 0.50), e99 = percentile(eom_us, 0.99);
  long long emax = eom_us.empty() ? 0 : eom_us.back();
  std::snprintf(buf, sizeof buf, "load eom_latency_us p50=%lld p99=%lld max=%lld n=%zu\n", e50, e99,
                emax, n_eom);
  std::cout << buf;
  long long m50 = percentile(msg_us, 0.50), m99 = percentile(msg_us, 0.99);
  std::snprintf(buf, sizeof buf, "load message_latency_us p50=%lld p99=%lld n=%zu\n", m50, m99,
                n_msg);
  std::cout << buf;
  std::cout << "load outcome";
  for (int k = 0; k < 5; ++k)
    std::cout << " " << to_string(static_cast<Outcome>(k)) << "=" << outcomes[k];
  std::cout << "\n";
  return errors.load() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Config c = parse_args(argc, argv);
  ParsedMessage msg = parse_message(read_file(c.file));
  try {
    if (c.messages == 1 && c.connections == 1) return run_single(c, msg);
    return run_load(c, msg);
  } catch (const std::exception& e) {
    std::cerr << "milter-probe: " << e.what() << "\n";
    return 1;
  }
}
