// The MIME reader (policy/mime_reader.cpp) against GMime's object tree
// (gmime_reference.cpp): the same From, Subject, headers, visible parts,
// links and notes, on the test corpus, on hand-made malformed mail, and on
// thousands of generated MIME trees; and the same result whatever the size of
// the chunks the message arrives in.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gmime_reference.h"
#include "policy/mime.h"
#include "policy/mime_reader.h"

namespace {

std::string show(const std::string& text)
{
    std::string out;
    for (unsigned char c : text.substr(0, 300))
        out += c == '\n' ? std::string("\\n") : c < 0x20 ? "\\x" + std::to_string(c) : std::string(1, static_cast<char>(c));
    return "\"" + out + (text.size() > 300 ? "...\"" : "\"");
}

// The first difference between two readings, or "" when there is none.
std::string difference(const policy::MessageContent& ours, const policy::MessageContent& reference)
{
    const auto differ = [](const std::string& what, const std::string& a, const std::string& b) {
        return what + ": reader " + show(a) + ", GMime " + show(b);
    };
    if (ours.from_display_name != reference.from_display_name)
        return differ("From name", ours.from_display_name, reference.from_display_name);
    if (ours.from_address != reference.from_address)
        return differ("From address", ours.from_address, reference.from_address);
    if (ours.subject != reference.subject)
        return differ("Subject", ours.subject, reference.subject);
    if (ours.headers.size() != reference.headers.size())
        return "header count: reader " + std::to_string(ours.headers.size()) + ", GMime " +
               std::to_string(reference.headers.size());
    for (std::size_t i = 0; i < ours.headers.size(); ++i)
        if (ours.headers[i] != reference.headers[i])
            return differ("header " + std::to_string(i), ours.headers[i].first + ": " + ours.headers[i].second,
                          reference.headers[i].first + ": " + reference.headers[i].second);
    if (ours.notes != reference.notes) {
        std::string a, b;
        for (const auto& note : ours.notes)
            a += note + "; ";
        for (const auto& note : reference.notes)
            b += note + "; ";
        return differ("notes", a, b);
    }
    if (ours.parts.size() != reference.parts.size())
        return "part count: reader " + std::to_string(ours.parts.size()) + ", GMime " +
               std::to_string(reference.parts.size());
    for (std::size_t i = 0; i < ours.parts.size(); ++i) {
        const auto& a = ours.parts[i];
        const auto& b = reference.parts[i];
        const std::string part = "part " + std::to_string(i);
        if (a.text != b.text)
            return differ(part + " text", a.text, b.text);
        if (a.complete != b.complete)
            return part + ": complete differs";
        if (a.links.size() != b.links.size())
            return part + ": link count " + std::to_string(a.links.size()) + " vs " + std::to_string(b.links.size());
        for (std::size_t l = 0; l < a.links.size(); ++l)
            if (a.links[l].url != b.links[l].url || a.links[l].text != b.links[l].text ||
                a.links[l].context != b.links[l].context)
                return differ(part + " link " + std::to_string(l), a.links[l].url + " | " + a.links[l].text,
                              b.links[l].url + " | " + b.links[l].text);
    }
    return "";
}

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream file(path, std::ios::binary);
    std::stringstream bytes;
    bytes << file.rdbuf();
    return bytes.str();
}

std::vector<std::pair<std::string, std::string>> corpus()
{
    std::vector<std::pair<std::string, std::string>> messages;
    for (const auto& entry : std::filesystem::directory_iterator(PROSPECT_SOURCE_DIR "/tests/corpus"))
        if (entry.path().extension() == ".eml")
            messages.emplace_back(entry.path().filename().string(), read_file(entry.path()));
    std::sort(messages.begin(), messages.end());
    return messages;
}

// The message fed in chunks of random sizes.
policy::MessageContent read_in_chunks(const std::string& message, std::mt19937& random, std::size_t largest,
                                      const policy::MimeLimits& limits = {})
{
    policy::MessageReader reader(limits);
    std::uniform_int_distribution<std::size_t> size(1, largest);
    for (std::size_t at = 0; at < message.size();) {
        const std::size_t n = std::min(size(random), message.size() - at);
        reader.feed(std::string_view(message).substr(at, n));
        at += n;
    }
    return reader.finish();
}

