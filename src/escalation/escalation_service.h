// Escalations (docs/ESCALATION.md): a ticket escalated to on-call engineering
// (the ticket's queue's escalation policy) or to the leads (tier l2), paged
// level by level through durable jobs until someone acknowledges.
//
// Every change writes internal ticket events in the same transaction as the
// change, and schedules its jobs (escalation.page, escalation.timeout) there too.
// Staff only; a requester gets kNotFound for a ticket that is not theirs and
// kPermissionDenied otherwise.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/result.h"
#include "jobs/job_service.h"
#include "notify/notify_service.h"
#include "notify/signed_link.h"
#include "oncall/oncall_service.h"
#include "storage/database.h"
#include "tickets/ticket_service.h"

namespace opsdesk::escalation {

inline constexpr const char* kPageJob = "escalation.page";
inline constexpr const char* kTimeoutJob = "escalation.timeout";
inline constexpr const char* kAckPurpose = "esc-ack";

// One of an escalation's own clocks (wall-clock: on-call is round the clock):
// time to acknowledge and time to the engineering team's first response.
struct EscalationClock {
  int64_t target_minutes = 0;
  TimestampMs due_at = 0;
  std::optional<TimestampMs> met_at;
  std::string state;  // running | met | breached | stopped (closed before it was met, in time)
};

struct Escalation {
  int64_t id = 0;
  int64_t ticket_id = 0;
  std::optional<int64_t> policy_id;
  std::string tier;      // l2 | engineering
  std::string severity;  // sev1..sev4
  std::string reason;
  std::string state;  // triggered | acknowledged | resolved | unacknowledged | cancelled
  int64_t step = 0;
  int64_t level = 0;
  std::optional<int64_t> created_by;
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
  std::optional<int64_t> acknowledged_by;
  std::optional<TimestampMs> acknowledged_at;
  std::optional<int64_t> resolved_by;
  std::optional<TimestampMs> resolved_at;
  std::optional<int64_t> cancelled_by;
  std::optional<TimestampMs> cancelled_at;
  std::optional<int64_t> rule_id;        // set when an automatic escalation rule created it
  std::optional<int64_t> responded_by;   // the first comment by the team escalated to
  std::optional<TimestampMs> responded_at;
  int64_t ack_target_minutes = 0;        // per severity (escalation_severity_targets)
  int64_t response_target_minutes = 0;
  EscalationClock AckClock(TimestampMs now) const;
  EscalationClock ResponseClock(TimestampMs now) const;
  bool IsOpen() const { return state == "triggered" || state == "acknowledged" || state == "unacknowledged"; }
};

struct NewEscalation {
  std::string reason;
  std::string severity;
  std::string tier = "engineering";
};

struct SeverityTargets {
  std::string severity;
  int64_t ack_minutes = 0;
  int64_t response_minutes = 0;
};

struct EscalationOptions {
  std::string public_url = "http://127.0.0.1:8080";
  bool email_enabled = false;
  int64_t link_ttl_ms = 24LL * 3600 * 1000;
  int l2_ack_timeout_minutes = 30;  // tier l2 pages the leads once, then times out
};

class EscalationService : public tickets::TicketOutbox {
 public:
  // `notify` may be null (no webhooks); all must outlive this.
  EscalationService(storage::Database& db, const Clock& clock, jobs::JobService& jobs, oncall::OnCallService& oncall,
                    notify::NotifyService* notify, notify::LinkSigner signer, EscalationOptions options);

  // Registers escalation.page and escalation.timeout with the job service.
  void RegisterJobHandlers();

