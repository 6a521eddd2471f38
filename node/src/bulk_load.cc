#include "node/bulk_load.h"

#include <chrono>
#include <fstream>
#include <vector>

#include "crypto/keyfile.h"
#include "crypto/random.h"
#include "ledger/envelope.h"
#include "ledger/ledger.h"
#include "node/config.h"

namespace tz::node {

Status BulkLoadDocuments(const std::string& data_dir, const BulkLoadOptions& o) {
  DataDir dir{data_dir};
  TZ_ASSIGN_OR_RETURN(NodeConfig cfg, LoadConfig(dir));
  TZ_ASSIGN_OR_RETURN(NamedKeyPair node_key, ReadKeyFile(dir.node_key()));
  TZ_ASSIGN_OR_RETURN(log::NoteSigner signer,
                      log::NoteSigner::Create(node_key.name, std::move(node_key.keys.secret_key)));
  TZ_ASSIGN_OR_RETURN(NamedKeyPair admin, ReadKeyFile(dir.admin_key()));
  ledger::KeyId admin_id = ledger::KeyIdOf(admin.keys.public_key);
  ledger::LedgerOptions lo = NodeLedgerOptions();
  lo.sync = false;
  TZ_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Ledger> l, OpenDataDirLedger(dir, lo));
  TZ_ASSIGN_OR_RETURN(int64_t seq, l->CommittedState().GetSeq(admin_id));
  std::ofstream digests;
  if (!o.digests_out.empty()) digests.open(o.digests_out, std::ios::trunc);

  uint64_t done = 0;
  while (done < o.count) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(o.block_entries, o.count - done));
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    std::vector<std::string> entries;
    entries.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      Bytes r = RandomBytes(32);
      std::string hex = ToHex(Sha256(r));
      uint64_t k = done + i;
      Json body = Json::MakeObject();
      body.set("type", Json("doc.notarize"));
      body.set("v", Json(1));
      body.set("digest", Json(hex));
      body.set("size", Json(static_cast<int64_t>(1000 + k % 100000)));
      body.set("media_type", Json("application/pdf"));
      body.set("title", Json("bulk document " + std::to_string(k)));
      body.set("doc_type", Json("photo"));
      body.set("project", Json("bulk-" + std::to_string(k / 100000)));
      body.set("house", Json("H-" + std::to_string(k % 5000)));
      body.set("in_archive", Json(false));
      body.set("encrypted", Json(false));
      TZ_ASSIGN_OR_RETURN(
          ledger::SignedEntry e,
          ledger::SignEntry(l->chain(), body, admin_id, admin.keys.secret_key, ++seq, now));
      entries.push_back(std::move(e.bytes));
      if (digests && o.sample_every > 0 && k % o.sample_every == 0) digests << hex << "\n";
    }
    ledger::BlockBuilder b = l->NewBlock(now, cfg.name);
    std::vector<Result<ledger::Receipt>> rs = l->AddAll(&b, entries);
    for (auto& r : rs) TZ_RETURN_IF_ERROR(r.status());
    TZ_RETURN_IF_ERROR(l->Commit(std::move(b), signer).status());
    done += n;
    if (o.progress) o.progress(done);
  }
  TZ_RETURN_IF_ERROR(l->mutable_store()->Write(ledger::KvBatch(), true));  // one final sync
  // The checkpoint mark was recorded without fsync too: make the last one
  // durable now that the blocks are.
  TZ_ASSIGN_OR_RETURN(std::string note, l->GetCheckpoint(l->head().height));
  TZ_ASSIGN_OR_RETURN(ledger::CheckpointMark mark, ledger::CheckpointMark::Parse(std::move(note)));
  return ledger::NewFileCheckpointMarkStore(dir.checkpoint_mark(), true)->Store(mark);
}

}  // namespace tz::node
