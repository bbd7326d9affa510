#include "usage.h"

namespace ctl {

void print_usage(std::FILE* out)
{
    std::fprintf(
        out,
        "usage: prospectctl check [-c POLICY] [--sender ADDR] [--rcpt ADDR]... [--campaign ID] [--json] FILE.eml|-\n"
        "       prospectctl suppress add [-c POLICY] [--store DIR] [--campaign ID] [--note TEXT]\n"
        "              [--source cli|import|bounce|mailto|one-click] ADDR|@DOMAIN|HASH...\n"
        "       prospectctl suppress remove|check [-c POLICY] [--store DIR] ADDR|@DOMAIN|HASH...\n"
        "       prospectctl suppress import [-c POLICY] [--store DIR] [--hashes] [--column NAME]\n"
        "              [--source SOURCE] [--campaign ID] [--note TEXT] [--strict] [--batch N] FILE|-\n"
        "       prospectctl suppress export [-c POLICY] [--store DIR] [-o FILE]\n"
        "       prospectctl suppress count [-c POLICY] [--store DIR]\n"
        "       prospectctl consent add [-c POLICY] [--store DIR] --source TEXT [--proof TEXT]\n"
        "              [--date YYYY-MM-DD] ADDR|HASH...\n"
        "       prospectctl consent remove|check [-c POLICY] [--store DIR] ADDR|HASH...\n"
        "       prospectctl consent import [-c POLICY] [--store DIR] [--hashes] [--column NAME]\n"
        "              [--proof-column NAME] [--source TEXT] [--proof TEXT] [--date YYYY-MM-DD]\n"
        "              [--strict] [--batch N] FILE|-\n"
        "       prospectctl consent export [-c POLICY] [--store DIR] [-o FILE]\n"
        "       prospectctl consent count [-c POLICY] [--store DIR]\n"
        "       prospectctl subject show [-c POLICY] [--store DIR] ADDR\n"
        "       prospectctl subject erase [-c POLICY] [--store DIR] [--including-suppression [--confirm ADDR]] ADDR\n"
        "       prospectctl purge [-c POLICY] [--store DIR] [--dry-run] [--now YYYY-MM-DD]\n"
        "       prospectctl token make [-c POLICY] --rcpt ADDR --campaign ID [--key ID] [--date YYYY-MM-DD]\n"
        "       prospectctl token verify [-c POLICY] [--rcpt ADDR] TOKEN\n"
        "       prospectctl register [-c POLICY] [--format md|html] [-o FILE]\n"
        "       prospectctl --version\n"
        "\n"
        "check     judge a message (a template before a campaign) as the milter would, with the\n"
        "          evidence per rule. Exit: 0 passes, 1 would be tagged or quarantined,\n"
        "          2 would be rejected, 64 usage, 66 unreadable message, 78 bad policy.\n"
        "suppress  the objections the milter honours: addresses, or whole @domains.\n"
        "consent   the prior consents the consent rule asks for.\n"
        "          Exit: 0 done, 1 (check) an argument is suppressed / lacks consent, 64 usage,\n"
        "          65 an argument or input line is not valid, 66 unreadable input, 73 cannot\n"
        "          create the export file, 74 store error, 78 bad policy.\n"
        "          Run them as the service user: sudo -u prospect-milter prospectctl ...\n"
        "subject   what the store holds about one person (show), and its erasure (erase: consent and\n"
        "          contact history; the objection is kept unless --including-suppression is confirmed).\n"
        "          Both are logged. Exit: 0 done, 64 usage or not confirmed, 65 not an address, 74, 78.\n"
        "purge     delete contact histories past their campaign's retention and consents past\n"
        "          consent.validity_days (--dry-run: only say what would go). Exit: 0, 64, 74, 78.\n"
        "token     make the unsubscribe token the milter would put in List-Unsubscribe, or check\n"
        "          one (signature, key, issue date, campaign; with --rcpt, whom it names).\n"
        "          Exit: 0 made / valid, 1 not valid (or names someone else), 64 usage, 78 bad policy.\n"
        "register  the GDPR art. 30 record of processing activities, from the policy, for the DPO:\n"
        "          Markdown (default) or printable HTML (--format html, or -o FILE.html).\n"
        "          Exit: 0 written, 64 usage, 73 cannot create FILE, 74 cannot write it, 78 bad policy.\n");
}

}  // namespace ctl
