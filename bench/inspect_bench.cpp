// inspect_bench.cpp — how much CPU time and memory the message inspection
// (policy::read_message / read_message_fd + policy::judge) costs, as ratios
// against GMime parsing the same bytes with no rules at all, measured in the
// same run (bench/README.md says why and how to read the output).
//
//   inspect_bench [--rounds N] [--batch-ms MS]   the benchmark table
//   inspect_bench --callgrind N                  N inspections of the 20 KB
//       message only, for `valgrind --tool=callgrind
//       --toggle-collect=bench_inspect_loop` (no timing, no children)
//   inspect_bench --dump typical|large           writes the 20 KB or the
//       10 MB message to standard output
//
// Not a test: it exits 0 whatever the figures, unless the inspection itself
// goes wrong (a message that should pass does not).
#include <fcntl.h>
#include <gmime/gmime.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "policy/config.h"
#include "policy/mime.h"
#include "policy/text.h"
#include "policy/verdict.h"

#ifndef PROSPECT_SOURCE_DIR
#error "PROSPECT_SOURCE_DIR must name the source tree (bench/CMakeLists.txt defines it)"
#endif

namespace {

// --- clocks and memory ------------------------------------------------------

double cpu_seconds()
{
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// A "VmXXX:   1234 kB" line of /proc/self/status, in KiB; -1 when absent.
long proc_status_kib(const char* field)
{
    std::ifstream status("/proc/self/status");
    std::string line;
    const std::size_t length = std::strlen(field);
    while (std::getline(status, line))
        if (line.compare(0, length, field) == 0 && line.size() > length && line[length] == ':')
            return std::strtol(line.c_str() + length + 1, nullptr, 10);
    return -1;
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14
#endif

// Maps every page of every file mapping (the program, the shared libraries)
// into this process. After fork() the child has none of them mapped: each
// code page a call first runs would count in its RSS, though it is shared
// page cache, not memory the call costs.
void map_file_pages()
{
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        unsigned long start = 0, end = 0;
        char perms[5] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %4s", &start, &end, perms) != 3 || perms[0] != 'r' ||
            line.find(" /") == std::string::npos)
            continue;
        madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_READ);  // errors: left as is
    }
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// --- the messages -------------------------------------------------------------

// Quoted-printable (RFC 2045) with CRLF line ends and soft breaks at 76.
std::string quoted_printable(std::string_view text)
{
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    std::size_t column = 0;
    const auto put = [&](std::string_view piece) {
        if (column + piece.size() > 75) {
            out += "=\r\n";
            column = 0;
        }
        out += piece;
        column += piece.size();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            out += "\r\n";
            column = 0;
        } else if ((c == ' ' || c == '\t') && (i + 1 == text.size() || text[i + 1] == '\n')) {
            const char escaped[] = {'=', hex[c >> 4], hex[c & 15], 0};
            put(escaped);
        } else if (c == '=' || c >= 0x7F || (c < 0x20 && c != '\t')) {
            const char escaped[] = {'=', hex[c >> 4], hex[c & 15], 0};
            put(escaped);
        } else {
            put(std::string_view(reinterpret_cast<const char*>(&text[i]), 1));
        }
    }
    return out;
}

// Base64 in 76-character lines with CRLF, as mail clients write attachments.
std::string base64_lines(const std::string& bytes)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve(bytes.size() / 57 * 78 + 80);
    std::size_t column = 0;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
        if (n > 1)
            v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        if (n > 2)
            v |= static_cast<unsigned char>(bytes[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += n > 1 ? alphabet[(v >> 6) & 63] : '=';
        out += n > 2 ? alphabet[v & 63] : '=';
        column += 4;
        if (column == 76) {
            out += "\r\n";
            column = 0;
        }
    }
    if (column)
        out += "\r\n";
    return out;
}

std::string crlf(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + text.size() / 40);
    for (char c : text) {
        if (c == '\n')
            out += '\r';
        out += c;
    }
    return out;
}

const char* const kHeaders =
    "From: Claire Dubois <claire.dubois@example.com>\n"
    "To: Thomas Becker <thomas.becker@client.fr>\n"
    "Subject: =?utf-8?Q?Planning_des_=C3=A9quipes=3A_3_id=C3=A9es_pour_le_printemps?=\n"
    "Date: Thu, 05 Mar 2026 09:12:44 +0100\n"
    "Message-ID: <20260305091244.4f2a9c@mail.example.com>\n"
    "X-Campaign-ID: corpus\n"
    "X-Mailer: EXPRO Outreach 4.2\n"
    "List-Unsubscribe: <https://mail.example.com/u/b7d20e4419aa>, <mailto:unsubscribe+b7d20e4419aa@mail.example.com>\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
    "MIME-Version: 1.0\n";