void check_like_gmime(const std::string& name, const std::string& message, const policy::MimeLimits& limits = {})
{
    INFO(name);
    const auto ours = policy::read_message(message, limits);
    const auto reference = gmime_reference::read_message(message, limits);
    CHECK(difference(ours, reference) == "");
}

}  // namespace

TEST_CASE("the MIME reader reads every corpus message as GMime does", "[mime]")
{
    const auto messages = corpus();
    REQUIRE(messages.size() >= 40);
    std::size_t parts = 0;
    for (const auto& [name, message] : messages) {
        check_like_gmime(name, message);
        parts += policy::read_message(message).parts.size();
    }
    CHECK(parts >= 40);  // the corpus has text to compare, not only headers
}

TEST_CASE("the MIME reader gives the same reading whatever the chunks the message comes in", "[mime]")
{
    std::mt19937 random(20261128);
    for (const auto& [name, message] : corpus()) {
        INFO(name);
        const auto whole = policy::read_message(message);
        for (std::size_t largest : {1, 7, 100, 5000, 70000})
            CHECK(difference(read_in_chunks(message, random, largest), whole) == "");
    }
}

TEST_CASE("the MIME reader reads malformed structure as GMime does", "[mime]")
{
    const std::string from = "From: Exemple SAS <contact@exemple.fr>\r\nSubject: Offre\r\n";
    const std::string alt = "Content-Type: multipart/alternative; boundary=\"b1\"\r\n";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"plain, LF endings", "From: A <a@x.fr>\nSubject: s\n\nhello\nworld\n"},
        {"alternative", from + alt + "\r\n--b1\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b1\r\n"
                                    "Content-Type: text/html\r\n\r\n<p>html <a href=\"https://x.fr/u\">unsubscribe</a></p>\r\n--b1--\r\n"},
        {"boundary followed by spaces and tabs", from + alt + "\r\n--b1 \t\r\nContent-Type: text/html\r\n\r\n<p>a</p>\r\n--b1--  \r\n"},
        {"CRLF boundary after LF content", from + alt + "\n--b1\nContent-Type: text/html\n\n<p>abc</p>\n--b1--\r\n"},
        {"no final boundary", from + alt + "\r\n--b1\r\nContent-Type: text/html\r\n\r\n<p>never closed</p>\r\n"},
        {"preamble and epilogue", from + alt + "\r\npreamble --b1x\r\n--b1\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b1--\r\nepilogue\r\n--b1\r\nafter\r\n"},
        {"part without headers", from + alt + "\r\n--b1\r\n\r\ndefault plain\r\n--b1--\r\n"},
        {"part headers without the empty line", from + alt + "\r\n--b1\r\nContent-Type: text/html\r\n<p>straight in</p>\r\n--b1--\r\n"},
        {"message headers without the empty line", "From: A <a@x.fr>\r\nSubject: s\r\nthis is the body\r\n"},
        {"garbage line among message headers", "X-First: 1\r\nnot a header\r\nFrom: A <a@x.fr>\r\n\r\nbody\r\n"},
        {"first line is no header", "this is no message\r\nFrom: a@x.fr\r\n\r\nbody\r\n"},
        {"mbox From line first", "From a@x.fr Sat Nov 28 10:00:00 2026\r\nFrom: A <a@x.fr>\r\n\r\nbody\r\n"},
        {"empty", ""},
        {"headers only", "From: A <a@x.fr>\r\nSubject: s\r\n"},
        {"last line without ending", "From: A <a@x.fr>\r\n\r\nbody without end"},
        {"last header line without ending", "From: A <a@x.fr>\r\nSubject: s"},
        {"boundary at the end without ending", from + alt + "\r\n--b1\r\nContent-Type: text/plain\r\n\r\nabc\r\n--b1--"},
        {"multipart without boundary", from + "Content-Type: multipart/mixed\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhidden\r\n--x--\r\n"},
        {"nested", from + "Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\n" + alt +
                       "\r\n--b1\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b1\r\nContent-Type: text/html\r\n\r\n"
                       "<b>html</b>\r\n--outer\r\nContent-Type: text/plain\r\nContent-Disposition: inline\r\n\r\nsecond\r\n--outer--\r\n"},
        {"outer end closes inner", from + "Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\n" + alt +
                                       "\r\n--b1\r\nContent-Type: text/html\r\n\r\n<i>x</i>\r\n--outer--\r\nafter\r\n"},
        {"html attachment", from + "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nread\r\n--m\r\n"
                                   "Content-Type: text/html\r\nContent-Disposition: attachment; filename=a.html\r\n\r\n<p>not read</p>\r\n--m--\r\n"},
        {"forwarded message", from + "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nlook\r\n--m\r\n"
                                     "Content-Type: message/rfc822\r\n\r\nFrom: b@y.fr\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n\r\ninner\r\n--in--\r\n--m--\r\n"},
        {"digest", from + "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nFrom: c@z.fr\r\n\r\ndigest body\r\n--d--\r\n"},
        {"quoted-printable latin-1", from + "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                                            "caf=E9 cr=E8me =\r\nsoft break\r\n"},
        {"base64 html", from + "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                               "PHA+RMOpc2luc2NyaXB0aW9uIDxhIGhyZWY9Imh0dHBzOi8veC5mci91Ij5pY2k8L2E+PC9wPg==\r\n"},
        {"duplicate content type", from + "Content-Type: text/plain\r\nContent-Type: text/html\r\n\r\n<p>which</p>\r\n"},
        {"unparsable content type", from + "Content-Type: garbage\r\n\r\nbody\r\n"},
        {"content type without subtype", from + "Content-Type: text\r\n\r\nbody\r\n"},
        {"folded and encoded headers", "From: =?utf-8?q?J=C3=A9r=C3=B4me?=\r\n <jerome@x.fr>\r\nSubject: =?iso-8859-1?q?caf=E9?=\r\n\tet =?utf-8?b?w6ljb2xl?=\r\nX-Long:   a\r\n   b  \r\n\r\nbody\r\n"},
        {"8-bit headers", "From: \xc3\x89mile <e@x.fr>\r\nSubject: \xe9t\xe9\r\nX-Bin: a\x01" "b\r\n\r\nbody\r\n"},
        {"From with a group and a comment", "From: friends: ; Alice (sales) <alice@x.fr>\r\n\r\nbody\r\n"},
        {"two From headers", "From: <first@x.fr>\r\nFrom: Second <second@x.fr>\r\n\r\nbody\r\n"},
        {"header name with a space", "From: A <a@x.fr>\r\nBad Name: 1\r\nX-Ok: 2\r\n\r\nbody\r\n"},
        {"continuation first", " folded: x\r\nFrom: a@x.fr\r\n\r\nbody\r\n"},
        {"CR alone in lines", "From: A <a@x.fr>\r\n\r\nline\rwith CR\r\r\nend\r\n"},
        {"NUL bytes", std::string("From: A <a@x.fr>\r\nX-N: a\0b\r\n\r\nbo\0dy\r\n", 37)},
        {"boundary prefix of another", from + "Content-Type: multipart/mixed; boundary=ab\r\n\r\n--ab\r\nContent-Type: multipart/alternative; boundary=abc\r\n\r\n"
                                              "--abc\r\nContent-Type: text/plain\r\n\r\ninner\r\n--abc--\r\n--ab\r\n\r\nsecond\r\n--ab--\r\n"},
        {"empty parts", from + alt + "\r\n--b1\r\n--b1\r\n\r\n\r\n--b1--\r\n"},
    };
    for (const auto& [name, message] : cases)
        check_like_gmime(name, message);
}

