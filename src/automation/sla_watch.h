// The SLA watcher: turns the computed SLA clocks (src/sla) into things that
// happen. For every open ticket it
//   - writes an sla_warning ticket event when a clock reaches its warning
//     percentage and an sla_breached event when it passes its target, once per
//     clock cycle, with their notifications (e-mail to the assignee, or the
//     leads; webhooks sla.warning / sla.breached) in the same transaction;
//   - keeps ticket_sla_due.due_at / warn_at (the API's sla_due_at /
//     sla_warn_at), which lists sort and filter on;
//   - fires the automatic escalation rules (escalation_rules.h) once per rule
//     and ticket, through an escalation.auto job;
//   - keeps ticket_sla_due.check_at, the next instant something falls due for it.
// ticket_sla_due (migration 0014) is a narrow row per ticket, apart from the
// wide tickets row, so rewriting these instants for every open ticket after a
// calendar change writes four integers per ticket, not the ticket.
//
// Timers: one durable sla.sweep job (src/jobs) is due at the earliest
// check_at; it refreshes every ticket whose instant has come and schedules
// the next sweep. A change that brings a ticket's instant before the pending
// sweep schedules an earlier one (keyed sla-sweep:<instant>). So nothing lives
// in memory: a restarted node sweeps what fell due while it was down, and on
// PostgreSQL one node claims each sweep.
//
// A refresh runs inside one write transaction holding the tickets' row locks:
// in the transaction of every ticket change (as a TicketOutbox), in a sweep,
// after an escalation pauses or resumes the clocks, and for every open ticket
// after a policy or calendar changed (sla.recompute), in batches that read the
// tickets and their events with two queries and write with one. Events are
// deduplicated against the ticket's own events, so a sweep that runs twice
// (at-least-once jobs) or races a change writes nothing new the second time.
#pragma once

#include <atomic>
#include <optional>
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
  // Tickets per transaction in sweeps and recomputes: fewer commits (each one
  // an fsync) against holding SQLite's single write lock longer (about 10 ms).
  int batch = 2000;
};

class SlaWatch : public tickets::TicketOutbox {
 public:
  // `notify` and `escalations` may be null (no notifications / no automatic
  // escalation on this node); all must outlive this.
  SlaWatch(storage::Database& db, const Clock& clock, jobs::JobService& jobs, notify::NotifyService* notify,
           escalation::EscalationService* escalations, SlaWatchOptions options);

  // Registers sla.sweep, sla.recompute and escalation.auto with the job service.
  void RegisterJobHandlers();

  // TicketOutbox: every ticket change refreshes the ticket in its transaction.
  Status OnTicketCreated(storage::Transaction& tx, const tickets::Ticket& ticket) override;
  Status OnCommentAdded(storage::Transaction& tx, const tickets::Ticket& ticket,
                        const tickets::Comment& comment) override;
  Status OnTicketUpdated(storage::Transaction& tx, const tickets::Ticket& before,
                         const tickets::Ticket& after) override;

  // Brings one ticket up to date in `tx` (see the file comment).
  Status Refresh(storage::Transaction& tx, int64_t ticket_id);

  // Every ticket whose check instant has come; returns how many were refreshed.
  Result<int64_t> Sweep();
  // Every open ticket; returns how many were refreshed.
  Result<int64_t> RecomputeAll();

  // The job handlers, public for tests.
  Status RunSweep(const jobs::Job& job);
  Status RunRecompute(const jobs::Job& job);
  Status RunAutoEscalate(const jobs::Job& job);

 private:
  struct Watched;
  struct Context;
  // Reads the tickets `where_sql` selects (with their events), locked.
  // With `read_events` false, a ticket's events are read only when its cached
  // timelines (ticket_sla) do not fit the policy that applies now.
  Result<std::vector<Watched>> LoadWatched(storage::Transaction& tx, const std::string& where_sql,
                                           const storage::Params& params, const Context& ctx, bool read_events);
  // Refreshes the loaded tickets and writes what changed.
  Status RefreshAll(storage::Transaction& tx, std::vector<Watched>& tickets, const Context& ctx);
  // RefreshAll in two steps: the clocks of tickets read from the cache (no
  // database: may run on other threads), then the rest and the writes.
  struct Computed;
  static size_t ComputeThreads(size_t tickets);
  // One transaction of RecomputeAll: ids[from, end), in parts.
  Status RecomputeBatch(const std::vector<int64_t>& ids, size_t from, size_t end, Context& ctx,
                        std::atomic<int64_t>& refreshed);
  static std::vector<Computed> ComputeFromCache(const std::vector<Watched>& tickets, const Context& ctx,
                                                size_t threads);
  // `earliest_check`: lowered to the earliest check instant written; the
  // caller makes sure a sweep is due by then (EnsureSweep), once per transaction.
  Status ApplyRefresh(storage::Transaction& tx, std::vector<Watched>& tickets, std::vector<Computed>& computed,
                      const Context& ctx, std::optional<TimestampMs>& earliest_check);
  Status WriteClockEvent(storage::Transaction& tx, const sla::TicketSnapshot& ticket, const sla::SlaPolicy& policy,
                         const sla::TargetClock& clock, const std::string& kind, TimestampMs now);
  // Makes sure a sweep is due at or before `at`.
  Status EnsureSweep(storage::Transaction& tx, TimestampMs at);

  storage::Database& db_;
  const Clock& clock_;
  jobs::JobService& jobs_;
  notify::NotifyService* notify_;
  escalation::EscalationService* escalations_;
  SlaWatchOptions options_;
};

}  // namespace opsdesk::automation
