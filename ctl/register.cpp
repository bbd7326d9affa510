#include "register.h"

#include <getopt.h>
#include <sysexits.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "load_policy.h"
#include "register_document.h"
#include "register_render.h"
#include "usage.h"
#include "policy/config.h"

namespace ctl {

namespace {

enum class Format { markdown, html };

struct RegisterLine {
    std::string policy_path = policy::default_policy_path;
    std::optional<Format> format;
    std::string output;  // empty or "-": standard output
};

int usage_error(const std::string& message)
{
    std::fprintf(stderr, "prospectctl register: %s\n", message.c_str());
    print_usage(stderr);
    return EX_USAGE;
}

std::optional<Format> parse_format(std::string_view name)
{
    if (name == "md" || name == "markdown")
        return Format::markdown;
    if (name == "html")
        return Format::html;
    return std::nullopt;
}

// `-o register.html` alone should not give Markdown in a file a browser
// opens as HTML.
Format format_of(const RegisterLine& line)
{
    if (line.format)
        return *line.format;
    const auto extension = std::filesystem::path(line.output).extension();
    return extension == ".html" || extension == ".htm" ? Format::html : Format::markdown;
}

// The record may be read far from where prospectctl ran: name the policy
// by a path that means the same anywhere on this machine.
std::string shown_path(const std::string& path)
{
    std::error_code error;
    const auto absolute = std::filesystem::absolute(path, error);
    return error ? path : absolute.lexically_normal().string();
}

int write_to_stdout(const std::string& document)
{
    if (std::fwrite(document.data(), 1, document.size(), stdout) == document.size() && std::fflush(stdout) == 0)
        return EX_OK;
    std::fprintf(stderr, "prospectctl register: cannot write standard output: %s\n", std::strerror(errno));
    return EX_IOERR;
}

int write_document(const std::string& document, const std::string& output)
{
    if (output.empty() || output == "-")
        return write_to_stdout(document);
    std::FILE* file = std::fopen(output.c_str(), "w");
    if (file == nullptr) {
        std::fprintf(stderr, "prospectctl register: cannot create %s: %s\n", output.c_str(), std::strerror(errno));
        return EX_CANTCREAT;
    }
    const bool written = std::fwrite(document.data(), 1, document.size(), file) == document.size();
    const int error = written ? 0 : errno;
    if (std::fclose(file) != 0 || !written) {
        std::fprintf(stderr, "prospectctl register: cannot write %s: %s\n", output.c_str(),
                     std::strerror(error != 0 ? error : errno));
        return EX_IOERR;
    }
    return EX_OK;
}

int write_register(const RegisterLine& line)
{
    const auto loaded = load_policy_or_report(line.policy_path);
    if (!loaded)
        return EX_CONFIG;
    const RecordSource source{shown_path(line.policy_path), static_cast<std::int64_t>(std::time(nullptr))};
    const auto record = build_record(*loaded, source);
    const auto document = format_of(line) == Format::html ? render_html(record) : render_markdown(record);
    return write_document(document, line.output);
}

}  // namespace

int register_command(int argc, char** argv)
{
    RegisterLine line;
    static const option long_options[] = {
        {"config", required_argument, nullptr, 'c'}, {"format", required_argument, nullptr, 'f'},
        {"output", required_argument, nullptr, 'o'}, {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0}};
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "c:o:h", long_options, nullptr)) != -1) {
        switch (option) {
        case 'c': line.policy_path = optarg; break;
        case 'f':
            line.format = parse_format(optarg);
            if (!line.format)
                return usage_error(std::string("--format ") + optarg + ": md or html");
            break;
        case 'o': line.output = optarg; break;
        case 'h': print_usage(stdout); return EX_OK;
        default: print_usage(stderr); return EX_USAGE;
        }
    }
    if (optind != argc)
        return usage_error("register takes no arguments besides its options");
    return write_register(line);
}

}  // namespace ctl