  // kInvalidArgument (fields reason, severity, tier, ticket), kFailedPrecondition
  // when the queue has no escalation policy or the ticket is closed, kConflict
  // when the ticket already has an open escalation.
  Result<Escalation> Create(const auth::Actor& actor, int64_t ticket_id, const NewEscalation& input);
  // The same for an automatic escalation rule (the system escalates); at most
  // one escalation per rule and ticket (kConflict for a second).
  Result<Escalation> CreateByRule(int64_t ticket_id, const NewEscalation& input, int64_t rule_id);
  Result<std::vector<Escalation>> ListForTicket(const auth::Actor& actor, int64_t ticket_id);
  // state: open (triggered, acknowledged, unacknowledged), one state, or all
  // (nullopt). Newest first, at most 200.
  Result<std::vector<Escalation>> List(const auth::Actor& actor, const std::optional<std::string>& state);
  Result<Escalation> Get(const auth::Actor& actor, int64_t id);

  // Acknowledged stays acknowledged (idempotent); resolved/cancelled: kFailedPrecondition.
  Result<Escalation> Acknowledge(const auth::Actor& actor, int64_t id);
  // The signed link: kUnauthenticated for a bad, expired or foreign token, and
  // for a personal link whose recipient is no longer active staff. A personal
  // link records its recipient as who acknowledged; a webhook's link, nobody.
  Result<Escalation> AcknowledgeByLink(int64_t id, const std::string& token);
  Result<Escalation> Resolve(const auth::Actor& actor, int64_t id);
  Result<Escalation> Cancel(const auth::Actor& actor, int64_t id);

  // The escalation clocks' targets per severity: staff read, leads and admins set.
  Result<std::vector<SeverityTargets>> ListTargets(const auth::Actor& actor);
  Result<SeverityTargets> SetTargets(const auth::Actor& actor, const SeverityTargets& targets);

  // TicketOutbox: the first comment (public or internal) on an escalated
  // ticket by the team escalated to (a member of the queue's team, whoever
  // acknowledged, or a lead for tier l2) stops the response clock.
  Status OnTicketCreated(storage::Transaction& tx, const tickets::Ticket& ticket) override;
  Status OnCommentAdded(storage::Transaction& tx, const tickets::Ticket& ticket,
                        const tickets::Comment& comment) override;

  // Called inside every transaction that opens or closes an escalation (the
  // SLA watcher refreshes the ticket: its clocks may pause or resume).
  void SetTicketHook(std::function<Status(storage::Transaction&, int64_t ticket_id)> hook) {
    ticket_hook_ = std::move(hook);
  }

  // public_url + /api/v1/escalations/{id}/ack?token=...: naming nobody (in
  // webhook events), or the person a page or notice is e-mailed to.
  std::string AckUrl(int64_t id, TimestampMs expires_at) const;
  std::string PersonalAckUrl(int64_t id, int64_t user_id, TimestampMs expires_at) const;
  std::string TicketUrl(int64_t ticket_id) const;

  // The job handlers, public for tests.
  Status RunPage(const jobs::Job& job);
  Status RunTimeout(const jobs::Job& job);

  // Tests: called inside Create's transaction after the row and event are
  // written, before the jobs; an error rolls everything back.
  void SetCreateFaultForTest(std::function<Status()> fault) { create_fault_ = std::move(fault); }

 private:
  Result<Escalation> Transition(std::optional<int64_t> by, int64_t id, const std::string& to, const std::string& via);
  Status CheckTicketAccess(const auth::Actor& actor, int64_t ticket_id);
  Result<Escalation> CreateInTx(storage::Transaction& tx, std::optional<int64_t> by, int64_t ticket_id,
                                const NewEscalation& input, std::optional<int64_t> rule_id);
  // sla_paused / sla_resumed when the ticket's SLA policy pauses for engineering.
  Status MarkHold(storage::Transaction& tx, const Escalation& e, bool paused, std::optional<int64_t> by,
                  TimestampMs now);

  storage::Database& db_;
  const Clock& clock_;
  jobs::JobService& jobs_;
  oncall::OnCallService& oncall_;
  notify::NotifyService* notify_;
  notify::LinkSigner signer_;
  EscalationOptions options_;
  std::function<Status()> create_fault_;
  std::function<Status(storage::Transaction&, int64_t)> ticket_hook_;
};

}  // namespace opsdesk::escalation