const char* const kArticles[][3] = {
    {"Shift planning that follows demand",
     "EXPRO Planning reads your footfall and order forecasts and proposes shifts two weeks ahead. "
     "Team leaders adjust them on their phone; every change is checked against working-time rules, "
     "rest periods and each employee's contract before it is published.",
     "https://www.example.com/planning?utm_source=newsletter&utm_campaign=corpus"},
    {"Payroll without the month-end rush",
     "Hours approved in EXPRO Planning flow straight into payroll: overtime, night premiums and "
     "Sunday work are computed as they happen, so the last week of the month is for checking, not "
     "for typing. Clients cut their payroll close from five days to two.",
     "https://www.example.com/paie?utm_source=newsletter&utm_campaign=corpus"},
    {"Expenses: photo in, accounting entry out",
     "Your field teams photograph a receipt, EXPRO Expenses reads the amount, the VAT and the "
     "merchant, applies your policy and prepares the accounting entry. Café, péage, hôtel: "
     "everything is categorised before the employee is back at the office.",
     "https://www.example.com/notes-de-frais?utm_source=newsletter&utm_campaign=corpus"},
    {"E-invoicing: ready for 2026",
     "From September 2026 French companies must be able to receive electronic invoices. EXPRO "
     "Invoicing is a registered platform: it receives, checks and archives them, and sends yours "
     "in the formats your customers' platforms expect (Factur-X, UBL, CII).",
     "https://www.example.com/facturation?utm_source=newsletter&utm_campaign=corpus"},
    {"Warehouse and fleet, one plan",
     "Picking waves, loading docks and delivery rounds planned together: EXPRO Logistics matches "
     "the orders of the day with the trucks and drivers available, and replans in minutes when a "
     "vehicle breaks down or a large order comes in late.",
     "https://www.example.com/logistique?utm_source=newsletter&utm_campaign=corpus"},
    {"Training your managers actually finish",
     "EXPRO Academy offers 20-minute modules on scheduling law, payroll basics and difficult "
     "conversations, in French, English and Spanish, with a certificate your HR team can file. "
     "Completion rates at our clients are above 80%.",
     "https://www.example.com/academy?utm_source=newsletter&utm_campaign=corpus"},
};

const char* const kFooterHtml =
    "<tr><td style=\"padding:24px 32px;border-top:1px solid #e3e3e3;font-family:Arial,sans-serif;"
    "font-size:12px;line-height:18px;color:#6b6b6b\">\n"
    "<p style=\"margin:0 0 10px 0\"><strong>Exemple Prospection SAS</strong> &middot; 12 rue de la "
    "Paix, 75002 Paris, France<br>SAS au capital de 250&nbsp;000&nbsp;&euro; &middot; RCS Paris 812 "
    "345 678</p>\n"
    "<p style=\"margin:0 0 10px 0\"><strong>Why am I receiving this?</strong> You are receiving this "
    "email because of your role as head of operations at Client SA: it relates to your professional "
    "activity only.</p>\n"
    "<p style=\"margin:0 0 10px 0\"><strong>Where did you get my details?</strong> We obtained your "
    "business contact details from the Example Data Ltd business directory (licence 2026-014).</p>\n"
    "<p style=\"margin:0 0 10px 0\"><strong>Your rights:</strong> you may object at any time to the "
    "processing of your data and exercise your rights of access, rectification and erasure by "
    "writing to our Data Protection Officer, <a href=\"mailto:dpo@example.com\" "
    "style=\"color:#6b6b6b\">dpo@example.com</a>. Read our <a "
    "href=\"https://www.example.com/privacy\" style=\"color:#6b6b6b\">privacy notice</a>.</p>\n"
    "<p style=\"margin:0\"><a href=\"https://mail.example.com/unsubscribe?c=corpus&amp;t=b7d20e4419aa\" "
    "style=\"color:#6b6b6b\">Unsubscribe</a> from our emails at any time, in one click, or <a "
    "href=\"https://mail.example.com/preferences?t=b7d20e4419aa\" style=\"color:#6b6b6b\">manage your "
    "preferences</a>.</p>\n"
    "</td></tr>\n";

