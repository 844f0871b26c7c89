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

namespace opsdesk::escalation {

inline constexpr const char* kPageJob = "escalation.page";
inline constexpr const char* kTimeoutJob = "escalation.timeout";
inline constexpr const char* kAckPurpose = "esc-ack";

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
  bool IsOpen() const { return state == "triggered" || state == "acknowledged" || state == "unacknowledged"; }
};

struct NewEscalation {
  std::string reason;
  std::string severity;
  std::string tier = "engineering";
};

struct EscalationOptions {
  std::string public_url = "http://127.0.0.1:8080";
  bool email_enabled = false;
  int64_t link_ttl_ms = 24LL * 3600 * 1000;
  int l2_ack_timeout_minutes = 30;  // tier l2 pages the leads once, then times out
};

class EscalationService {
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
  Result<std::vector<Escalation>> ListForTicket(const auth::Actor& actor, int64_t ticket_id);
  // state: open (triggered, acknowledged, unacknowledged), one state, or all
  // (nullopt). Newest first, at most 200.
  Result<std::vector<Escalation>> List(const auth::Actor& actor, const std::optional<std::string>& state);
  Result<Escalation> Get(const auth::Actor& actor, int64_t id);

  // Acknowledged stays acknowledged (idempotent); resolved/cancelled: kFailedPrecondition.
  Result<Escalation> Acknowledge(const auth::Actor& actor, int64_t id);
  // The signed link: kUnauthenticated for a bad, expired or foreign token.
  Result<Escalation> AcknowledgeByLink(int64_t id, const std::string& token);
  Result<Escalation> Resolve(const auth::Actor& actor, int64_t id);
  Result<Escalation> Cancel(const auth::Actor& actor, int64_t id);

  // public_url + /api/v1/escalations/{id}/ack?token=...
  std::string AckUrl(int64_t id, TimestampMs expires_at) const;
  std::string TicketUrl(int64_t ticket_id) const;

  // The job handlers, public for tests.
  Status RunPage(const jobs::Job& job);
  Status RunTimeout(const jobs::Job& job);

  // Tests: called inside Create's transaction after the row and event are
  // written, before the jobs; an error rolls everything back.
  void SetCreateFaultForTest(std::function<Status()> fault) { create_fault_ = std::move(fault); }

 private:
  Result<Escalation> Transition(const auth::Actor* actor, int64_t id, const std::string& to, const std::string& via);
  Status CheckTicketAccess(const auth::Actor& actor, int64_t ticket_id);

  storage::Database& db_;
  const Clock& clock_;
  jobs::JobService& jobs_;
  oncall::OnCallService& oncall_;
  notify::NotifyService* notify_;
  notify::LinkSigner signer_;
  EscalationOptions options_;
  std::function<Status()> create_fault_;
};

}  // namespace opsdesk::escalation
