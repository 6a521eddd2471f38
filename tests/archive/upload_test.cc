// Resumable upload sessions: any order, retries, resume across a restart,
// declared digest/size checks, bad parts, expiry.
#include "archive/upload.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "fault_env.h"
#include "test_util.h"

namespace tz::archive {
namespace {

using testing::CountFiles;
using testing::FaultEnv;
using testing::PseudoRandom;
using testing::TempDir;

struct Fixture {
  explicit Fixture(const std::string& root, Env* env = Env::Default(), UploadOptions opts = {}) {
    store = std::move(LocalBlobStore::Open(env, root).value());
    uploads = std::move(LocalUploadSessions::Open(store.get(), opts).value());
  }
  std::unique_ptr<LocalBlobStore> store;
  std::unique_ptr<LocalUploadSessions> uploads;
};

TEST(UploadId, Strict) {
  EXPECT_TRUE(UploadId::Parse(std::string(32, 'f')).ok());
  for (std::string bad : {std::string(31, 'f'), std::string(33, 'f'), std::string(32, 'F'),
                          std::string("../") + std::string(29, 'a'), std::string()}) {
    EXPECT_EQ(UploadId::Parse(bad).status().reason(), "upload.bad_id") << bad;
  }
}

TEST(Upload, PartsInAnyOrderWithRetries) {
  TempDir dir;
  Fixture f(dir.path());
  Bytes data = PseudoRandom(1000000, 1);
  auto st = f.uploads->Begin(Sha256(data), data.size());
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  std::vector<ByteRange> parts;
  for (uint64_t off = 0; off < data.size(); off += 65536) {
    parts.push_back({off, std::min<uint64_t>(65536, data.size() - off)});
  }
  std::shuffle(parts.begin(), parts.end(), std::mt19937(7));
  auto send = [&](const ByteRange& p) {
    return f.uploads->PutPart(st->id, p.offset, ByteSpan(data.data() + p.offset, p.length));
  };
  for (size_t i = 0; i < parts.size(); ++i) {
    ASSERT_TRUE(send(parts[i]).ok());
    if (i % 3 == 0) {
      ASSERT_TRUE(send(parts[i]).ok());  // a retry is idempotent
    }
    if (i == parts.size() / 2) {
      auto q = f.uploads->Query(st->id);
      ASSERT_TRUE(q.ok());
      EXPECT_EQ(q->received_bytes, [&] {
        uint64_t n = 0;
        for (size_t k = 0; k <= i; ++k) n += parts[k].length;
        return n;
      }());
      EXPECT_EQ(f.uploads->Finish(st->id).status().reason(), "upload.incomplete");
    }
  }
  auto q = f.uploads->Query(st->id);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->received, (std::vector<ByteRange>{{0, data.size()}}));
  EXPECT_TRUE(q->Missing().empty());
  auto info = f.uploads->Finish(st->id);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->digest, Sha256(data));
  EXPECT_EQ(f.store->ReadAll(info->digest).value(), data);
  EXPECT_EQ(CountFiles(dir.path() + "/uploads"), 0u);
  EXPECT_EQ(f.uploads->Query(st->id).status().reason(), "upload.not_found");
}

TEST(Upload, ResumeAfterRestart) {
  TempDir dir;
  Bytes data = PseudoRandom(300000, 2);
  UploadId id;
  {
    Fixture f(dir.path());
    auto st = f.uploads->Begin(Sha256(data), data.size());
    ASSERT_TRUE(st.ok());
    id = st->id;
    ASSERT_TRUE(f.uploads->PutPart(id, 200000, ByteSpan(data.data() + 200000, 100000)).ok());
    ASSERT_TRUE(f.uploads->PutPart(id, 0, ByteSpan(data.data(), 50000)).ok());
  }  // "node restart": new store and session objects over the same directory
  Fixture f(dir.path());
  auto q = f.uploads->Query(id);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->Missing(), (std::vector<ByteRange>{{50000, 150000}}));
  for (const auto& m : q->Missing()) {
    ASSERT_TRUE(f.uploads->PutPart(id, m.offset, ByteSpan(data.data() + m.offset, m.length)).ok());
  }
  auto info = f.uploads->Finish(id);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_TRUE(f.store->Verify(Sha256(data)).ok());
}

