#include "oncall/oncall_service.h"

#include <algorithm>

#include "auth/user_service.h"
#include "common/text.h"
#include "oncall/oncall_store.h"

namespace opsdesk::oncall {
namespace {

Status ReadDenied(const auth::Actor& actor) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff can see on-call schedules and policies");
  return Status::Ok();
}

Status WriteDenied(const auth::Actor& actor, const char* what) {
  if (!actor.IsLeadOrAdmin()) return Status::PermissionDenied(std::string("only leads and admins manage ") + what);
  return Status::Ok();
}

std::optional<int64_t> ActorId(const auth::Actor& actor) {
  return actor.is_system || actor.user_id <= 0 ? std::nullopt : std::optional<int64_t>(actor.user_id);
}

std::string JoinIds(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return out;
}

}  // namespace

// --- schedules

Status OnCallService::CheckScheduleInput(storage::Transaction& tx, const ScheduleInput& input) {
  std::map<std::string, std::string> errors;
  if (auto p = TextFieldProblem(input.name, 1, 100, false); !p.empty()) errors["name"] = p;
  if (auto p = TextFieldProblem(input.description, 0, 2000, true); !p.empty()) errors["description"] = p;
  if (!auth::IsKnownTimeZone(input.time_zone)) errors["time_zone"] = "must be an IANA time zone such as Europe/Berlin";
  if (input.layers.size() > static_cast<size_t>(kMaxLayers)) errors["layers"] = "must have at most 10 layers";
  for (size_t i = 0; i < input.layers.size(); ++i) {
    std::string prefix = "layers[" + std::to_string(i) + "].";
    for (const auto& [field, message] : LayerProblems(input.layers[i])) errors[prefix + field] = message;
    if (errors.count(prefix + "participant_ids")) continue;
    for (int64_t user : input.layers[i].participant_ids) {
      OPSDESK_ASSIGN_OR_RETURN(std::string problem, store::OnCallUserProblem(tx, user));
      if (!problem.empty()) errors[prefix + "participant_ids"] = problem;
    }
  }
  if (input.team_id <= 0) {
    errors["team_id"] = "is required";
  } else {
    OPSDESK_ASSIGN_OR_RETURN(bool team, store::TeamExists(tx, input.team_id));
    if (!team) errors["team_id"] = "team does not exist";
  }
  if (!errors.empty()) return Status::InvalidArgument("schedule is not valid", errors);
  return Status::Ok();
}

