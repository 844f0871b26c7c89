// The SLA watcher: turns the computed SLA clocks (src/sla) into things that
// happen. For every open ticket it
//   - writes an sla_warning ticket event when a clock reaches its warning
//     percentage and an sla_breached event when it passes its target, once per
//     clock cycle, with their notifications (e-mail to the assignee, or the
//     leads; webhooks sla.warning / sla.breached) in the same transaction;
//   - keeps tickets.sla_due_at / sla_warn_at, which lists sort and filter on;
//   - fires the automatic escalation rules (escalation_rules.h) once per rule
//     and ticket, through an escalation.auto job;
//   - keeps one durable timer, an sla.check job keyed sla:<ticket>:<instant>,
//     at the next instant something is due, so nothing depends on memory.
//
// Refresh() does all of this inside one write transaction that holds the
// ticket's row lock. It runs in the transaction of every ticket change (as a
// TicketOutbox), when a timer fires, after an escalation pauses or resumes the
// clocks, and for every open ticket after a policy or calendar changed
// (sla.recompute). Events are deduplicated against the ticket's own events, so
// a timer that runs twice (at-least-once jobs) or a refresh racing a timer
// writes nothing new the second time.
#pragma once

#include <string>
#include <vector>

#include "automation/escalation_rules.h"
#include "common/clock.h"
#include "common/result.h"
#include "escalation/escalation_service.h"
#include "jobs/job_service.h"
#include "notify/notify_service.h"
#include "sla/sla_evaluator.h"
#include "storage/database.h"
#include "tickets/ticket_service.h"

namespace opsdesk::automation {

inline constexpr const char* kAutoEscalateJob = "escalation.auto";

struct SlaWatchOptions {
  std::string public_url = "http://127.0.0.1:8080";
  int recompute_batch = 500;  // open tickets per transaction in sla.recompute
};

class SlaWatch : public tickets::TicketOutbox {
 public:
  // `notify` and `escalations` may be null (no notifications / no automatic
  // escalation on this node); all must outlive this.
  SlaWatch(storage::Database& db, const Clock& clock, jobs::JobService& jobs, notify::NotifyService* notify,
           escalation::EscalationService* escalations, SlaWatchOptions options);

  // Registers sla.check, sla.recompute and escalation.auto with the job service.
  void RegisterJobHandlers();

  // TicketOutbox: every ticket change refreshes the ticket in its transaction.
  Status OnTicketCreated(storage::Transaction& tx, const tickets::Ticket& ticket) override;
  Status OnCommentAdded(storage::Transaction& tx, const tickets::Ticket& ticket,
                        const tickets::Comment& comment) override;
  Status OnTicketUpdated(storage::Transaction& tx, const tickets::Ticket& before,
                         const tickets::Ticket& after) override;

  // Brings one ticket up to date in `tx` (see the file comment).
  Status Refresh(storage::Transaction& tx, int64_t ticket_id);

  // Every open ticket, in batches of recompute_batch per transaction. Returns
  // how many tickets were refreshed.
  Result<int64_t> RecomputeAll();

  // The job handlers, public for tests.
  Status RunCheck(const jobs::Job& job);
  Status RunRecompute(const jobs::Job& job);
  Status RunAutoEscalate(const jobs::Job& job);

 private:
  Status RefreshWith(storage::Transaction& tx, int64_t ticket_id, const sla::SlaEvaluator& evaluator,
                     const std::vector<EscalationRule>& rules, TimestampMs now);
  Status WriteClockEvent(storage::Transaction& tx, const sla::SlaEvaluation& eval, const sla::TargetClock& clock,
                         const std::string& kind, TimestampMs now);

  storage::Database& db_;
  const Clock& clock_;
  jobs::JobService& jobs_;
  notify::NotifyService* notify_;
  escalation::EscalationService* escalations_;
  SlaWatchOptions options_;
};

}  // namespace opsdesk::automation
