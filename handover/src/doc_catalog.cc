#include "handover/doc_catalog.h"

namespace tz::handover {
namespace {

constexpr DocType kDocCatalog[] = {
    {"handover_plan", "移交计划书", "Handover plan", false, "handover"},
    {"completion_report", "竣工验收报告", "Completion acceptance report", false, "acceptance"},
    {"acceptance_report", "联合验收报告", "Joint acceptance report", false, "acceptance"},
    {"as_built_drawings", "竣工图纸", "As-built drawings", false, "drawings"},
    {"pipe_network_drawings", "地下管网图纸", "Underground pipe network drawings", false,
     "drawings"},
    {"warranty", "工程质量保修书", "Construction quality warranty", false, "warranty"},
    {"user_manual", "住宅使用说明书", "Residence user manual", false, "manuals"},
    {"equipment_manual", "设备操作手册", "Equipment operating manual", false, "manuals"},
    {"asset_ledger", "固定资产台账", "Fixed asset ledger", false, "handover"},
    {"inspection_report", "检测报告", "Inspection report", false, "inspection"},
    {"photo", "现场照片", "Site photo", false, "photos"},
    {"repair_record", "维修记录", "Repair record", false, "repair"},
    {"service_plan", "移交后服务方案", "Post-handover service plan", false, "handover"},
    {"public_notice", "公示", "Public notice", false, "other"},
    {"lease_contract", "租赁合同", "Lease contract", true, "lease"},
    {"household_record", "保障对象家庭信息", "Beneficiary household record", true, "other"},
    {"arrears_evidence", "欠租证据", "Rent arrears evidence", true, "evidence"},
    {"sublet_evidence", "转租证据", "Subletting evidence", true, "evidence"},
    {"other", "其他", "Other", false, "other"},
};

}  // namespace

std::span<const DocType> DocCatalog() { return kDocCatalog; }

const DocType* FindDocType(std::string_view code) {
  for (const DocType& t : kDocCatalog) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

std::string_view DefaultCategory(std::string_view code) {
  const DocType* t = FindDocType(code);
  return t ? t->category : "other";
}

}  // namespace tz::handover
