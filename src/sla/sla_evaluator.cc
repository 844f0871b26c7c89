#include "sla/sla_evaluator.h"

#include "sla/sla_store.h"

namespace opsdesk::sla {

Result<SlaEvaluator> SlaEvaluator::Load(storage::Transaction& tx) {
  SlaEvaluator out;
  auto policies = store::LoadPolicies(tx);
  if (!policies.ok()) return policies.status();
  out.policies_ = std::move(*policies);
  for (const auto& policy : out.policies_) {
    if (out.calendars_.count(policy.calendar_id)) continue;
    auto calendar = store::LoadCalendar(tx, policy.calendar_id);
    if (!calendar.ok()) return calendar.status();
    if (!*calendar) return Status::Internal("SLA policy refers to a missing calendar");
    auto compiled = CompiledCalendar::Compile(**calendar);
    if (!compiled.ok()) return Status::Internal("stored calendar does not compile: " + compiled.status().message());
    out.calendars_.emplace(policy.calendar_id, std::move(*compiled));
  }
  return out;
}

const CompiledCalendar* SlaEvaluator::CalendarOf(const SlaPolicy& policy) const {
  auto it = calendars_.find(policy.calendar_id);
  return it == calendars_.end() ? nullptr : &it->second;
}

Result<std::optional<SlaEvaluation>> SlaEvaluator::Evaluate(storage::Transaction& tx, int64_t ticket_id,
                                                             TimestampMs now) const {
  auto snapshot = store::LoadTicketSnapshot(tx, ticket_id);
  if (!snapshot.ok()) return snapshot.status();
  if (!*snapshot) return std::optional<SlaEvaluation>();
  // Read even without a policy: automatic escalation rules look for the first
  // response in them.
  auto events = store::LoadTicketEvents(tx, ticket_id);
  if (!events.ok()) return events.status();
  auto evaluation = Evaluate(std::move(**snapshot), std::move(*events), now);
  if (!evaluation.ok()) return evaluation.status();
  return std::optional<SlaEvaluation>(std::move(*evaluation));
}

Result<SlaEvaluation> SlaEvaluator::Evaluate(TicketSnapshot ticket, std::vector<tickets::TicketEvent> events,
                                             TimestampMs now) const {
  SlaEvaluation out;
  out.ticket = std::move(ticket);
  out.events = std::move(events);
  out.policy = PolicyFor(out.ticket);
  if (!out.policy) return out;
  out.calendar = CalendarOf(*out.policy);
  if (!out.calendar) return Status::Internal("SLA policy's calendar was not loaded");
  auto clocks = ComputeClocks(out.ticket, out.events, *out.policy, *out.calendar, now);
  if (!clocks.ok()) return clocks.status();
  out.clocks = std::move(*clocks);
  return out;
}

}  // namespace opsdesk::sla