TEST_CASE("a uuencoded text part reads the same whatever the chunks", "[mime]")
{
    // GMime's uudecoder takes the first byte of each call for the start of
    // a line: the part is decoded whole (a fuzzing finding).
    const std::string message = "From: A <a@x.fr>\r\nContent-Type: multipart/mixed; boundary=e\r\n\r\n--e\r\n"
                                "Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
                                "begin\xeb 644 a.txt\r\n#86)C\r\n`\r\nend\r\n--e--\r\n";
    const auto whole = policy::read_message(message);
    check_like_gmime("uuencoded", message);
    for (std::size_t chunk = 1; chunk <= 20; ++chunk) {
        INFO("chunks of " << chunk);
        policy::MessageReader reader;
        for (std::size_t at = 0; at < message.size(); at += chunk)
            reader.feed(std::string_view(message).substr(at, chunk));
        CHECK(difference(reader.finish(), whole) == "");
    }
}

TEST_CASE("the MIME reader keeps GMime's limits on nesting and text size", "[mime]")
{
    std::string deep = "From: A <a@x.fr>\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n";
    for (int i = 1; i <= 40; ++i)
        deep += "--b" + std::to_string(i - 1) + "\r\nContent-Type: multipart/mixed; boundary=b" + std::to_string(i) +
                "\r\n\r\n";
    deep += "--b40\r\nContent-Type: text/plain\r\n\r\ntoo deep\r\n--b40--\r\n";
    const auto read = policy::read_message(deep);
    CHECK(read.parts.empty());
    REQUIRE(!read.notes.empty());
    CHECK(read.notes.front() == "MIME nesting deeper than 32 not read");
    check_like_gmime("40 levels", deep);

    policy::MimeLimits small;
    small.max_text_part = 1000;
    const std::string long_text = "From: A <a@x.fr>\r\n\r\n" + std::string(5000, 'x') + "\r\n";
    check_like_gmime("text over the limit", long_text, small);
    CHECK(policy::read_message(long_text, small).parts.at(0).text.size() == 1000);

    // A line longer than the reader assembles (64 KiB), in a part.
    const std::string long_line = "From: A <a@x.fr>\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\n" +
                                  std::string(200000, 'y') + "\r\n--q--\r\n";
    check_like_gmime("200 KB line", long_line);
    std::mt19937 random(7);
    CHECK(difference(read_in_chunks(long_line, random, 30000), policy::read_message(long_line)) == "");
}

