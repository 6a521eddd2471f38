// tiezheng: one binary, many subcommands.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "cli.h"
#include "safe_output.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**, int);
  const char* help;
};

const Command kCommands[] = {
    {"hash", tz::cli::CmdHash, "计算文件摘要 / hash files (sha256sum-compatible)"},
    {"keygen", tz::cli::CmdKeygen, "生成签名密钥 / generate a signing key"},
    {"log", tz::cli::CmdLog, "RFC 6962 日志：构建、证明、验证 / build, prove, verify a log"},
    {"archive", tz::cli::CmdArchive, "内容寻址档案存储 / content-addressed blob store"},
    {"audit", tz::cli::CmdAudit, "从创世块重新验证账本 / re-verify a ledger from genesis"},
    {"ledger", tz::cli::CmdLedger, "本地账本工具 / local ledger tools (init, append, show)"},
    {"init", tz::cli::CmdInit, "初始化单节点联盟 / initialise a one-node consortium"},
    {"node", tz::cli::CmdNode, "运行节点 / run a node (HTTP API and portal)"},
    {"notarize", tz::cli::CmdNotarize, "存证：上传并登记文件 / notarize a file"},
    {"verify", tz::cli::CmdVerify, "验证文件是否已存证 / verify a file against the ledger"},
    {"house", tz::cli::CmdHouse, "一房一档 / show a house's archive"},
    {"acceptance", tz::cli::CmdAcceptance, "联合验收签署 / joint acceptance sign-off"},
    {"key", tz::cli::CmdKey, "客户端密钥管理 / client key management"},
    {"evidence", tz::cli::CmdEvidence, "证据包导出与离线核验 / evidence packages"},
};

void Usage(FILE* out) {
  std::fprintf(
      out,
      "铁证 Tiezheng — 公共住房移交存证账本 / evidence ledger for public housing handover\n\n"
      "Usage: tiezheng <command> [options]\n\nCommands:\n");
  for (const auto& c : kCommands) std::fprintf(out, "  %-11s %s\n", c.name, c.help);
  std::fprintf(out,
               "\nRun `tiezheng <command> --help` for a command's options.\n"
               "Exit codes: 0 ok/verified, 1 not verified, 2 usage, 3 bad input, 4 failure.\n");
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything is printed: text from entries, servers and file names
  // reaches the terminal escaped (safe_output.h).
  tz::cli::InstallSafeOutput();
  if (argc < 2) {
    Usage(stderr);
    return tz::cli::kExitUsage;
  }
  std::string_view cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    Usage(stdout);
    return tz::cli::kExitOk;
  }
  if (cmd == "--version") {
    std::printf("tiezheng 0.1.0\n");
    return tz::cli::kExitOk;
  }
  for (const auto& c : kCommands) {
    if (cmd == c.name) return c.run(argc, argv, 2);
  }
  std::fprintf(stderr, "error: unknown command '%s'\n\n", argv[1]);
  Usage(stderr);
  return tz::cli::kExitUsage;
}