const char* const kFooterPlain =
    "--\n"
    "Exemple Prospection SAS, 12 rue de la Paix, 75002 Paris, France\n"
    "SAS au capital de 250 000 EUR - RCS Paris 812 345 678\n\n"
    "Why am I receiving this? You are receiving this email because of your role\n"
    "as head of operations at Client SA: it relates to your professional activity only.\n\n"
    "Where did you get my details? We obtained your business contact details\n"
    "from the Example Data Ltd business directory (licence 2026-014).\n\n"
    "Your rights: you may object at any time to the processing of your data and\n"
    "exercise your rights of access, rectification and erasure by writing to our\n"
    "Data Protection Officer, dpo@example.com. Privacy notice:\n"
    "https://www.example.com/privacy\n\n"
    "To unsubscribe from our emails, follow this link:\n"
    "https://mail.example.com/unsubscribe?c=corpus&t=b7d20e4419aa\n";

// The multipart/alternative body (text/plain + a table-layout HTML
// newsletter, both quoted-printable UTF-8) with `articles` article blocks.
std::string alternative_part(int articles, const std::string& boundary)
{
    std::string html =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>EXPRO News - March 2026</title>\n"
        "<style>body{margin:0;padding:0;background:#f4f5f7} a{color:#0b5cad} "
        ".btn{background:#0b5cad;color:#ffffff;text-decoration:none;padding:11px 22px;border-radius:4px;"
        "display:inline-block} @media (max-width:600px){.col{display:block;width:100%!important}}</style>\n"
        "</head>\n<body>\n"
        "<div style=\"display:none;max-height:0;overflow:hidden\">Three ideas for your spring planning, "
        "and what changes for e-invoicing in 2026.</div>\n"
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" "
        "style=\"background:#f4f5f7\"><tr><td align=\"center\" style=\"padding:24px 12px\">\n"
        "<table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" "
        "style=\"background:#ffffff\">\n"
        "<tr><td style=\"padding:20px 32px\"><a href=\"https://www.example.com/?utm_source=newsletter\">"
        "<img src=\"https://mail.example.com/img/logo.png\" width=\"140\" height=\"36\" alt=\"EXPRO\" "
        "style=\"border:0;display:block\"></a></td></tr>\n"
        "<tr><td style=\"padding:8px 32px 0 32px;font-family:Arial,sans-serif;font-size:15px;"
        "line-height:23px;color:#222222\">\n"
        "<h1 style=\"font-size:24px;line-height:30px;margin:0 0 12px 0\">Planning des équipes&nbsp;: "
        "3 idées pour le printemps</h1>\n"
        "<p>Bonjour Thomas,</p>\n"
        "<p>As head of operations you juggle rosters, overtime and last-minute absences every week. "
        "Here is what teams like yours changed this quarter, and what it saved them.</p>\n"
        "</td></tr>\n";
    std::string plain =
        "Bonjour Thomas,\n\n"
        "As head of operations you juggle rosters, overtime and last-minute absences every\n"
        "week. Here is what teams like yours changed this quarter, and what it saved them.\n\n";
    for (int i = 0; i < articles; ++i) {
        const auto& article = kArticles[i % std::size(kArticles)];
        html += "<tr><td style=\"padding:16px 32px;font-family:Arial,sans-serif;font-size:15px;"
                "line-height:23px;color:#222222\">\n<table role=\"presentation\" width=\"100%\" "
                "cellpadding=\"0\" cellspacing=\"0\"><tr>\n<td class=\"col\" width=\"160\" valign=\"top\">"
                "<img src=\"https://mail.example.com/img/article-" +
                std::to_string(i) +
                ".jpg\" width=\"150\" height=\"100\" alt=\"\" style=\"border:0;display:block;"
                "border-radius:4px\"></td>\n<td class=\"col\" valign=\"top\">\n<h2 style=\"font-size:18px;"
                "margin:0 0 6px 0\">" +
                article[0] + "</h2>\n<p style=\"margin:0 0 10px 0\">" + article[1] +
                "</p>\n<p style=\"margin:0\"><a class=\"btn\" href=\"" + article[2] +
                "\" style=\"background:#0b5cad;color:#ffffff;text-decoration:none;padding:9px 18px;"
                "border-radius:4px;display:inline-block\">Read more &rarr;</a></p>\n</td></tr></table>\n"
                "</td></tr>\n";
        plain += std::string(article[0]) + "\n" + article[1] + "\nRead more: " + article[2] + "\n\n";
    }
    html +=
        "<tr><td style=\"padding:16px 32px 24px 32px;font-family:Arial,sans-serif;font-size:15px;"
        "line-height:23px;color:#222222\">\n<p>Worth a 20-minute call next week? Pick a slot in "
        "<a href=\"https://www.example.com/rdv/claire-dubois\">my calendar</a>.</p>\n"
        "<p>Claire Dubois<br>Responsable grands comptes<br>Exemple Prospection SAS<br>"
        "+33 1 23 45 67 89</p>\n"
        "<p style=\"font-size:13px\"><a href=\"https://www.linkedin.com/company/example\">LinkedIn</a> "
        "&middot; <a href=\"https://www.youtube.com/@example\">YouTube</a> &middot; "
        "<a href=\"https://www.example.com/blog\">Blog</a></p>\n</td></tr>\n";
    html += kFooterHtml;
    html += "</table>\n</td></tr></table>\n<img src=\"https://mail.example.com/o/corpus.gif\" width=\"1\" "
            "height=\"1\" alt=\"\">\n</body>\n</html>\n";
    plain += "Worth a 20-minute call next week? Pick a slot in my calendar:\n"
             "https://www.example.com/rdv/claire-dubois\n\n"
             "Claire Dubois\nResponsable grands comptes\nExemple Prospection SAS\n+33 1 23 45 67 89\n\n";
    plain += kFooterPlain;

    return "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n--" + boundary +
           "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
           quoted_printable(plain) + "\r\n--" + boundary +
           "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
           quoted_printable(html) + "\r\n--" + boundary + "--\r\n";
}

