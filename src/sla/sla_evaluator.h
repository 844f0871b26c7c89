// Judges tickets' SLA clocks inside a caller's transaction, with the policies
// and their compiled calendars loaded once: once per ticket change (the SLA
// watcher, src/automation) or once for every open ticket after a policy or
// calendar change. SlaService::GetTicketSla reads through it too, so the API,
// the lists and the timers agree.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "common/result.h"
#include "sla/calendar.h"
#include "sla/clocks.h"
#include "storage/database.h"
#include "tickets/ticket.h"

namespace opsdesk::sla {

struct SlaEvaluation {
  TicketSnapshot ticket;
  const SlaPolicy* policy = nullptr;            // nullptr: no policy matches; owned by the evaluator
  const CompiledCalendar* calendar = nullptr;   // the policy's; nullptr without a policy
  std::vector<tickets::TicketEvent> events;     // every event of the ticket, by id
  std::vector<TargetClock> clocks;              // empty without a policy
};

class SlaEvaluator {
 public:
  // Loads the policies in match order and compiles each calendar they use.
  static Result<SlaEvaluator> Load(storage::Transaction& tx);

  bool has_policies() const { return !policies_.empty(); }
  const std::vector<SlaPolicy>& policies() const { return policies_; }
  const SlaPolicy* PolicyFor(const TicketSnapshot& ticket) const { return SelectPolicy(policies_, ticket); }
  const CompiledCalendar* CalendarOf(const SlaPolicy& policy) const;

  // nullopt when there is no such ticket.
  Result<std::optional<SlaEvaluation>> Evaluate(storage::Transaction& tx, int64_t ticket_id, TimestampMs now) const;
  // The same for a ticket and events already read.
  Result<SlaEvaluation> Evaluate(TicketSnapshot ticket, std::vector<tickets::TicketEvent> events,
                                 TimestampMs now) const;

 private:
  std::vector<SlaPolicy> policies_;
  std::map<int64_t, CompiledCalendar> calendars_;  // by calendar id
};

}  // namespace opsdesk::sla
