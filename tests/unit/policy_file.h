// policy_file.h — writes a policy text to a temporary file for load_policy().
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "policy/config.h"

namespace test {

// The data files of this source tree (the installed ones are the defaults),
// on one line.
#define PROSPECT_TEST_DATA_FILES                                                                      \
    "content: { keywords = \"" PROSPECT_SOURCE_DIR "/conf/keywords.conf\"; }; "                       \
    "consent: { consumer_domains = \"" PROSPECT_SOURCE_DIR "/conf/consumer-domains.conf\"; "          \
    "countries = \"" PROSPECT_SOURCE_DIR "/conf/countries.conf\"; };"

// The smallest valid policy; tests append or override what they exercise.
inline const std::string keywords_line = PROSPECT_TEST_DATA_FILES "\n";

// (Four lines: the line numbers the config tests expect depend on it.)
inline const std::string minimal_policy = R"(organisation: {
  name = "Exemple SAS";
  domains = [ "example.com" ];
}; )" PROSPECT_TEST_DATA_FILES "\n";

class PolicyFile {
public:
    explicit PolicyFile(const std::string& text)
    {
        char name[] = "/tmp/prospect-policy-XXXXXX";
        const int fd = mkstemp(name);
        if (fd < 0)
            std::abort();
        m_path = name;
        if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
            std::abort();
        close(fd);
    }
    ~PolicyFile() { unlink(m_path.c_str()); }
    PolicyFile(const PolicyFile&) = delete;
    PolicyFile& operator=(const PolicyFile&) = delete;

    const std::string& path() const { return m_path; }
    policy::LoadResult load() const { return policy::load_policy(m_path); }

private:
    std::string m_path;
};

}  // namespace test