// (a) A typical prospecting newsletter of about 20 KB: as many article
// blocks as fit under 20,480 bytes (9 with the texts above).
int typical_articles()
{
    int articles = 1;
    while (crlf(kHeaders).size() + alternative_part(articles + 1, "=_alt_4f2a9c").size() <= 20480)
        ++articles;
    return articles;
}

std::string typical_message()
{
    return crlf(kHeaders) + alternative_part(typical_articles(), "=_alt_4f2a9c");
}

// (b, c) The same newsletter in a multipart/mixed with a PDF-like attachment
// of pseudo-random bytes (seeded: reproducible) whose base64 takes
// `attachment_base64_bytes`.
std::string large_message(std::size_t attachment_base64_bytes)
{
    const std::size_t raw_size = attachment_base64_bytes / 78 * 57;
    std::string pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
    std::mt19937_64 random(20260305);
    while (pdf.size() + 8 <= raw_size) {
        const std::uint64_t v = random();
        pdf.append(reinterpret_cast<const char*>(&v), 8);
    }
    pdf.resize(raw_size);
    const std::string boundary = "=_mix_9e01b7";
    return crlf(kHeaders) + "Content-Type: multipart/mixed; boundary=\"" + boundary +
           "\"\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n--" + boundary + "\r\n" +
           alternative_part(typical_articles(), "=_alt_4f2a9c") + "\r\n--" + boundary +
           "\r\nContent-Type: application/pdf; name=\"EXPRO-Catalogue-2026.pdf\"\r\n"
           "Content-Disposition: attachment; filename=\"EXPRO-Catalogue-2026.pdf\"\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\n" +
           base64_lines(pdf) + "\r\n--" + boundary + "--\r\n";
}

// An unlinked temporary file holding bytes: read_message_fd() reads it in
// 64 KiB chunks, the size of the body chunks the milter receives.
int spool_file(const std::string& bytes)
{
    const char* dir = std::getenv("TMPDIR");
    std::string directory = dir && *dir ? dir : "/tmp";
    int fd = open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        std::string name = directory + "/inspect_bench.XXXXXX";
        fd = mkstemp(name.data());
        if (fd >= 0)
            unlink(name.c_str());
    }
    if (fd < 0) {
        std::perror("inspect_bench: temporary file");
        std::exit(1);
    }
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) {
            std::perror("inspect_bench: write");
            std::exit(1);
        }
        done += static_cast<std::size_t>(n);
    }
    return fd;
}

// --- subject: the inspection as the milter does it -------------------------

const policy::Policy* g_policy = nullptr;
policy::Day g_today = 0;