TEST(Upload, BadParts) {
  TempDir dir;
  Fixture f(dir.path());
  Bytes data = PseudoRandom(1000, 3);
  auto st = f.uploads->Begin(Sha256(data), data.size());
  ASSERT_TRUE(st.ok());
  UploadId id = st->id;
  auto put = [&](uint64_t off, uint64_t len) {
    return f.uploads->PutPart(id, off, ByteSpan(data.data() + off, len));
  };
  ASSERT_TRUE(put(100, 100).ok());
  EXPECT_EQ(put(150, 100).reason(), "upload.part_overlap");
  EXPECT_EQ(put(50, 100).reason(), "upload.part_overlap");
  EXPECT_EQ(put(120, 10).reason(), "upload.part_overlap");
  EXPECT_EQ(put(0, 1000).reason(), "upload.part_overlap");
  EXPECT_EQ(put(0, 0).reason(), "upload.part_empty");
  Bytes big(200);
  EXPECT_EQ(f.uploads->PutPart(id, 900, big).reason(), "upload.part_out_of_range");
  EXPECT_EQ(f.uploads->PutPart(id, 1001, ByteSpan(big.data(), 1)).reason(),
            "upload.part_out_of_range");
  EXPECT_EQ(f.uploads->PutPart(id, UINT64_MAX, ByteSpan(big.data(), 2)).reason(),
            "upload.part_out_of_range");
  // A retry of a received range with different bytes is a conflict.
  Bytes other(data.begin() + 100, data.begin() + 200);
  other[5] ^= 1;
  auto c = f.uploads->PutPart(id, 100, other);
  EXPECT_EQ(c.reason(), "upload.part_conflict");
  EXPECT_EQ(c.code(), Code::kAlreadyExists);
  // Body length must match the declared part length.
  MemorySource short_body(ByteSpan(data.data(), 10));
  EXPECT_EQ(f.uploads->PutPart(id, 0, 20, short_body).reason(), "upload.part_short");
  MemorySource long_body(ByteSpan(data.data(), 30));
  EXPECT_EQ(f.uploads->PutPart(id, 0, 20, long_body).reason(), "upload.part_long");
  // None of that damaged the session.
  ASSERT_TRUE(put(0, 100).ok());
  ASSERT_TRUE(put(200, 800).ok());
  EXPECT_TRUE(f.uploads->Finish(id).ok());

  UploadId unknown = UploadId::Generate();
  EXPECT_EQ(f.uploads->PutPart(unknown, 0, data).reason(), "upload.not_found");
  EXPECT_EQ(f.uploads->Finish(unknown).status().reason(), "upload.not_found");
  EXPECT_EQ(f.uploads->Abort(unknown).reason(), "upload.not_found");
}

TEST(Upload, WrongDeclaredDigestOrSize) {
  TempDir dir;
  Fixture f(dir.path());
  Bytes data = PseudoRandom(5000, 4);
  // Wrong digest: all bytes arrive, Finish refuses and discards the session.
  auto st = f.uploads->Begin(Sha256(std::string_view("something else")), data.size());
  ASSERT_TRUE(f.uploads->PutPart(st->id, 0, data).ok());
  auto r = f.uploads->Finish(st->id);
  EXPECT_EQ(r.status().reason(), "upload.digest_mismatch");
  EXPECT_EQ(r.status().code(), Code::kVerificationFailed);
  EXPECT_EQ(f.uploads->Query(st->id).status().reason(), "upload.not_found");
  // Declared size too small: the extra bytes are out of range.
  auto st2 = f.uploads->Begin(Sha256(data), data.size() - 1);
  EXPECT_EQ(f.uploads->PutPart(st2->id, 0, data).reason(), "upload.part_out_of_range");
  ASSERT_TRUE(f.uploads->PutPart(st2->id, 0, ByteSpan(data.data(), data.size() - 1)).ok());
  EXPECT_EQ(f.uploads->Finish(st2->id).status().reason(), "upload.digest_mismatch");
  // Declared size too large: never complete.
  auto st3 = f.uploads->Begin(Sha256(data), data.size() + 1);
  ASSERT_TRUE(f.uploads->PutPart(st3->id, 0, data).ok());
  EXPECT_EQ(f.uploads->Finish(st3->id).status().reason(), "upload.incomplete");
  EXPECT_EQ(CountFiles(dir.path() + "/blobs"), 0u);
  // Over the size limit.
  EXPECT_EQ(f.uploads->Begin(Sha256(data), uint64_t{1} << 62).status().reason(),
            "upload.too_large");
}

