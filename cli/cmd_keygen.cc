// tiezheng keygen: create a named signing key (Ed25519 or SM2).
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli.h"
#include "crypto/encoding.h"
#include "crypto/keyfile.h"

namespace tz::cli {
namespace {

constexpr char kUsage[] =
    "Usage: tiezheng keygen --name NAME [--algo ed25519|sm2] -o FILE\n"
    "\n"
    "生成签名密钥 / Generate a signing key. Writes the secret key to FILE (mode 0600)\n"
    "and the public key to FILE.pub; refuses to overwrite either. Prints the public\n"
    "key and, for ed25519, the C2SP signed-note verifier key\n"
    "(NAME+<key ID hex>+<base64(0x01 || public key)>).\n"
    "\n"
    "Options:\n"
    "  --name NAME          key name: no whitespace, no '+' (e.g. zjj.fuzhou/node1)\n"
    "  --algo ed25519|sm2   signature algorithm (default ed25519; sm2 for the gm suite)\n"
    "  -o, --out FILE       secret key file to create\n"
    "  --help               show this help\n"
    "\n"
    "Exit codes: 0 ok, 2 usage, 3 bad name or a file already exists, 4 I/O failure.\n";

int Usage(const std::string& error) {
  std::fprintf(stderr, "error: %s\n\n%s", error.c_str(), kUsage);
  return kExitUsage;
}

}  // namespace

int CmdKeygen(int argc, char** argv, int first) {
  Args args({"name", "algo", "o", "out"}, {"help", "h"});
  if (!args.Parse(argc, argv, first)) return Usage(args.error());
  if (args.flag("help") || args.flag("h")) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (!args.positional().empty()) return Usage("unexpected argument " + args.positional()[0]);
  auto name = args.value("name");
  if (!name) return Usage("--name is required");
  auto out = args.value("o");
  if (!out) out = args.value("out");
  if (!out || out->empty()) return Usage("-o FILE is required");
  auto alg = ParseSignatureName(args.value_or("algo", "ed25519"));
  if (!alg.ok()) return Usage(alg.status().message());
  if (Status s = ValidateKeyName(*name); !s.ok()) return Fail(s);

  const std::string pub_path = *out + ".pub";
  if (::access(pub_path.c_str(), F_OK) == 0) {
    return Fail(
        Status(Code::kAlreadyExists, "keyfile.exists", pub_path + ": refusing to overwrite"));
  }
  NamedKeyPair key{*name, GenerateKeyPair(*alg)};
  if (Status s = WriteKeyFile(*out, key); !s.ok()) return Fail(s);
  if (Status s = WritePublicKeyFile(pub_path, {*name, key.keys.public_key}); !s.ok()) {
    ::unlink(out->c_str());  // no secret without its public half
    return Fail(s);
  }
  std::printf("name: %s\nalgorithm: %s\npublic: %s\n", name->c_str(),
              std::string(SignatureName(*alg)).c_str(),
              Base64Encode(key.keys.public_key.bytes()).c_str());
  if (*alg == SignatureAlgorithm::kEd25519) {
    auto vkey = SignedNoteVerifierKey(*name, key.keys.public_key);
    if (!vkey.ok()) return Fail(vkey.status());
    std::printf("verifier: %s\n", vkey->c_str());
  }
  std::fprintf(stderr, "wrote %s (secret, 0600) and %s\n", out->c_str(), pub_path.c_str());
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace tz::cli