policy::Verdict judge_content(std::size_t size, const policy::MessageContent& content)
{
    const policy::Policy& policy = *g_policy;
    policy::MessageFacts facts = policy::facts_of_message(policy, content, size);
    facts.today = g_today;
    facts.recipients.push_back("thomas.becker@client.fr");
    return policy::judge(policy, facts, facts.too_large ? nullptr : &content);
}

policy::Verdict inspect_memory(std::string_view bytes)
{
    return judge_content(bytes.size(), policy::read_message(bytes));
}

policy::Verdict inspect_fd(int fd, std::size_t size)
{
    return judge_content(size, policy::read_message_fd(fd));
}

// --- baseline: GMime parsing with no rules ----------------------------------

template <typename T>
struct Unref {
    void operator()(T* object) const
    {
        if (object)
            g_object_unref(object);
    }
};

volatile std::size_t g_sink = 0;  // keeps the baseline's walk from being optimised away

void walk(GMimeObject* object)
{
    if (!object)
        return;
    if (GMimeContentType* type = g_mime_object_get_content_type(object))
        g_sink = g_sink + (g_mime_content_type_is_type(type, "text", "*") ? 1 : 2);
    if (g_mime_object_get_disposition(object))
        g_sink = g_sink + 1;
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart* multipart = GMIME_MULTIPART(object);
        for (int i = 0, n = g_mime_multipart_get_count(multipart); i < n; ++i)
            walk(g_mime_multipart_get_part(multipart, i));
    }
}

// The parse read_message()/read_message_fd() start with (same stream kind,
// persistent stream, message format; default parser options), then a walk
// over the parts that looks at their types and nothing else: no decoding.
void parse_stream(GMimeStream* stream)
{
    std::unique_ptr<GMimeParser, Unref<GMimeParser>> parser(g_mime_parser_new_with_stream(stream));
    g_mime_parser_set_persist_stream(parser.get(), TRUE);
    g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
    std::unique_ptr<GMimeMessage, Unref<GMimeMessage>> message(g_mime_parser_construct_message(parser.get(), nullptr));
    if (message)
        walk(g_mime_message_get_mime_part(message.get()));
}