Result<Schedule> OnCallService::CreateSchedule(const auth::Actor& actor, const ScheduleInput& input) {
  OPSDESK_RETURN_IF_ERROR(WriteDenied(actor, "on-call schedules"));
  Schedule out;
  TimestampMs now = clock_.NowMs();
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_RETURN_IF_ERROR(CheckScheduleInput(tx, input));
    OPSDESK_ASSIGN_OR_RETURN(bool taken, store::ScheduleNameTaken(tx, input.team_id, input.name, std::nullopt));
    if (taken) return Status::Conflict("the team already has a schedule with this name");
    OPSDESK_ASSIGN_OR_RETURN(int64_t id, store::InsertSchedule(tx, input, now));
    OPSDESK_ASSIGN_OR_RETURN(auto found, store::FindSchedule(tx, id, now));
    out = std::move(*found);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<Schedule>> OnCallService::ListSchedules(const auth::Actor& actor, std::optional<int64_t> team_id) {
  OPSDESK_RETURN_IF_ERROR(ReadDenied(actor));
  std::vector<Schedule> out;
  TimestampMs now = clock_.NowMs();
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(out, store::ListSchedules(tx, team_id, now));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<Schedule> OnCallService::GetSchedule(const auth::Actor& actor, int64_t id) {
  OPSDESK_RETURN_IF_ERROR(ReadDenied(actor));
  Schedule out;
  TimestampMs now = clock_.NowMs();
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto found, store::FindSchedule(tx, id, now));
    if (!found) return Status::NotFound("schedule not found");
    out = std::move(*found);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<Schedule> OnCallService::UpdateSchedule(const auth::Actor& actor, int64_t id, const SchedulePatch& patch) {
  OPSDESK_RETURN_IF_ERROR(WriteDenied(actor, "on-call schedules"));
  Schedule out;
  TimestampMs now = clock_.NowMs();
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto found, store::FindSchedule(tx, id, now));
    if (!found) return Status::NotFound("schedule not found");
    ScheduleInput merged{patch.team_id.value_or(found->team_id), patch.name.value_or(found->name),
                         patch.description.value_or(found->description), patch.time_zone.value_or(found->time_zone),
                         patch.layers.value_or(found->layers)};
    OPSDESK_RETURN_IF_ERROR(CheckScheduleInput(tx, merged));
    OPSDESK_ASSIGN_OR_RETURN(bool taken, store::ScheduleNameTaken(tx, merged.team_id, merged.name, id));
    if (taken) return Status::Conflict("the team already has a schedule with this name");
    OPSDESK_RETURN_IF_ERROR(store::UpdateSchedule(tx, id, merged, now));
    if (patch.layers) OPSDESK_RETURN_IF_ERROR(store::ReplaceLayers(tx, id, merged.layers));
    OPSDESK_ASSIGN_OR_RETURN(auto updated, store::FindSchedule(tx, id, now));
    out = std::move(*updated);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status OnCallService::DeleteSchedule(const auth::Actor& actor, int64_t id) {
  OPSDESK_RETURN_IF_ERROR(WriteDenied(actor, "on-call schedules"));
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto version, store::ScheduleVersion(tx, id));
    if (!version) return Status::NotFound("schedule not found");
    OPSDESK_ASSIGN_OR_RETURN(auto policies, store::PoliciesUsingSchedule(tx, id));
    if (!policies.empty()) {
      return Status::Conflict("escalation policies page this schedule (" + JoinIds(policies) + "); change them first");
    }
    return store::DeleteSchedule(tx, id);
  });
  if (status.ok()) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    cache_.erase(id);
  }
  return status;
}

Result<ScheduleOverride> OnCallService::AddOverride(const auth::Actor& actor, int64_t schedule_id,
                                                    const NewOverride& input) {
  OPSDESK_RETURN_IF_ERROR(WriteDenied(actor, "on-call schedules"));
  ScheduleOverride out;
  TimestampMs now = clock_.NowMs();
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto version, store::ScheduleVersion(tx, schedule_id));
    if (!version) return Status::NotFound("schedule not found");
    std::map<std::string, std::string> errors;
    if (input.end_at <= input.start_at) {
      errors["end_at"] = "must be after start_at";
    } else if (input.end_at - input.start_at > kMaxOverrideMs) {
      errors["end_at"] = "must be at most 366 days after start_at";
    }
    if (input.user_id <= 0) {
      errors["user_id"] = "is required";
    } else {
      OPSDESK_ASSIGN_OR_RETURN(std::string problem, store::OnCallUserProblem(tx, input.user_id));
      if (!problem.empty()) errors["user_id"] = problem;
    }
    if (!errors.empty()) return Status::InvalidArgument("override is not valid", errors);
    OPSDESK_ASSIGN_OR_RETURN(out, store::InsertOverride(tx, schedule_id, input, ActorId(actor), now));
    return store::BumpScheduleVersion(tx, schedule_id, now);
  });
  if (!status.ok()) return status;
  return out;
}

Status OnCallService::DeleteOverride(const auth::Actor& actor, int64_t schedule_id, int64_t override_id) {
  OPSDESK_RETURN_IF_ERROR(WriteDenied(actor, "on-call schedules"));
  TimestampMs now = clock_.NowMs();
  return db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(bool deleted, store::DeleteOverride(tx, schedule_id, override_id));
    if (!deleted) return Status::NotFound("override not found");
    return store::BumpScheduleVersion(tx, schedule_id, now);
  });
}

