#include "node/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "handover/entry_types.h"

namespace tz::node {

ledger::LedgerOptions NodeLedgerOptions() {
  ledger::LedgerOptions o;
  o.types = &handover::EntryTypes();
  return o;
}

Json NodeConfig::ToJson() const {
  Json j = Json::MakeObject();
  j.set("chain", Json(chain));
  j.set("listen", Json(listen));
  j.set("name", Json(name));
  j.set("origin", Json(origin));
  j.set("suite", Json(suite));
  j.set("version", Json(1));
  return j;
}

Result<NodeConfig> NodeConfig::FromJson(const Json& j) {
  auto bad = [](const Status& s) { return Status::Invalid("config.bad", s.message()); };
  Status keys = CheckKeys(j, {"chain", "listen", "name", "origin", "suite", "version"});
  if (!keys.ok()) return bad(keys);
  NodeConfig c;
  std::string* fields[] = {&c.chain, &c.listen, &c.name, &c.origin, &c.suite};
  const char* names[] = {"chain", "listen", "name", "origin", "suite"};
  for (size_t i = 0; i < 5; ++i) {
    auto v = GetString(j, names[i]);
    if (!v.ok()) return bad(v.status());
    *fields[i] = *v;
  }
  auto version = GetInt(j, "version");
  if (!version.ok() || *version != 1) {
    return Status::Invalid("config.bad", "unsupported config version");
  }
  return c;
}

Result<NodeConfig> LoadConfig(const DataDir& dir) {
  std::ifstream in(dir.config(), std::ios::binary);
  if (!in) {
    return Status::NotFound(
        "config.missing",
        dir.config() + " not found; run `tiezheng init --data " + dir.root + "` first");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = ParseJson(ss.str());
  if (!j.ok()) return Status::Invalid("config.bad", dir.config() + ": " + j.status().message());
  return NodeConfig::FromJson(*j);
}

}  // namespace tz::node