TEST_CASE("the MIME reader looks at the first 500 parts only", "[mime]")
{
    std::string many = "From: A <a@x.fr>\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n";
    for (int i = 0; i < 600; ++i)
        many += "--p\r\nContent-Type: text/plain\r\n\r\npart " + std::to_string(i) + "\r\n";
    many += "--p--\r\n";
    const auto read = policy::read_message(many);
    CHECK(read.parts.size() == 499);  // the message's own multipart is the first of the 500
    CHECK(read.parts.back().text == "part 498");
    REQUIRE(!read.notes.empty());
    CHECK(read.notes.back() == "more than 500 MIME parts: the rest not read");
}

namespace {

// A random MIME tree as mailers (and broken mailers) write them.
class MessageGenerator {
public:
    explicit MessageGenerator(unsigned seed) : m_random(seed) {}

    std::string message()
    {
        m_eol = pick(4) == 0 ? "\n" : "\r\n";
        std::string out;
        if (pick(10) == 0)
            out += "From sender@x.fr Sat Nov 28 10:00:00 2026" + m_eol;
        out += "From: " + pick_of({"Exemple SAS <contact@exemple.fr>", "=?utf-8?q?Soci=C3=A9t=C3=A9?= <s@x.fr>",
                                   "contact@x.fr", "\"Doe, J\" <j@x.fr>"}) + m_eol;
        out += "Subject: " + pick_of({"Offre", "=?iso-8859-1?q?caf=E9?=", "a" + m_eol + " b", ""}) + m_eol;
        if (pick(3) == 0)
            out += "X-Campaign: spring" + m_eol;
        out += entity(0, false);
        return out;
    }

private:
    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(m_random); }
    std::string pick_of(std::initializer_list<std::string> options)
    {
        auto it = options.begin();
        std::advance(it, static_cast<long>(pick(options.size())));
        return *it;
    }

    std::string text_body(bool html)
    {
        std::string out;
        const std::size_t lines = pick(6);
        for (std::size_t i = 0; i < lines; ++i) {
            if (html)
                out += pick_of({"<p>Bonjour <a href=\"https://x.fr/u\">se d=C3=A9sinscrire</a></p>", "<div>caf=E9</div>",
                                "<br>", "--", "--b0 not", "text =", ""});
            else
                out += pick_of({"Bonjour", "https://x.fr/stop", "caf=C3=A9 =", "--", "-- ", "  spaced  ", ""});
            out += m_eol;
        }
        return out;
    }

