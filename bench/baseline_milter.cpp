// baseline_milter.cpp — the thinnest libmilter milter: every callback
// registered, each answering "continue", one header added at the end of
// the message. What it costs is the price of the milter architecture
// itself (libmilter's threads, the protocol's round trips); the benchmarks
// quote prospect-milter as a ratio of it, measured in the same run.
//
//   baseline-milter unix:/path/to.sock | inet:PORT@127.0.0.1
//
// Runs until SIGTERM or SIGINT (libmilter's own signal handling).
#include <libmilter/mfapi.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace {

sfsistat keep_going(SMFICTX*) { return SMFIS_CONTINUE; }
sfsistat on_connect(SMFICTX*, char*, _SOCK_ADDR*) { return SMFIS_CONTINUE; }
sfsistat on_helo(SMFICTX*, char*) { return SMFIS_CONTINUE; }
sfsistat on_envelope(SMFICTX*, char**) { return SMFIS_CONTINUE; }
sfsistat on_header(SMFICTX*, char*, char*) { return SMFIS_CONTINUE; }
sfsistat on_body(SMFICTX*, unsigned char*, size_t) { return SMFIS_CONTINUE; }
sfsistat on_unknown(SMFICTX*, const char*) { return SMFIS_CONTINUE; }

sfsistat on_end_of_message(SMFICTX* ctx)
{
    smfi_addheader(ctx, const_cast<char*>("X-Baseline"), const_cast<char*>("seen"));
    return SMFIS_CONTINUE;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: baseline-milter unix:/path | inet:PORT@127.0.0.1\n");
        return 64;
    }
    const std::string socket = argv[1];
    if (socket.rfind("unix:", 0) == 0)
        unlink(socket.c_str() + 5);
    smfiDesc description{};
    description.xxfi_name = const_cast<char*>("baseline");
    description.xxfi_version = SMFI_VERSION;
    description.xxfi_flags = SMFIF_ADDHDRS;
    description.xxfi_connect = on_connect;
    description.xxfi_helo = on_helo;
    description.xxfi_envfrom = on_envelope;
    description.xxfi_envrcpt = on_envelope;
    description.xxfi_header = on_header;
    description.xxfi_eoh = keep_going;
    description.xxfi_body = on_body;
    description.xxfi_eom = on_end_of_message;
    description.xxfi_abort = keep_going;
    description.xxfi_close = keep_going;
    description.xxfi_unknown = on_unknown;
    description.xxfi_data = keep_going;
    // Postfix (user postfix) must reach a socket made by root.
    umask(0);
    if (smfi_setconn(argv[1]) != MI_SUCCESS || smfi_register(description) != MI_SUCCESS) {
        std::fprintf(stderr, "baseline-milter: libmilter refused %s\n", argv[1]);
        return 69;
    }
    return smfi_main() == MI_SUCCESS ? 0 : 70;
}