// --- look-ups

Result<std::shared_ptr<const CompiledSchedule>> OnCallService::Snapshot(storage::Transaction& tx,
                                                                         int64_t schedule_id) {
  OPSDESK_ASSIGN_OR_RETURN(auto version, store::ScheduleVersion(tx, schedule_id));
  if (!version) return Status::NotFound("schedule not found");
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(schedule_id);
    if (it != cache_.end() && it->second.version == *version) return it->second.compiled;
  }
  OPSDESK_ASSIGN_OR_RETURN(ScheduleDefinition definition, store::LoadDefinition(tx, schedule_id));
  auto compiled = CompiledSchedule::Compile(definition);
  if (!compiled.ok()) return Status::Internal("stored schedule does not compile: " + compiled.status().ToString());
  std::lock_guard<std::mutex> lock(cache_mu_);
  CacheEntry& entry = cache_[schedule_id];
  if (entry.version <= *version) entry = CacheEntry{*version, *compiled};
  return *compiled;
}

Result<OnCallAt> OnCallService::WhoIsOnCall(const auth::Actor& actor, int64_t schedule_id, TimestampMs at) {
  OPSDESK_RETURN_IF_ERROR(ReadDenied(actor));
  std::shared_ptr<const CompiledSchedule> compiled;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(compiled, Snapshot(tx, schedule_id));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return compiled->At(at);
}

Result<std::vector<Shift>> OnCallService::Shifts(const auth::Actor& actor, int64_t schedule_id, TimestampMs from,
                                                 TimestampMs to) {
  OPSDESK_RETURN_IF_ERROR(ReadDenied(actor));
  if (to <= from) return Status::InvalidArgument("window is not valid", {{"to", "must be after from"}});
  if (to - from > kMaxShiftsSpanMs) {
    return Status::InvalidArgument("window is not valid", {{"to", "must be at most 35 days after from"}});
  }
  std::shared_ptr<const CompiledSchedule> compiled;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(compiled, Snapshot(tx, schedule_id));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return compiled->Shifts(from, to);
}