    std::string entity(int depth, bool in_digest)
    {
        std::string out;
        const std::size_t kind = depth >= 3 ? 1 + pick(3) : pick(5);
        std::string boundary;
        if (kind == 0 || kind == 4) {
            boundary = "b" + std::to_string(m_next++);
            out += "Content-Type: multipart/" + pick_of({"mixed", "alternative", "related", "digest", "ALTERNATIVE"}) +
                   pick_of({"; boundary=", ";boundary=", ";" + m_eol + "\tBOUNDARY=", "; charset=x; boundary="}) +
                   (pick(2) ? "\"" + boundary + "\"" : boundary) + pick_of({"", ";", " (comment)", "; type=text/html"}) +
                   m_eol;
        } else if (kind == 1) {
            out += "Content-Type: " + pick_of({"text/plain", "Text/Plain", "text/plain ", "text / plain"}) +
                   pick_of({"; charset=", ";Charset=\"", "; charset*=utf-8''", "; format=flowed; charset="}) +
                   pick_of({"utf-8", "iso-8859-1", "us-ascii"}) + pick_of({"", "\""}) + m_eol;
        } else if (kind == 2) {
            out += "Content-Type: " + pick_of({"text/html", "text/html; charset=\"utf-8\"", "text/html;charset=UTF-8",
                                               "text/html; charset=\"a\\\"b\"", "text/html; charset=utf-8; charset=latin1",
                                               "text/html; charset=\"=?us-ascii?q?utf-8?=\""}) +
                   m_eol;
        } else if (!in_digest || pick(2)) {
            // no Content-Type at all, or an attachment
            if (pick(2))
                out += "Content-Type: application/pdf" + m_eol + "Content-Disposition: attachment" + m_eol;
        }
        if (kind == 1 || kind == 2)
            out += "Content-Transfer-Encoding: " + pick_of({"quoted-printable", "7bit", "8bit"}) + m_eol;
        if (pick(8) == 0)
            out += "Content-Disposition: " + pick_of({"inline", "attachment"}) + m_eol;
        if (pick(10) != 0 || kind == 0)
            out += m_eol;  // the empty line a broken mailer sometimes leaves out
        if (kind != 0 && kind != 4) {
            out += text_body(kind == 2);
            return out;
        }
        if (pick(3) == 0)
            out += "preamble" + m_eol;
        const std::size_t children = pick(4);
        for (std::size_t i = 0; i < children; ++i) {
            out += "--" + boundary + (pick(6) == 0 ? " \t" : "") + m_eol;
            out += entity(depth + 1, out.find("multipart/digest") != std::string::npos && pick(2));
        }
        if (pick(6) != 0)
            out += "--" + boundary + "--" + m_eol;
        if (pick(4) == 0)
            out += "epilogue" + m_eol;
        return out;
    }

    std::mt19937 m_random;
    std::string m_eol;
    int m_next = 0;
};

}  // namespace

TEST_CASE("the MIME reader reads generated MIME trees as GMime does", "[mime]")
{
    MessageGenerator generate(42);
    std::mt19937 random(99);
    int differences = 0;
    for (int i = 0; i < 3000 && differences < 5; ++i) {
        const std::string message = generate.message();
        const auto ours = policy::read_message(message);
        const std::string different = difference(ours, gmime_reference::read_message(message));
        const std::string chunked = difference(read_in_chunks(message, random, 64), ours);
        if (different.empty() && chunked.empty())
            continue;
        ++differences;
        // MIME_READER_DUMP=DIR keeps each differing message for a closer look.
        if (const char* dump = std::getenv("MIME_READER_DUMP"))
            std::ofstream(std::string(dump) + "/message-" + std::to_string(i) + ".eml", std::ios::binary) << message;
        INFO("message " << i << ":\n" << message);
        CHECK(different == "");
        CHECK(chunked == "");
    }
    CHECK(differences == 0);
}
