// report.html: the bilingual (Chinese first, English beside) HTML report of
// a verification, for judges, arbitrators and the parties' experts: the
// verdict, what each item proves, and the mapping to the court's checks and
// to the DA/T 70 four properties.
#pragma once

#include <string>

#include "evidence/evidence.h"

namespace tz::evidence {

std::string RenderEvidenceReport(const VerifyReport& report);

}  // namespace tz::evidence