Result<std::vector<ScheduleOnCall>> OnCallService::TeamOnCall(const auth::Actor& actor, int64_t team_id,
                                                              TimestampMs at) {
  OPSDESK_RETURN_IF_ERROR(ReadDenied(actor));
  std::vector<ScheduleOnCall> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(bool team, store::TeamExists(tx, team_id));
    if (!team) return Status::NotFound("team not found");
    OPSDESK_ASSIGN_OR_RETURN(auto schedules, store::TeamSchedules(tx, team_id));
    for (const auto& [id, name] : schedules) {
      OPSDESK_ASSIGN_OR_RETURN(auto compiled, Snapshot(tx, id));
      OnCallAt now = compiled->At(at);
      out.push_back({id, name, now.user_id, now.until});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

// --- escalation policies

Status OnCallService::CheckPolicyInput(storage::Transaction& tx, const EscalationPolicyInput& input) {
  std::map<std::string, std::string> errors;
  if (auto p = TextFieldProblem(input.name, 1, 100, false); !p.empty()) errors["name"] = p;
  if (auto p = TextFieldProblem(input.description, 0, 2000, true); !p.empty()) errors["description"] = p;
  if (input.repeat < 0 || input.repeat > kMaxRepeat) errors["repeat"] = "must be from 0 to 9";
  if (input.levels.empty() || input.levels.size() > static_cast<size_t>(kMaxLevels)) {
    errors["levels"] = "must have from 1 to 20 levels";
  }
  for (size_t i = 0; i < input.levels.size(); ++i) {
    const EscalationLevel& level = input.levels[i];
    std::string prefix = "levels[" + std::to_string(i) + "].";
    if (level.ack_timeout_minutes < 1 || level.ack_timeout_minutes > 1440) {
      errors[prefix + "ack_timeout_minutes"] = "must be from 1 to 1440 minutes";
    }
    if (level.targets.empty() || level.targets.size() > static_cast<size_t>(kMaxTargetsPerLevel)) {
      errors[prefix + "targets"] = "must have from 1 to 10 targets";
      continue;
    }
    for (const EscalationTarget& t : level.targets) {
      std::string problem;
      if (t.id <= 0) {
        problem = "target ids must be positive";
      } else if (t.kind == TargetKind::kUser) {
        OPSDESK_ASSIGN_OR_RETURN(problem, store::OnCallUserProblem(tx, t.id));
      } else if (t.kind == TargetKind::kSchedule) {
        OPSDESK_ASSIGN_OR_RETURN(auto version, store::ScheduleVersion(tx, t.id));
        if (!version) problem = "schedule " + std::to_string(t.id) + " does not exist";
      } else {
        OPSDESK_ASSIGN_OR_RETURN(bool team, store::TeamExists(tx, t.id));
        if (!team) problem = "team " + std::to_string(t.id) + " does not exist";
      }
      if (!problem.empty()) errors[prefix + "targets"] = problem;
    }
  }
  if (input.team_id <= 0) {
    errors["team_id"] = "is required";
  } else {
    OPSDESK_ASSIGN_OR_RETURN(bool team, store::TeamExists(tx, input.team_id));
    if (!team) errors["team_id"] = "team does not exist";
  }
  if (!errors.empty()) return Status::InvalidArgument("escalation policy is not valid", errors);
  return Status::Ok();
}

Result<EscalationPolicy> OnCallService::CreatePolicy(const auth::Actor& actor, const EscalationPolicyInput& input) {
  OPSDESK_RETURN_IF_ERROR(WriteDenied(actor, "escalation policies"));
  EscalationPolicy out;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_RETURN_IF_ERROR(CheckPolicyInput(tx, input));
    OPSDESK_ASSIGN_OR_RETURN(bool taken, store::PolicyNameTaken(tx, input.team_id, input.name, std::nullopt));
    if (taken) return Status::Conflict("the team already has an escalation policy with this name");
    OPSDESK_ASSIGN_OR_RETURN(int64_t id, store::InsertPolicy(tx, input, clock_.NowMs()));
    OPSDESK_ASSIGN_OR_RETURN(auto found, store::FindPolicy(tx, id));
    out = std::move(*found);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<EscalationPolicy>> OnCallService::ListPolicies(const auth::Actor& actor,
                                                                  std::optional<int64_t> team_id) {
  OPSDESK_RETURN_IF_ERROR(ReadDenied(actor));
  std::vector<EscalationPolicy> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(out, store::ListPolicies(tx, team_id));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<EscalationPolicy> OnCallService::GetPolicy(const auth::Actor& actor, int64_t id) {
  OPSDESK_RETURN_IF_ERROR(ReadDenied(actor));
  EscalationPolicy out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto found, store::FindPolicy(tx, id));
    if (!found) return Status::NotFound("escalation policy not found");
    out = std::move(*found);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<EscalationPolicy> OnCallService::UpdatePolicy(const auth::Actor& actor, int64_t id,
                                                     const EscalationPolicyPatch& patch) {
  OPSDESK_RETURN_IF_ERROR(WriteDenied(actor, "escalation policies"));
  EscalationPolicy out;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto found, store::FindPolicy(tx, id));
    if (!found) return Status::NotFound("escalation policy not found");
    EscalationPolicyInput merged{patch.team_id.value_or(found->team_id),
                                 patch.name.value_or(found->name),
                                 patch.description.value_or(found->description),
                                 patch.levels.value_or(found->levels),
                                 patch.repeat.value_or(found->repeat),
                                 patch.notify_lead_when_exhausted.value_or(found->notify_lead_when_exhausted)};
    OPSDESK_RETURN_IF_ERROR(CheckPolicyInput(tx, merged));
    OPSDESK_ASSIGN_OR_RETURN(bool taken, store::PolicyNameTaken(tx, merged.team_id, merged.name, id));
    if (taken) return Status::Conflict("the team already has an escalation policy with this name");
    OPSDESK_RETURN_IF_ERROR(store::UpdatePolicy(tx, id, merged, clock_.NowMs()));
    if (patch.levels) OPSDESK_RETURN_IF_ERROR(store::ReplaceLevels(tx, id, merged.levels));
    OPSDESK_ASSIGN_OR_RETURN(auto updated, store::FindPolicy(tx, id));
    out = std::move(*updated);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status OnCallService::DeletePolicy(const auth::Actor& actor, int64_t id) {
  OPSDESK_RETURN_IF_ERROR(WriteDenied(actor, "escalation policies"));
  return db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto found, store::FindPolicy(tx, id));
    if (!found) return Status::NotFound("escalation policy not found");
    if (!found->queue_ids.empty()) {
      return Status::Conflict("queues escalate through this policy (" + JoinIds(found->queue_ids) +
                              "); point them elsewhere first");
    }
    return store::DeletePolicy(tx, id);
  });
}

Result<std::vector<int64_t>> OnCallService::ResolveLevel(const auth::Actor& actor, int64_t policy_id,
                                                         int level_index, TimestampMs at) {
  OPSDESK_RETURN_IF_ERROR(ReadDenied(actor));
  std::vector<int64_t> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto policy, store::FindPolicy(tx, policy_id));
    if (!policy) return Status::NotFound("escalation policy not found");
    if (level_index < 0 || static_cast<size_t>(level_index) >= policy->levels.size()) {
      return Status::InvalidArgument("level is not valid",
                                     {{"level", "the policy has " + std::to_string(policy->levels.size()) + " levels"}});
    }
    std::vector<int64_t> candidates;
    for (const EscalationTarget& t : policy->levels[static_cast<size_t>(level_index)].targets) {
      if (t.kind == TargetKind::kUser) {
        candidates.push_back(t.id);
      } else {
        std::vector<int64_t> schedules;
        if (t.kind == TargetKind::kSchedule) {
          schedules.push_back(t.id);
        } else {
          OPSDESK_ASSIGN_OR_RETURN(auto team_schedules, store::TeamSchedules(tx, t.id));
          for (const auto& [id, name] : team_schedules) schedules.push_back(id);
        }
        for (int64_t schedule : schedules) {
          OPSDESK_ASSIGN_OR_RETURN(auto compiled, Snapshot(tx, schedule));
          if (auto user = compiled->UserAt(at)) candidates.push_back(*user);
        }
      }
    }
    for (int64_t user : candidates) {
      if (std::find(out.begin(), out.end(), user) != out.end()) continue;
      OPSDESK_ASSIGN_OR_RETURN(bool active, store::UserIsActive(tx, user));
      if (active) out.push_back(user);
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<QueueEscalation> OnCallService::SetQueueEscalationPolicy(const auth::Actor& actor, int64_t queue_id,
                                                                std::optional<int64_t> policy_id) {
  OPSDESK_RETURN_IF_ERROR(WriteDenied(actor, "queues"));
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(bool queue, store::QueueExists(tx, queue_id));
    if (!queue) return Status::NotFound("queue not found");
    if (policy_id) {
      OPSDESK_ASSIGN_OR_RETURN(auto policy, store::FindPolicy(tx, *policy_id));
      if (!policy) {
        return Status::InvalidArgument("queue escalation is not valid",
                                       {{"escalation_policy_id", "escalation policy does not exist"}});
      }
    }
    return store::SetQueuePolicy(tx, queue_id, policy_id);
  });
  if (!status.ok()) return status;
  return QueueEscalation{queue_id, policy_id};
}

}  // namespace opsdesk::oncall