void baseline_memory(std::string_view bytes)
{
    std::unique_ptr<GMimeStream, Unref<GMimeStream>> stream(
        g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
    parse_stream(stream.get());
}

void baseline_fd(int fd)
{
    const int own = dup(fd);
    if (own < 0 || lseek(own, 0, SEEK_SET) != 0)
        std::abort();
    std::unique_ptr<GMimeStream, Unref<GMimeStream>> stream(g_mime_stream_fs_new(own));
    parse_stream(stream.get());
}

// --- measuring ---------------------------------------------------------------

// CPU seconds per call of fn, over `iterations` calls.
double per_call(const std::function<void()>& fn, long iterations)
{
    const double start = cpu_seconds();
    for (long i = 0; i < iterations; ++i)
        fn();
    return (cpu_seconds() - start) / static_cast<double>(iterations);
}

// How many calls of fn fill about `batch` CPU seconds (at least 3).
long calibrate(const std::function<void()>& fn, double batch)
{
    fn();  // warm: first-call costs (charset tables, iconv) are not per message
    long n = 1;
    double took = 0;
    for (;;) {
        const double start = cpu_seconds();
        for (long i = 0; i < n; ++i)
            fn();
        took = cpu_seconds() - start;
        if (took > 0.02 || n > (1L << 20))
            break;
        n *= 2;
    }
    return std::max(3L, std::lround(batch / (took / static_cast<double>(n))));
}

// Peak resident memory, in KiB, that one call of fn adds, measured in a
// fresh child so that nothing else counts:
//   - malloc_trim(0) gives every free heap page back to the kernel, so a
//     block the parent freed cannot be reused unseen: every page the call
//     touches counts, an upper bound on what a warm process needs;
//   - map_file_pages() maps the code and data of the program and its
//     libraries, so the code pages the call runs (shared page cache, not
//     memory the call costs) do not count;
//   - the peak is reset (clear_refs 5);
// then VmHWM after the call minus VmRSS before it. The parent has run fn
// before (first-call costs such as GMime's charset tables are not per
// message).
long peak_rss_delta_kib(const std::function<void()>& fn)
{
    int channel[2];
    if (pipe(channel) != 0)
        return -1;
    std::fflush(nullptr);
    const pid_t child = fork();
    if (child < 0)
        return -1;
    if (child == 0) {
        close(channel[0]);
        malloc_trim(0);
        map_file_pages();
        if (std::FILE* clear = std::fopen("/proc/self/clear_refs", "w")) {
            std::fputs("5", clear);
            std::fclose(clear);
        }
        const long before = proc_status_kib("VmRSS");
        fn();
        const long peak = proc_status_kib("VmHWM");
        const long delta = before < 0 || peak < 0 ? -1 : peak - before;
        if (write(channel[1], &delta, sizeof delta) != static_cast<ssize_t>(sizeof delta))
            _exit(1);
        _exit(0);
    }
    close(channel[1]);
    long delta = -1;
    if (read(channel[0], &delta, sizeof delta) != static_cast<ssize_t>(sizeof delta))
        delta = -1;
    close(channel[0]);
    int status = 0;
    waitpid(child, &status, 0);
    return delta;
}

// The largest of three children's deltas.
long max_rss_delta_kib(const std::function<void()>& fn)
{
    long most = -1;
    for (int i = 0; i < 3; ++i)
        most = std::max(most, peak_rss_delta_kib(fn));
    return most;
}

struct Case {
    std::string name;
    std::function<void()> subject;
    std::function<void()> baseline;
    double target_us;       // CPU time target, 0 = none
    long target_rss_kib;    // extra memory target, 0 = none
};

struct Result {
    double subject_us;
    double baseline_us;
    double ratio;  // median of the per-round ratios
    double subject_min_us, subject_max_us;
    long subject_rss_kib, baseline_rss_kib;
};

Result measure(const Case& c, int rounds, double batch)
{
    Result result{};
    c.baseline();  // warm: see peak_rss_delta_kib
    c.subject();
    result.baseline_rss_kib = max_rss_delta_kib(c.baseline);
    result.subject_rss_kib = max_rss_delta_kib(c.subject);

    const long n_subject = calibrate(c.subject, batch);
    const long n_baseline = calibrate(c.baseline, batch);
    std::vector<double> subject, baseline, ratios;
    for (int round = 0; round < rounds; ++round) {
        const double b = per_call(c.baseline, n_baseline);
        const double s = per_call(c.subject, n_subject);
        baseline.push_back(b * 1e6);
        subject.push_back(s * 1e6);
        ratios.push_back(s / b);
    }
    result.subject_us = median(subject);
    result.baseline_us = median(baseline);
    result.ratio = median(ratios);
    result.subject_min_us = *std::min_element(subject.begin(), subject.end());
    result.subject_max_us = *std::max_element(subject.begin(), subject.end());
    return result;
}

void load_policy()
{
    policy::mime_initialise();
    const std::string path = PROSPECT_SOURCE_DIR "/tests/corpus/policy.conf";
    static auto loaded = policy::load_policy(path);
    if (!loaded.ok()) {
        for (const auto& error : loaded.errors)
            std::fprintf(stderr, "%s\n", error.to_string().c_str());
        std::exit(1);
    }
    g_policy = loaded.policy.get();
    g_today = *policy::parse_day("2026-03-05");
}

// Every content rule must pass on the benchmark messages: a benchmark of a
// message the rules stop reading early would flatter the figures.
void expect_pass(const char* what, const policy::Verdict& verdict)
{
    if (!verdict.failed.empty()) {
        std::fprintf(stderr, "inspect_bench: %s does not pass: %s\n", what, verdict.failure_summary().c_str());
        std::exit(1);
    }
    int inspected = 0;
    for (const auto& result : verdict.results)
        inspected += result.outcome == policy::Outcome::pass ? 1 : 0;
    if (inspected < 5) {
        std::fprintf(stderr, "inspect_bench: %s: only %d rules passed, content rules did not run\n", what, inspected);
        std::exit(1);
    }
}

}  // namespace

// The loop callgrind collects in (--toggle-collect=bench_inspect_loop).
extern "C" __attribute__((noinline)) void bench_inspect_loop(const char* bytes, std::size_t size, long iterations)
{
    for (long i = 0; i < iterations; ++i)
        g_sink = g_sink + inspect_memory(std::string_view(bytes, size)).results.size();
}

