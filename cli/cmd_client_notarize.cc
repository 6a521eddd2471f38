// `tiezheng notarize FILE` (upload the bytes, sign a doc.notarize entry and,
// with --house, an archive.link entry) and `tiezheng house link`.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "client_common.h"
#include "handover/doc_catalog.h"

namespace tz::cli {
namespace {

using client::ClientKey;
using client::HttpClient;
using client::Options;

// Files up to this size go up in one signed PUT; larger ones use a
// resumable upload session (docs/api.md, parts of 8 MiB).
constexpr uint64_t kSinglePutMax = 8ull << 20;

std::string MediaTypeFor(const std::string& path) {
  std::string ext;
  if (auto dot = path.rfind('.'); dot != std::string::npos) ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  static const std::pair<const char*, const char*> kTypes[] = {
      {"pdf", "application/pdf"},
      {"txt", "text/plain"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"json", "application/json"},
      {"xml", "application/xml"},
      {"zip", "application/zip"},
      {"dwg", "image/vnd.dwg"},
      {"dxf", "image/vnd.dxf"},
      {"ofd", "application/ofd"},
      {"doc", "application/msword"},
      {"xls", "application/vnd.ms-excel"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"mp4", "video/mp4"}};
  for (const auto& [e, m] : kTypes) {
    if (ext == e) return m;
  }
  return "application/octet-stream";
}

// The house-archive category a document type is filed under by default.
std::string CategoryFor(const std::string& doc_type) {
  return std::string(handover::DefaultCategory(doc_type));
}

std::string Basename(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Result<std::string> ReadPart(int fd, uint64_t offset, uint64_t len) {
  std::string buf(len, '\0');
  uint64_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, buf.data() + done, len - done, static_cast<off_t>(offset + done));
    if (n <= 0) return Status::IOError("file.read", "cannot read the file");
    done += static_cast<uint64_t>(n);
  }
  return buf;
}

// Retries transient failures (server restart, connection reset) a few times.
template <typename F>
auto WithRetry(F f) -> decltype(f()) {
  auto r = f();
  for (int attempt = 1; attempt < 4 && !r.ok() && r.status().code() == Code::kUnavailable;
       ++attempt) {
    ::sleep(attempt);
    r = f();
  }
  return r;
}

// A resumable upload session; the session id is kept in
// ConfigDir()/uploads/<digest>.id so that a rerun resumes where it stopped.
Status UploadSession(HttpClient& http, const ClientKey& key, const std::string& path,
                     const std::string& digest, uint64_t size) {
  std::string dir = client::ConfigDir() + "/uploads";
  ::mkdir(dir.c_str(), 0700);
  std::string state = dir + "/" + digest + ".id";
  std::string upload_id;
  int64_t part_size = 0, parts = 0;
  std::vector<bool> have;
  if (auto saved = ReadFileAtMost(state, 1024); saved.ok()) {
    std::string id = *saved;
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    auto info = http.GetJson("/v1/uploads/" + id);
    if (info.ok()) {
      upload_id = id;
      TZ_ASSIGN_OR_RETURN(part_size, client::AnswerInt(*info, "part_size"));
      const Json* received = info->find("received");
      if (received != nullptr && received->is_array() && part_size > 0) {
        parts = static_cast<int64_t>((size + part_size - 1) / part_size);
        have.assign(parts, false);
        for (const Json& n : received->as_array()) {
          if (n.is_int() && n.as_int64() >= 0 && n.as_int64() < parts) have[n.as_int64()] = true;
        }
        std::fprintf(stderr, "续传 resuming upload %s\n", upload_id.c_str());
      }
    }
  }
  if (upload_id.empty()) {
    Json req = Json::MakeObject();
    req.set("sha256", Json(digest));
    req.set("size", Json(size));
    TZ_ASSIGN_OR_RETURN(Json ans,
                        http.Post("/v1/uploads", req.Canonical(), "application/json", &key));
    TZ_ASSIGN_OR_RETURN(upload_id, client::AnswerString(ans, "upload_id"));
    TZ_ASSIGN_OR_RETURN(part_size, client::AnswerInt(ans, "part_size"));
    TZ_ASSIGN_OR_RETURN(parts, client::AnswerInt(ans, "parts"));
    if (part_size <= 0 || parts < 0) {
      return Status(Code::kInternal, "client.bad_answer", "bad upload session geometry");
    }
    have.assign(parts, false);
    std::ofstream(state) << upload_id << "\n";
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("file.open", "cannot open " + path);
  Status st;
  uint64_t done = 0;
  for (int64_t n = 0; n < parts && st.ok(); ++n) {
    uint64_t off = static_cast<uint64_t>(n) * part_size;
    uint64_t len = std::min<uint64_t>(part_size, size - off);
    if (!have[n]) {
      auto part = ReadPart(fd, off, len);
      if (!part.ok()) {
        st = part.status();
        break;
      }
      std::string target = "/v1/uploads/" + upload_id + "/parts/" + std::to_string(n);
      auto r = WithRetry([&] { return http.Put(target, *part, "application/octet-stream", &key); });
      if (!r.ok()) st = r.status();
    }
    done += len;
    client::DrawProgress(done, size);
  }
  ::close(fd);
  TZ_RETURN_IF_ERROR(st);
  std::string target = "/v1/uploads/" + upload_id + "/complete";
  TZ_RETURN_IF_ERROR(
      WithRetry([&] { return http.Post(target, "", "application/octet-stream", &key); }).status());
  std::remove(state.c_str());
  return Status::Ok();
}

// Makes sure the server holds the bytes. Returns true if it already had them.
Result<bool> UploadBlob(HttpClient& http, const ClientKey& key, const std::string& path,
                        const std::string& digest, uint64_t size) {
  TZ_ASSIGN_OR_RETURN(int head, http.HeadStatus("/v1/blobs/" + digest));
  if (head == 200) return true;
  if (size > kSinglePutMax) {
    TZ_RETURN_IF_ERROR(UploadSession(http, key, path, digest, size));
    return false;
  }
  TZ_ASSIGN_OR_RETURN(std::string body, ReadFileAtMost(path, kSinglePutMax));
  TZ_RETURN_IF_ERROR(
      http.Put("/v1/blobs/" + digest, body, "application/octet-stream", &key).status());
  return false;
}

// Whether the key's registered roles allow archive.link.
bool MayLink(HttpClient& http, const ClientKey& key) {
  auto rec = http.GetJson("/v1/keys/" + ledger::ToHex(key.id));
  if (!rec.ok()) return true;  // let the server decide and explain
  const Json* roles = rec->find("roles");
  if (roles == nullptr || !roles->is_array()) return true;
  for (const Json& r : roles->as_array()) {
    if (r.is_string() && (r.as_string() == "receiving_unit" || r.as_string() == "operator" ||
                          r.as_string() == "department")) {
      return true;
    }
  }
  return false;
}

struct LinkResult {
  std::string id;  // empty if the document was already filed in the slot
  std::string supersedes;
};

// Files `digest` in the house archive slot, superseding the slot's current
// version if there is one (found from the house's archive.link entries).
Result<LinkResult> LinkToHouse(HttpClient& http, const ClientKey& key, const std::string& chain,
                               const std::string& house, const std::string& digest,
                               const std::string& category, const std::string& slot) {
  std::string head;
  int64_t head_index = -1;
  bool head_is_digest = false;
  TZ_RETURN_IF_ERROR(
      client::ForEachEntry(http, "type=archive.link&house=" + house,
                           [&](const ledger::SignedEntry& e, int64_t index) -> Status {
                             if (e.type != "archive.link") return Status::Ok();
                             const Json* file = e.entry.find("file");
                             if (file == nullptr || file->find("id") == nullptr ||
                                 file->find("id")->as_string() != house) {
                               return Status::Ok();
                             }
                             auto cat = GetString(e.entry, "category");
                             auto sl = GetString(e.entry, "slot");
                             if (!cat.ok() || !sl.ok() || *cat != category || *sl != slot)
                               return Status::Ok();
                             if (index > head_index) {
                               head_index = index;
                               head = ledger::ToHex(e.id);
                               auto doc = GetString(e.entry, "document");
                               head_is_digest = doc.ok() && *doc == digest;
                             }
                             return Status::Ok();
                           }));
  LinkResult out;
  if (head_is_digest) return out;  // already the current version of the slot
  Json link = Json::MakeObject();
  link.set("type", Json("archive.link"));
  link.set("v", Json(1));
  Json file = Json::MakeObject();
  file.set("kind", Json("house"));
  file.set("id", Json(house));
  link.set("file", file);
  link.set("category", Json(category));
  link.set("slot", Json(slot));
  link.set("document", Json(digest));
  if (!head.empty()) link.set("supersedes", Json(head));
  TZ_ASSIGN_OR_RETURN(client::Submitted s, client::SubmitEntry(http, key, chain, link));
  out.id = s.id;
  out.supersedes = head;
  return out;
}

const char* kNotarizeUsage =
    "Usage: tiezheng notarize FILE --type DOC_TYPE [--house HOUSE] [--project PROJECT]\n"
    "                         [--title TITLE] [--media-type TYPE] [--category C] [--slot S]\n"
    "                         [--no-link] [--key KEYFILE] [--server URL] [--json]\n"
    "  上传文件、签署存证条目，并可归入一房一档 / uploads the file, signs a doc.notarize entry\n"
    "  and, with --house, files it in the house archive (archive.link).\n"
    "  --project defaults to $TZ_PROJECT. Document types: handover_plan completion_report\n"
    "  acceptance_report as_built_drawings pipe_network_drawings warranty user_manual\n"
    "  equipment_manual asset_ledger inspection_report photo repair_record service_plan\n"
    "  public_notice other.\n";

// The options of `tiezheng notarize`: the common client ones and its own.
Args NotarizeArgs() {
  auto vopts = client::CommonValueOpts();
  for (const char* v : {"house", "type", "project", "title", "media-type", "category", "slot"}) {
    vopts.push_back(v);
  }
  auto fopts = client::CommonFlagOpts();
  fopts.push_back("no-link");
  return Args(vopts, fopts);
}

// The document being notarized, as the command line names it.
struct Notarization {
  std::string path;
  std::string project;
  std::string doc_type;
  std::optional<std::string> house;
  std::string digest;  // SHA-256 hex of the file, set by HashLocalFile
  uint64_t size = 0;
};

// Sets n->digest and n->size from the regular file at n->path.
Status HashLocalFile(Notarization* n) {
  struct stat st;
  if (::stat(n->path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::NotFound("file.open", "找不到文件 / no such file: " + n->path);
  }
  auto d = HashFile(HashAlgorithm::kSha256, n->path);
  if (!d.ok()) return d.status();
  n->digest = ToHex(*d);
  n->size = static_cast<uint64_t>(st.st_size);
  return Status::Ok();
}

// The doc.notarize entry; --media-type and --title default from the path.
Json NotarizeEntry(const Args& args, const Notarization& n) {
  Json entry = Json::MakeObject();
  entry.set("type", Json("doc.notarize"));
  entry.set("v", Json(1));
  entry.set("digest", Json(n.digest));
  entry.set("size", Json(n.size));
  entry.set("media_type", Json(args.value_or("media-type", MediaTypeFor(n.path))));
  entry.set("title", Json(args.value_or("title", Basename(n.path))));
  entry.set("doc_type", Json(n.doc_type));
  entry.set("project", Json(n.project));
  if (n.house) entry.set("house", Json(*n.house));
  entry.set("in_archive", Json(true));
  entry.set("encrypted", Json(false));
  return entry;
}

// The command's result (printed as is with --json). `sub`: the new entry,
// or null if the document was notarized before.
Json NotarizeAnswer(const Notarization& n, const client::Submitted* sub) {
  Json out = Json::MakeObject();
  out.set("sha256", Json(n.digest));
  out.set("size", Json(n.size));
  out.set("already_notarized", Json(sub == nullptr));
  if (sub != nullptr) {
    out.set("entry", Json(sub->id));
    out.set("index", Json(sub->index));
    out.set("height", Json(sub->height));
  }
  return out;
}

// Files the document in n.house's archive with an archive.link entry, or,
// if the key's roles do not allow that, says who can; either way sets
// "link" (and "supersedes") in `out`.
Status FileInHouse(HttpClient& http, const ClientKey& key, const std::string& chain,
                   const Args& args, const Notarization& n, Json* out) {
  const std::string& house = *n.house;
  if (!MayLink(http, key)) {
    out->set("link", Json("skipped: key lacks receiving_unit/operator/department role"));
    std::fprintf(stderr,
                 "注意：此密钥无权归档，条目已记录房屋 %s；请由接收单位执行 / note: this key may "
                 "not file documents (archive.link); the entry names house %s. Ask the "
                 "receiving unit to run: tiezheng house link %s --house %s --type %s\n",
                 house.c_str(), house.c_str(), n.digest.c_str(), house.c_str(), n.doc_type.c_str());
    return Status::Ok();
  }
  auto link = LinkToHouse(http, key, chain, house, n.digest,
                          args.value_or("category", CategoryFor(n.doc_type)),
                          args.value_or("slot", n.doc_type));
  if (!link.ok()) return link.status().WithContext("归档失败 archive.link failed");
  out->set("link", Json(link->id.empty() ? "already filed" : link->id));
  if (!link->supersedes.empty()) out->set("supersedes", Json(link->supersedes));
  return Status::Ok();
}

// The human-readable result. `sub` as for NotarizeAnswer; `had`: the
// server held the bytes before the upload.
void PrintNotarized(const Notarization& n, const Json& out, const client::Submitted* sub,
                    bool had) {
  if (sub == nullptr) {
    std::printf("✔ 该文件此前已存证 / already notarized earlier\n");
  } else {
    std::printf("✔ 已存证 / NOTARIZED%s\n",
                had ? " (文件已在档案中 bytes were already stored)" : "");
  }
  std::printf("  摘要 SHA-256:   %s\n  大小 Size:      %llu bytes\n", n.digest.c_str(),
              static_cast<unsigned long long>(n.size));
  if (sub != nullptr) {
    std::printf("  条目 Entry id:  %s\n  日志位置 Index: %lld (block %lld)\n", sub->id.c_str(),
                static_cast<long long>(sub->index), static_cast<long long>(sub->height));
  }
  if (const Json* l = out.find("link")) {
    std::printf("  一房一档 House %s: %s\n", n.house->c_str(), l->as_string().c_str());
  }
  std::printf("  核验 Verify:    tiezheng verify %s\n", n.path.c_str());
}

}  // namespace

int CmdNotarize(int argc, char** argv, int first) {
  Args args = NotarizeArgs();
  if (!args.Parse(argc, argv, first) || args.flag("help") || args.positional().size() != 1 ||
      !args.value("type")) {
    std::fprintf(args.flag("help") ? stdout : stderr, "%s", kNotarizeUsage);
    if (!args.error().empty()) std::fprintf(stderr, "error: %s\n", args.error().c_str());
    return args.flag("help") ? kExitOk : kExitUsage;
  }
  Options o = client::OptionsFrom(args);
  Notarization n;
  n.path = args.positional()[0];
  const char* env_project = std::getenv("TZ_PROJECT");
  n.project = args.value_or("project", env_project ? env_project : "");
  if (n.project.empty()) {
    std::fprintf(stderr, "error: --project (or $TZ_PROJECT) is required\n%s", kNotarizeUsage);
    return kExitUsage;
  }
  n.doc_type = *args.value("type");
  n.house = args.value("house");
  if (Status st = HashLocalFile(&n); !st.ok()) return Fail(st);
  auto key = client::LoadClientKey(o.key_path);
  if (!key.ok()) return Fail(key.status());
  HttpClient http(o.server);
  auto consortium = client::PinnedConsortium(http, o);
  if (!consortium.ok()) return Fail(consortium.status());
  const std::string& chain = consortium->chain;

  auto had = UploadBlob(http, *key, n.path, n.digest, n.size);
  if (!had.ok()) return Fail(had.status().WithContext("上传失败 upload failed"));
  auto sub = client::SubmitEntry(http, *key, chain, NotarizeEntry(args, n));
  bool duplicate = !sub.ok() && sub.status().reason() == "document.duplicate";
  if (!sub.ok() && !duplicate) return Fail(sub.status());
  const client::Submitted* entry = duplicate ? nullptr : &*sub;

  Json out = NotarizeAnswer(n, entry);
  if (n.house && !args.flag("no-link")) {
    if (Status st = FileInHouse(http, *key, chain, args, n, &out); !st.ok()) return Fail(st);
  }
  if (o.json) {
    client::PrintJson(out);
    return kExitOk;
  }
  PrintNotarized(n, out, entry, *had);
  return kExitOk;
}

int CmdHouseLink(const Args& args) {
  Options o = client::OptionsFrom(args);
  const std::string& digest = args.positional()[1];
  auto house = args.value("house");
  auto doc_type = args.value("type");
  if (!house || (!doc_type && (!args.value("category") || !args.value("slot")))) {
    std::fprintf(stderr, "error: house link needs --house and --type (or --category and --slot)\n");
    return kExitUsage;
  }
  if (!DigestFromHex(digest).ok()) {
    return Fail(Status::Invalid("digest.bad_format", "SHA256 must be 64 lowercase hex"));
  }
  auto key = client::LoadClientKey(o.key_path);
  if (!key.ok()) return Fail(key.status());
  HttpClient http(o.server);
  auto consortium = client::PinnedConsortium(http, o);
  if (!consortium.ok()) return Fail(consortium.status());
  std::string type = doc_type.value_or("other");
  auto link =
      LinkToHouse(http, *key, consortium->chain, *house, digest,
                  args.value_or("category", CategoryFor(type)), args.value_or("slot", type));
  if (!link.ok()) return Fail(link.status());
  if (o.json) {
    Json j = Json::MakeObject();
    j.set("house", Json(*house));
    j.set("sha256", Json(digest));
    j.set("link", Json(link->id.empty() ? "already filed" : link->id));
    if (!link->supersedes.empty()) j.set("supersedes", Json(link->supersedes));
    client::PrintJson(j);
  } else if (link->id.empty()) {
    std::printf("该文件已是此档案位的当前版本 / already the current version in this slot\n");
  } else {
    std::printf("✔ 已归档 / FILED in house %s: entry %s%s%s\n", house->c_str(), link->id.c_str(),
                link->supersedes.empty() ? "" : ", supersedes ", link->supersedes.c_str());
  }
  return kExitOk;
}

}  // namespace tz::cli