TEST(Upload, EmptyUploadAndAbort) {
  TempDir dir;
  Fixture f(dir.path());
  auto st = f.uploads->Begin(Sha256(Bytes{}), 0);
  auto info = f.uploads->Finish(st->id);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, 0u);
  auto st2 = f.uploads->Begin(Sha256(Bytes{1}), 1);
  EXPECT_TRUE(f.uploads->Abort(st2->id).ok());
  EXPECT_EQ(f.uploads->PutPart(st2->id, 0, Bytes{1}).reason(), "upload.not_found");
  EXPECT_EQ(CountFiles(dir.path() + "/uploads"), 0u);
}

TEST(Upload, ExpiryRemovesAbandonedSessions) {
  TempDir dir;
  FaultEnv env;
  UploadOptions opts;
  opts.ttl_seconds = 3600;
  Fixture f(dir.path(), &env, opts);
  Bytes data = PseudoRandom(100, 5);
  auto abandoned = f.uploads->Begin(Sha256(data), data.size());
  auto used = f.uploads->Begin(Sha256(data), data.size());
  ASSERT_TRUE(f.uploads->PutPart(abandoned->id, 0, ByteSpan(data.data(), 10)).ok());
  env.clock_offset = 1800;
  EXPECT_EQ(f.uploads->ExpireSessions().value(), 0u);
  env.clock_offset = 7200;
  EXPECT_EQ(f.uploads->PutPart(used->id, 0, data).reason(), "upload.expired");
  EXPECT_EQ(f.uploads->ExpireSessions().value(), 1u);  // `used` went on access
  EXPECT_EQ(f.uploads->Query(abandoned->id).status().reason(), "upload.not_found");
  EXPECT_TRUE(std::filesystem::is_empty(dir.path() + "/uploads"));
  // A Begin cut short by a crash is cleaned up too.
  std::filesystem::create_directory(dir.path() + "/uploads/" + std::string(32, 'a') + ".new");
  env.clock_offset = 7200 + 2 * 3600;
  EXPECT_EQ(f.uploads->ExpireSessions().value(), 1u);
}

TEST(Upload, FinishIsRetryableAfterCrashBetweenPublishAndCleanup) {
  TempDir dir;
  Fixture f(dir.path());
  Bytes data = PseudoRandom(4000, 6);
  auto st = f.uploads->Begin(Sha256(data), data.size());
  ASSERT_TRUE(f.uploads->PutPart(st->id, 0, data).ok());
  // Simulate the crash: the data file already moved into the store, the
  // session directory still there.
  std::string session = dir.path() + "/uploads/" + st->id.str();
  ASSERT_TRUE(f.store->PublishVerifiedFile(session + "/data", {Sha256(data), data.size()}).ok());
  auto info = f.uploads->Finish(st->id);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(session));
}

TEST(Upload, FullDiskDuringPartIsRetryable) {
  TempDir dir;
  FaultEnv env;
  Fixture f(dir.path(), &env);
  Bytes data = PseudoRandom(100000, 7);
  auto st = f.uploads->Begin(Sha256(data), data.size());
  env.space_left = 1000;
  EXPECT_EQ(f.uploads->PutPart(st->id, 0, data).reason(), "io.no_space");
  env.space_left = -1;
  EXPECT_TRUE(f.uploads->Query(st->id)->received.empty());
  ASSERT_TRUE(f.uploads->PutPart(st->id, 0, data).ok());
  EXPECT_TRUE(f.uploads->Finish(st->id).ok());
}

}  // namespace
}  // namespace tz::archive