int main(int argc, char** argv)
{
    int rounds = 7;
    double batch_ms = 250;
    long callgrind = 0;
    std::string dump;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--rounds" && i + 1 < argc)
            rounds = std::max(5, std::atoi(argv[++i]));
        else if (arg == "--batch-ms" && i + 1 < argc)
            batch_ms = std::max(10.0, std::atof(argv[++i]));
        else if (arg == "--callgrind" && i + 1 < argc)
            callgrind = std::max(1L, std::atol(argv[++i]));
        else if (arg == "--dump" && i + 1 < argc && (argv[i + 1] == std::string_view("typical") ||
                                                     argv[i + 1] == std::string_view("large")))
            dump = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s [--rounds N (>= 5)] [--batch-ms MS] | --callgrind N | --dump typical|large\n",
                         argv[0]);
            return 64;
        }
    }

    if (!dump.empty()) {  // the message itself, to read or to feed to prospectctl check
        const std::string message = dump == "typical" ? typical_message() : large_message(9'900'000);
        return std::fwrite(message.data(), 1, message.size(), stdout) == message.size() ? 0 : 1;
    }

    load_policy();
    const std::string typical = typical_message();
    expect_pass("the 20 KB message", inspect_memory(typical));

    if (callgrind) {
        bench_inspect_loop(typical.data(), typical.size(), 1);  // warm, outside the collected loop's count
        bench_inspect_loop(typical.data(), typical.size(), callgrind);
        std::printf("%ld inspections of the %zu-byte message\n", callgrind, typical.size());
        return 0;
    }

    const std::string large = large_message(9'900'000);
    const int fd = spool_file(large);
    expect_pass("the 10 MB message (memory)", inspect_memory(large));
    expect_pass("the 10 MB message (file)", inspect_fd(fd, large.size()));

    std::printf("message inspection benchmark: %d interleaved rounds (baseline, subject, ...), "
                "batches of ~%.0f ms CPU\n",
                rounds, batch_ms);
    std::printf("baseline = GMime parse of the same bytes from the same kind of stream + walk over the "
                "parts, no decoding, no rules\n");
    std::printf("messages: (a) %zu bytes; (b, c) %zu bytes: (a)'s text parts and a base64 attachment "
                "(%zu bytes more)\n\n",
                typical.size(), large.size(), large.size() - typical.size());

    const std::vector<Case> cases = {
        {"a) 20 KB, read_message + judge", [&] { (void)inspect_memory(typical); },
         [&] { baseline_memory(typical); }, 100, 0},
        {"b) 10 MB, in 64 KiB chunks: read_message_fd + judge", [&] { (void)inspect_fd(fd, large.size()); },
         [&] { baseline_fd(fd); }, 20000, 2048},
        {"c) 10 MB, in memory: read_message + judge", [&] { (void)inspect_memory(large); },
         [&] { baseline_memory(large); }, 0, 0},
    };

    std::printf("%-44s %12s %12s %7s %14s %14s\n", "case", "median us", "baseline us", "ratio", "peak RSS +KiB",
                "baseline +KiB");
    std::vector<std::string> verdicts;
    for (const auto& c : cases) {
        const Result r = measure(c, rounds, batch_ms / 1000.0);
        std::printf("%-44s %12.1f %12.1f %7.2f %14ld %14ld\n", c.name.c_str(), r.subject_us, r.baseline_us, r.ratio,
                    r.subject_rss_kib, r.baseline_rss_kib);
        std::fflush(stdout);
        char line[256];
        std::snprintf(line, sizeof line, "%s: CPU %.1f us per message (rounds %.1f..%.1f)", c.name.substr(0, 2).c_str(),
                      r.subject_us, r.subject_min_us, r.subject_max_us);
        std::string verdict = line;
        if (c.target_us > 0)
            verdict += std::string(r.subject_us < c.target_us ? " < " : " >= ") + std::to_string(static_cast<long>(c.target_us)) +
                       " us target: " + (r.subject_us < c.target_us ? "met" : "NOT met");
        if (c.target_rss_kib > 0)
            verdict += "; peak RSS +" + std::to_string(r.subject_rss_kib) + " KiB" +
                       (r.subject_rss_kib >= 0 && r.subject_rss_kib < c.target_rss_kib ? " < " : " >= ") +
                       std::to_string(c.target_rss_kib) + " KiB target: " +
                       (r.subject_rss_kib >= 0 && r.subject_rss_kib < c.target_rss_kib ? "met" : "NOT met");
        verdicts.push_back(verdict);
    }
    std::printf("\n");
    for (const auto& verdict : verdicts)
        std::printf("%s\n", verdict.c_str());
    close(fd);
    return 0;
}
