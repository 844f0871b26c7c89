#include "oncall/escalation.h"

namespace opsdesk::oncall {

const char* TargetKindName(TargetKind kind) {
  switch (kind) {
    case TargetKind::kUser: return "user";
    case TargetKind::kSchedule: return "schedule";
    case TargetKind::kTeamOnCall: return "team_on_call";
  }
  return "user";
}

std::optional<TargetKind> ParseTargetKind(std::string_view text) {
  if (text == "user") return TargetKind::kUser;
  if (text == "schedule") return TargetKind::kSchedule;
  if (text == "team_on_call") return TargetKind::kTeamOnCall;
  return std::nullopt;
}

}  // namespace opsdesk::oncall
