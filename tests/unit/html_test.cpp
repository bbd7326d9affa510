#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "policy/content.h"

using policy::html_to_visible;
using policy::plain_to_visible;
using namespace std::string_literals;

namespace {

std::vector<std::string> urls(const policy::VisibleText& visible)
{
    std::vector<std::string> out;
    for (const auto& link : visible.links)
        out.push_back(link.url);
    return out;
}

std::string repeat(const std::string& text, std::size_t times)
{
    std::string out;
    out.reserve(text.size() * times);
    for (std::size_t i = 0; i < times; ++i)
        out += text;
    return out;
}

const std::string e_acute = "\xC3\xA9";     // é
const std::string replacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

// --- Text -------------------------------------------------------------------

TEST_CASE("HTML entities are decoded, &nbsp; becoming a plain space", "[html]")
{
    const auto visible =
        html_to_visible("<p>caf&eacute; caf&#233; caf&#x00E9; Dupont&amp;Fils a&nbsp;b</p>");
    CHECK(visible.text == "caf" + e_acute + " caf" + e_acute + " caf" + e_acute + " Dupont&Fils a b");
}

TEST_CASE("an organisation name split by inline tags reads as one", "[html]")
{
    CHECK(html_to_visible("<p>Exemple <b>Prospection</b>&nbsp;SAS</p>").text ==
          "Exemple Prospection SAS");
    CHECK(html_to_visible("<span>Exemple</span> <i>Prospection</i> <font>SAS</font>").text ==
          "Exemple Prospection SAS");
    // Inline tags without white space between them do not add any.
    CHECK(html_to_visible("<p>Pro<b>spec</b><span>tion</span></p>").text == "Prospection");
}

TEST_CASE("an organisation name split by line breaks in the source reads as one", "[html]")
{
    CHECK(html_to_visible("<p>Exemple\n    Prospection\r\n\tSAS</p>").text ==
          "Exemple Prospection SAS");
    CHECK(html_to_visible("<td>\n  Exemple\n  <b>Prospection</b>\n  SAS\n</td>").text ==
          "Exemple Prospection SAS");
}

TEST_CASE("runs of Unicode white space collapse to one space", "[html]")
{
    // U+2003 em space, U+202F narrow no-break space, U+3000 ideographic space.
    CHECK(html_to_visible("<p>a \xE2\x80\x83 b\xE2\x80\xAF" "c\xE3\x80\x80&#160;d</p>").text ==
          "a b c d");
}

TEST_CASE("zero-width characters show nothing and are dropped", "[html]")
{
    CHECK(html_to_visible("<p>unsub&#8203;scri&shy;be&#xFEFF;</p>").text == "unsubscribe");
}

TEST_CASE("comments, scripts, styles, head and title contribute no text", "[html]")
{
    const std::string html =
        "<!DOCTYPE html><html><head><title>Title text</title>"
        "<meta name=description content='meta text'>"
        "<style>p { color: red } /* style text */</style>"
        "<script>document.write('head script')</script></head>"
        "<body><!-- comment text --><p>Visible</p>"
        "<script>var s = 'body script';</script><style>.x{}</style>"
        "<template><p>template text</p></template>"
        "<noscript>noscript text</noscript>"
        "<input type=hidden name=x value='hidden input'></body></html>";
    CHECK(html_to_visible(html).text == "Visible");
}

TEST_CASE("hidden elements contribute no text", "[html]")
{
    CHECK(html_to_visible("<p>a</p><div hidden>b</div><p>c</p>").text == "a\nc");
    CHECK(html_to_visible("<p>a</p><div style='display:none'>b</div><p>c</p>").text == "a\nc");
    CHECK(html_to_visible("<p>a<span style='DISPLAY : None !important'>b</span>c</p>").text == "ac");
    CHECK(html_to_visible("<p>a <span style='color:red; visibility: hidden'>b</span> c</p>").text ==
          "a c");
}

TEST_CASE("CSS lets a descendant of a visibility:hidden element be seen again", "[html]")
{
    CHECK(html_to_visible("<div style='visibility:hidden'>gone <b style='visibility:visible'>shown"
                          "</b></div>")
              .text == "shown");
    // An inline display other than none overrides the hidden attribute.
    CHECK(html_to_visible("<div hidden style='display:block'>shown</div>").text == "shown");
    // A later declaration wins.
    CHECK(html_to_visible("<div style='display:none; display:block'>shown</div>").text == "shown");
}

TEST_CASE("block elements are separated by one line break, inline ones are not", "[html]")
{
    CHECK(html_to_visible("<div>one</div><div>two</div>").text == "one\ntwo");
    CHECK(html_to_visible("<h1>Title</h1><p>Body <em>text</em></p><ul><li>a</li><li>b</li></ul>")
              .text == "Title\nBody text\na\nb");
    CHECK(html_to_visible("<table><tr><th>k</th><td>v</td></tr><tr><td>w</td></tr></table>").text ==
          "k\nv\nw");
    CHECK(html_to_visible("before<hr>after").text == "before\nafter");
    CHECK(html_to_visible("<blockquote>q</blockquote>tail").text == "q\ntail");
}

TEST_CASE("<br> is a line break", "[html]")
{
    CHECK(html_to_visible("<p>line one<br>line two<br/>line three</p>").text ==
          "line one\nline two\nline three");
}

TEST_CASE("empty blocks and repeated breaks give no blank lines", "[html]")
{
    CHECK(html_to_visible("<p>a</p><p></p><p> &nbsp; </p><div><div></div></div><br><br><br><p>b</p>")
              .text == "a\nb");
    CHECK(html_to_visible("a<br><br>b").text == "a\nb");
    // The whole text is trimmed.
    CHECK(html_to_visible("  <br><p>  x  </p><br>  ").text == "x");
}

TEST_CASE("an empty document has no text and no links", "[html]")
{
    for (const char* html : {"", "   \n ", "<html></html>", "<!-- only a comment -->",
                             "<html><head><title>t</title></head><body></body></html>"}) {
        INFO(html);
        const auto visible = html_to_visible(html);
        CHECK(visible.text.empty());
        CHECK(visible.links.empty());
    }
}

TEST_CASE("unclosed and misnested tags still give their text", "[html]")
{
    CHECK(html_to_visible("<p>Hello <b>world").text == "Hello world");
    CHECK(html_to_visible("<div><p>one<p>two</div>three").text == "one\ntwo\nthree");
    CHECK(html_to_visible("<b><i>bold italic</b> italic?</i>").text == "bold italic italic?");
    const auto visible = html_to_visible("<p><a href='https://x.example/'>unclosed");
    REQUIRE(visible.links.size() == 1);
    CHECK(visible.links[0].text == "unclosed");
}

TEST_CASE("invalid UTF-8 becomes U+FFFD and NUL bytes vanish in HTML", "[html]")
{
    const std::string html = "<p>a\xFF" "b\0c</p>"s;
    REQUIRE(html.size() == 12);
    CHECK(html_to_visible(html).text == "a" + replacement + "bc");
    const std::string in_attribute = "<a href='https://x.example/\xFF'>\0link</a>"s;
    REQUIRE(in_attribute.size() == 39);
    const auto visible = html_to_visible(in_attribute);
    REQUIRE(visible.links.size() == 1);
    CHECK(visible.links[0].url == "https://x.example/" + replacement);
    CHECK(visible.links[0].text == "link");
}

TEST_CASE("huge attribute values and huge text are handled", "[html]")
{
    const std::string big(1 << 20, 'x');
    const std::string html = "<p title='" + big + "' style='" + repeat("color:red;", 50000) +
                             "'>text <a href='https://x.example/" + big + "'></a></p>";
    const auto visible = html_to_visible(html);
    CHECK(visible.text == "text");
    REQUIRE(visible.links.size() == 1);
    CHECK(visible.links[0].url == "https://x.example/" + big);
    CHECK(visible.links[0].text.empty());
}

TEST_CASE("HTML beyond 4 MiB is not read", "[html]")
{
    const std::string filler = repeat("word ", (4u << 20) / 5);  // just under 4 MiB
    const auto visible = html_to_visible("<p>" + filler + "</p><p>LATE</p>");
    CHECK(visible.text.find("word word") != std::string::npos);
    CHECK(visible.text.find("LATE") == std::string::npos);
}

TEST_CASE("100,000 nested elements neither crash nor overflow the stack", "[html]")
{
    SECTION("spans: the text at the bottom is found")
    {
        const auto visible = html_to_visible(repeat("<span>", 100000) + "deep");
        CHECK(visible.text == "deep");
    }
    SECTION("table cells, three elements a level: the link at the bottom is found")
    {
        const auto visible = html_to_visible(repeat("<table><tr><td>", 100000) +
                                             "<a href='https://deep.example/'>deep</a>");
        CHECK(visible.text == "deep");
        CHECK(urls(visible) == std::vector<std::string>{"https://deep.example/"});
    }
    SECTION("divs: past the depth cap each element closes the innermost, the text is read")
    {
        const auto visible = html_to_visible(repeat("<div>", 100000) + "deep" + repeat("</div>", 100000));
        CHECK(visible.complete);
        CHECK(visible.text == "deep");
    }
    SECTION("a hidden element at the bottom of a deep nest still hides its content")
    {
        const auto visible = html_to_visible(repeat("<span>", 100) + "<div hidden>gone</div>shown");
        CHECK(visible.text == "shown");
    }
}

TEST_CASE("a million paragraphs are read in full", "[html]")
{
    const auto visible = html_to_visible(repeat("<p>x", 1000000));
    CHECK(visible.complete);
    CHECK(visible.text.size() == 2 * 1000000 - 1);  // "x\nx\n...x"
}

TEST_CASE("end tags that can close nothing cost bounded work, then the part is given up", "[html]")
{
    // Each </b> searches 600 open spans before the cell stops it: past the
    // work budget the part is reported incomplete, with no text and links.
    const auto visible = html_to_visible("<b><table><tr><td><a href='https://x/'>x</a>" + repeat("<span>", 600) +
                                         repeat("</b>", 200000));
    CHECK_FALSE(visible.complete);
    CHECK(visible.text.empty());
    CHECK(visible.links.empty());
    // The same end tags with nothing to search are cheap and read in full.
    const auto cheap = html_to_visible("<p>text</p>" + repeat("</b>", 200000));
    CHECK(cheap.complete);
    CHECK(cheap.text == "text");
}

TEST_CASE("elements end where browsers end them, so hidden content ends there too", "[html]")
{
    // A paragraph ends at the next block, a list item at the next item, a
    // cell at the next cell: a display: none on the first hides only it.
    CHECK(html_to_visible("<p style='display:none'>hidden<p>shown").text == "shown");
    CHECK(html_to_visible("<ul><li style='display:none'>hidden<li>shown</ul>").text == "shown");
    CHECK(html_to_visible("<table><tr><td style='display:none'>hidden<td>shown</table>").text == "shown");
    CHECK(html_to_visible("<dl><dt hidden>hidden<dd>shown</dl>").text == "shown");
    // An end tag cannot reach out of a table cell to close what is around
    // the table: the hidden <div> still holds the cell's text.
    CHECK(html_to_visible("<div style='display:none'><table><tr><td>x</div>y</td></tr></table></div>z").text ==
          "z");
    // Inline end tags close across the blocks inside them.
    CHECK(html_to_visible("<span style='display:none'><b>hidden</span> shown</b>").text == "shown");
}

TEST_CASE("an unclosed <head> ends where the body's content begins", "[html]")
{
    CHECK(html_to_visible("<html><head><title>t</title><meta charset=utf-8><p>body text").text == "body text");
    CHECK(html_to_visible("<head><style>p{}</style>Text after the style").text == "Text after the style");
}

TEST_CASE("cells and rows outside any table are ignored", "[html]")
{
    CHECK(html_to_visible("<p>a<td>b</td>c</p>").text == "abc");
    CHECK(html_to_visible("<span style='visibility:hidden'>a<tr><td>b</td></tr></span>c").text == "c");
}

TEST_CASE("a <select> holds only its options", "[html]")
{
    CHECK(html_to_visible("<select><option>One<div>Two</div></select>after").text == "OneTwoafter");
}

TEST_CASE("SVG and MathML elements are inline; HTML blocks inside end them", "[html]")
{
    CHECK(html_to_visible("<svg><text>Label</text></svg>after").text == "Labelafter");
    CHECK(html_to_visible("<svg><g><p>para</p></g>after").text == "para\nafter");
    CHECK(html_to_visible("<svg><rect/><text>a</text></svg>b").text == "ab");
}

TEST_CASE("script and style text ends only at their own end tag", "[html]")
{
    CHECK(html_to_visible("<script>if (a</b) x = '</scripty>';</script>shown").text == "shown");
    CHECK(html_to_visible("<style>a::after{content:'</p>'}</STYLE >shown").text == "shown");
    CHECK(html_to_visible("<title>a <b>title</b></title>shown").text == "shown");
    // An unclosed script swallows the rest, as in a browser.
    CHECK(html_to_visible("<p>before</p><script>var s = 1; <p>never shown</p>").text == "before");
}

TEST_CASE("comments end as the HTML standard ends them", "[html]")
{
    CHECK(html_to_visible("<!-->a").text == "a");
    CHECK(html_to_visible("<!--->b").text == "b");
    CHECK(html_to_visible("<!-- x -- y --!>c").text == "c");
    CHECK(html_to_visible("<!-- unclosed <p>text").text.empty());
    CHECK(html_to_visible("<!DOCTYPE html><?xml version='1.0'?>d").text == "d");
    // A '<' that starts no markup is text.
    CHECK(html_to_visible("a < b, c <3 d</>e").text == "a < b, c <3 de");
}

TEST_CASE("character references are decoded as the HTML standard decodes them", "[html]")
{
    // Legacy names work without ';' in text, longest match first.
    CHECK(html_to_visible("<p>&copy 2026 &notit; &ampx &AMP;</p>").text == "\xC2\xA9 2026 \xC2\xACit; &x &");
    // Numeric references: C1 values read as Windows-1252, NUL and
    // out-of-range values replaced.
    CHECK(html_to_visible("<p>&#150;&#x80;&#0;&#x110000;&#65</p>").text ==
          "\xE2\x80\x93\xE2\x82\xAC" + replacement + replacement + "A");
    // Unknown names and bare '&' stay as written.
    CHECK(html_to_visible("<p>&unknown; & &#; &#x;</p>").text == "&unknown; & &#; &#x;");
    // In an attribute, a legacy name followed by '=' or a letter is not a
    // reference: query strings keep their parameters.
    const auto visible = html_to_visible("<a href='https://x/?a=1&copy=2&notit=3&amp;b=4&lt;'>x</a>");
    REQUIRE(visible.links.size() == 1);
    CHECK(visible.links[0].url == "https://x/?a=1&copy=2&notit=3&b=4<");
}

TEST_CASE("a new anchor ends the one still open", "[html]")
{
    const auto visible = html_to_visible("<p><a href='https://one/'>one <a href='https://two/'>two</a> three</a></p>");
    REQUIRE(visible.links.size() == 2);
    CHECK(visible.links[0].text == "one");
    CHECK(visible.links[1].text == "two");
    CHECK(visible.text == "one two three");
}

// --- Links ------------------------------------------------------------------

TEST_CASE("http, https and mailto links are returned with text and context", "[html]")
{
    const auto visible = html_to_visible(
        "<p>Write to <a href='MAILTO:contact@example.com'>us</a> or visit "
        "<a href='http://example.com/'>our site</a> or <a href='HTTPS://secure.example.com/'>"
        "this one</a>.</p>");
    REQUIRE(visible.links.size() == 3);
    CHECK(visible.links[0].url == "MAILTO:contact@example.com");
    CHECK(visible.links[0].text == "us");
    CHECK(visible.links[1].url == "http://example.com/");
    CHECK(visible.links[1].text == "our site");
    CHECK(visible.links[2].url == "HTTPS://secure.example.com/");
    CHECK(visible.links[2].text == "this one");
    for (const auto& link : visible.links)
        CHECK(link.context == "Write to us or visit our site or this one.");
}

TEST_CASE("javascript:, data:, other schemes and relative hrefs are not links", "[html]")
{
    const auto visible = html_to_visible(
        "<a href='javascript:alert(1)'>a</a><a href=' JavaScript:void(0)'>b</a>"
        "<a href='data:text/html,hi'>c</a><a href='/unsubscribe'>d</a>"
        "<a href='unsubscribe.html'>e</a><a href='ftp://x.example/'>f</a>"
        "<a href='#top'>g</a><a>h</a><a href=''>i</a><a href='//x.example/'>j</a>");
    CHECK(visible.links.empty());
    CHECK(visible.text == "abcdefghij");
}

TEST_CASE("an href's surrounding white space and entities are dealt with", "[html]")
{
    const auto visible =
        html_to_visible("<a href='\n  https://x.example/u?a=1&amp;b=2  \t'>Stop</a>");
    CHECK(urls(visible) == std::vector<std::string>{"https://x.example/u?a=1&b=2"});
}

TEST_CASE("an unsubscribe footer's link has its paragraph as context", "[html]")
{
    const auto visible = html_to_visible(
        "<div><p>Offer text.</p><p>To stop receiving our emails, "
        "<a href=\"https://x/u/1\">click here</a>.</p></div>");
    REQUIRE(visible.links.size() == 1);
    CHECK(visible.links[0].url == "https://x/u/1");
    CHECK(visible.links[0].text == "click here");
    CHECK(visible.links[0].context == "To stop receiving our emails, click here.");
}

TEST_CASE("a link in a table cell has the cell as context", "[html]")
{
    const auto visible = html_to_visible(
        "<table><tr><td>Exemple Prospection SAS</td>"
        "<td><span>Se d&eacute;sinscrire&nbsp;:</span>\n <a href='https://x/u'>ici</a></td></tr>"
        "</table>");
    REQUIRE(visible.links.size() == 1);
    CHECK(visible.links[0].text == "ici");
    CHECK(visible.links[0].context == "Se d" + e_acute + "sinscrire : ici");
}

TEST_CASE("a link's context is its nearest block, nested blocks on one line", "[html]")
{
    const auto visible = html_to_visible(
        "<div>Intro <a href='https://a/'>A</a><p>inner <a href='https://b/'>B</a></p>"
        "outro<br>more</div>");
    REQUIRE(visible.links.size() == 2);
    CHECK(visible.links[0].context == "Intro A inner B outro more");
    CHECK(visible.links[1].context == "inner B");
}

TEST_CASE("an image link's text is the image's alt, else the title", "[html]")
{
    const auto visible = html_to_visible(
        "<a href='https://a/'><img src='logo.png' alt=' Se  désabonner '></a>"
        "<a href='https://b/' title='Unsubscribe'><img src='x.png'></a>"
        "<a href='https://c/'><img src='x.png' alt=''><img src='y.png' alt='second'></a>"
        "<a href='https://d/' title='title'>own text <img alt='alt'></a>"
        "<a href='https://e/'><img style='display:none' alt='hidden alt'></a>"
        "<map><area href='https://f/' alt='area alt'></map>");
    REQUIRE(visible.links.size() == 6);
    CHECK(visible.links[0].text == "Se désabonner");
    CHECK(visible.links[1].text == "Unsubscribe");
    CHECK(visible.links[2].text == "second");
    CHECK(visible.links[3].text == "own text");
    CHECK(visible.links[4].text.empty());
    CHECK(visible.links[5].url == "https://f/");
    CHECK(visible.links[5].text == "area alt");
}

TEST_CASE("links that cannot be seen are not returned", "[html]")
{
    const std::string visible_link = "<p>Shown <a href='https://shown.example/'>here</a></p>";
    const char* hidden[] = {
        "<!-- <a href='https://hidden.example/'>unsubscribe</a> -->",
        "<script>document.write(\"<a href='https://hidden.example/'>unsubscribe</a>\")</script>",
        "<style>/* <a href='https://hidden.example/'>unsubscribe</a> */</style>",
        "<div hidden><a href='https://hidden.example/'>unsubscribe</a></div>",
        "<div style='display:none'><p><a href='https://hidden.example/'>unsubscribe</a></p></div>",
        "<div style='display: none'><a href='https://hidden.example/'>unsubscribe</a></div>",
        "<a style='display:none' href='https://hidden.example/'>unsubscribe</a>",
        "<span style='visibility:hidden'><a href='https://hidden.example/'>unsubscribe</a></span>",
        "<noscript><a href='https://hidden.example/'>unsubscribe</a></noscript>",
        "<template><a href='https://hidden.example/'>unsubscribe</a></template>",
        "<iframe><a href='https://hidden.example/'>unsubscribe</a></iframe>",
        "<object><a href='https://hidden.example/'>unsubscribe</a></object>",
    };
    for (const char* html : hidden) {
        INFO(html);
        // After some body content, so that each case is read in the body.
        const auto visible = html_to_visible(visible_link + html);
        CHECK(urls(visible) == std::vector<std::string>{"https://shown.example/"});
        CHECK(visible.text == "Shown here");
    }
    // Markup inside <title> is title text, not an anchor.
    const auto in_head =
        html_to_visible("<html><head><title><a href='https://hidden.example/'>x</a></title></head>"
                        "<body>" + visible_link + "</body></html>");
    CHECK(urls(in_head) == std::vector<std::string>{"https://shown.example/"});
}

TEST_CASE("links come in document order", "[html]")
{
    const auto visible = html_to_visible(
        "<table><tr><td><a href='https://1/'>1</a></td><td><p><a href='https://2/'>2</a></p>"
        "<a href='https://3/'>3</a></td></tr></table><a href='mailto:4@x'>4</a>");
    CHECK(urls(visible) == std::vector<std::string>{"https://1/", "https://2/", "https://3/", "mailto:4@x"});
}

TEST_CASE("at most 1000 links are returned", "[html]")
{
    const auto visible = html_to_visible(repeat("<a href='https://x.example/'>x</a> ", 1500));
    CHECK(visible.links.size() == 1000);
}

TEST_CASE("the context of a link in a very long block is a window around it", "[html]")
{
    const std::string words = repeat("lorem ipsum ", 1000);  // 12,000 bytes
    const auto visible =
        html_to_visible("<p>" + words + "To stop, <a href='https://x/u'>click here</a>. " + words + "</p>");
    REQUIRE(visible.links.size() == 1);
    const auto& context = visible.links[0].context;
    CHECK(context.size() <= 2048);
    CHECK(context.size() > 1000);
    CHECK(context.find("To stop, click here.") != std::string::npos);
    // Cut between words, not inside one.
    CHECK((context.rfind("lorem", 0) == 0 || context.rfind("ipsum", 0) == 0));
    CHECK((context.ends_with("lorem") || context.ends_with("ipsum")));
}

// --- Plain text -------------------------------------------------------------

TEST_CASE("plain text paragraphs are collapsed to one line each", "[html]")
{
    const auto visible = plain_to_visible(
        "\r\n  Hello   Jane,\r\n\r\nWe are Exemple\r\n   Prospection\tSAS.\r\n \t \r\n\r\n\n"
        "Regards\n");
    CHECK(visible.text == "Hello Jane,\nWe are Exemple Prospection SAS.\nRegards");
    CHECK(visible.links.empty());
}

TEST_CASE("plain text URLs are found with their paragraph as context", "[html]")
{
    const auto visible = plain_to_visible(
        "Our offer: https://example.com/offer?id=1&x=2 is valid.\n\n"
        "To stop receiving our emails,\nvisit HTTPS://example.com/u/1.\n\n"
        "Or write to mailto:stop@example.com!");
    REQUIRE(visible.links.size() == 3);
    CHECK(visible.links[0].url == "https://example.com/offer?id=1&x=2");
    CHECK(visible.links[0].text == "https://example.com/offer?id=1&x=2");
    CHECK(visible.links[0].context == "Our offer: https://example.com/offer?id=1&x=2 is valid.");
    CHECK(visible.links[1].url == "HTTPS://example.com/u/1");
    CHECK(visible.links[1].context == "To stop receiving our emails, visit HTTPS://example.com/u/1.");
    CHECK(visible.links[2].url == "mailto:stop@example.com");
    CHECK(visible.links[2].context == "Or write to mailto:stop@example.com!");
}

TEST_CASE("plain text URLs lose trailing punctuation and stop at delimiters", "[html]")
{
    const auto visible = plain_to_visible(
        "a http://a.example/x. b http://b.example/y?!, c (see http://c.example/z) "
        "d [http://d.example/] e \"http://e.example/\" f 'http://f.example/' "
        "g http://g.example/w>h i http://i.example/wiki/Foo_(bar): "
        "j \xE2\x80\x9Chttp://j.example/\xE2\x80\x9D k http://k.example/p;q=1;");
    CHECK(urls(visible) == std::vector<std::string>{
                               "http://a.example/x", "http://b.example/y", "http://c.example/z",
                               "http://d.example/", "http://e.example/", "http://f.example/",
                               "http://g.example/w", "http://i.example/wiki/Foo_(bar)",
                               "http://j.example/", "http://k.example/p;q=1"});
}

TEST_CASE("plain text URLs in angle brackets", "[html]")
{
    const auto visible =
        plain_to_visible("Unsubscribe: <https://example.com/u?id=9>.\nOr <mailto:u@example.com>.");
    CHECK(urls(visible) ==
          std::vector<std::string>{"https://example.com/u?id=9", "mailto:u@example.com"});
    // Delimited by the brackets, a final dot is part of the URL.
    CHECK(urls(plain_to_visible("<https://example.com/a.>")) ==
          std::vector<std::string>{"https://example.com/a."});
}

TEST_CASE("plain text: what is not a URL", "[html]")
{
    const auto visible = plain_to_visible(
        "ftp://x.example/ www.example.com javascript:alert(1) nothttps://x.example/ "
        "https:// mailto: user@example.com");
    CHECK(visible.links.empty());
}

TEST_CASE("invalid UTF-8 becomes U+FFFD and NUL bytes vanish in plain text", "[html]")
{
    const std::string text = "a\xFF" "b\0c \xE2\x82\n\nhttps://x.example/\xC3"s;
    REQUIRE(text.size() == 29);
    const auto visible = plain_to_visible(text);
    CHECK(visible.text == "a" + replacement + "bc " + replacement + "\nhttps://x.example/" + replacement);
    CHECK(urls(visible) == std::vector<std::string>{"https://x.example/" + replacement});
    // A surrogate encoded in UTF-8 is three ill-formed bytes.
    CHECK(plain_to_visible("x\xED\xA0\x80y").text == "x" + repeat(replacement, 3) + "y");
}

TEST_CASE("an empty plain text has no text and no links", "[html]")
{
    for (const char* text : {"", "\n\n", " \r\n\t "}) {
        const auto visible = plain_to_visible(text);
        CHECK(visible.text.empty());
        CHECK(visible.links.empty());
    }
}

TEST_CASE("plain text beyond 4 MiB is not read, and links stop at 1000", "[html]")
{
    const auto visible = plain_to_visible(repeat("https://x.example/ ", (4u << 20) / 19 + 1) + "LATE");
    CHECK(visible.links.size() == 1000);
    CHECK(visible.text.find("LATE") == std::string::npos);
    CHECK(visible.text.size() <= (4u << 20));
}
