// Notifications: the outbox of ticket events, webhooks (admin-managed targets,
// signed JSON POSTs) and e-mail (SMTP), all delivered as durable jobs.
//
// Whatever causes a notification schedules its delivery job in the causing
// transaction (TicketService calls the TicketOutbox hooks inside its Write), one
// job per (event, channel, target) with the idempotency key
// "notify:<event type>:<event id>:<channel>:<target id>". The key is unique in
// the jobs table, so an event is queued at most once per target; jobs run at
// least once, and each delivery carries the key (X-Opsdesk-Delivery, the
// e-mail's Message-ID) so a receiver can drop a repeat after a crash.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/page.h"
#include "common/result.h"
#include "jobs/job_service.h"
#include "notify/senders.h"
#include "storage/database.h"
#include "tickets/ticket_service.h"

namespace opsdesk::notify {

inline constexpr const char* kWebhookJob = "webhook.deliver";
inline constexpr const char* kEmailJob = "email.send";

// Event types webhooks may subscribe to.
const std::vector<std::string>& WebhookEventTypes();

struct Webhook {
  int64_t id = 0;
  std::string url;
  std::vector<std::string> event_types;
  bool active = true;
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
  std::optional<std::string> secret;  // only in the answer to a create
};

struct NewWebhook {
  std::string url;
  std::optional<std::string> secret;  // absent: one is made and returned once
  std::vector<std::string> event_types;
  bool active = true;
};

struct WebhookPatch {
  std::optional<std::string> url;
  std::optional<std::string> secret;
  std::optional<std::vector<std::string>> event_types;
  std::optional<bool> active;
};

// One webhook delivery: a webhook.deliver job.
struct Delivery {
  jobs::Job job;
  int64_t webhook_id = 0;
  std::string event_type;
};

struct NotificationPreference {
  std::string event_type;
  std::string channel;  // email
  bool enabled = true;
};

struct NotifyOptions {
  std::string public_url = "http://127.0.0.1:8080";  // base of links in messages
  std::vector<std::string> webhook_allow_hosts;
  bool email_enabled = false;  // smtp_url configured
};

class NotifyService : public tickets::TicketOutbox {
 public:
  // `webhooks` and `mailer` may be null on nodes that only schedule (tests);
  // they must outlive this.
  NotifyService(storage::Database& db, const Clock& clock, jobs::JobService& jobs, NotifyOptions options,
                const WebhookSender* webhooks, const SmtpMailer* mailer);

  // Registers the webhook.deliver and email.send handlers with the job service.
  void RegisterJobHandlers();

  // Webhooks: admins only (kPermissionDenied otherwise).
  Result<Webhook> CreateWebhook(const auth::Actor& actor, const NewWebhook& input);
  Result<std::vector<Webhook>> ListWebhooks(const auth::Actor& actor);
  Result<Webhook> GetWebhook(const auth::Actor& actor, int64_t id);
  Result<Webhook> UpdateWebhook(const auth::Actor& actor, int64_t id, const WebhookPatch& patch);
  Status DeleteWebhook(const auth::Actor& actor, int64_t id);
  Result<Page<Delivery>> ListDeliveries(const auth::Actor& actor, std::optional<jobs::JobState> state,
                                        std::optional<std::string> cursor, int limit);
  // Queues a dead delivery again (kFailedPrecondition unless it is dead).
  Result<Delivery> RetryDelivery(const auth::Actor& actor, int64_t id);

  // The actor's own preferences: every (event type, channel) users may choose,
  // enabled unless turned off.
  Result<std::vector<NotificationPreference>> GetPreferences(const auth::Actor& actor);
  // Sets the given ones (others keep their value); returns all of them.
  Result<std::vector<NotificationPreference>> SetPreferences(const auth::Actor& actor,
                                                             const std::vector<NotificationPreference>& changes);

  // TicketOutbox: new ticket -> webhooks subscribed to ticket.created; public
  // reply -> webhooks subscribed to ticket.replied, and an e-mail to the
  // requester unless they wrote it or turned it off.
  Status OnTicketCreated(storage::Transaction& tx, const tickets::Ticket& ticket) override;
  Status OnCommentAdded(storage::Transaction& tx, const tickets::Ticket& ticket,
                        const tickets::Comment& comment) override;

  // Queues `event_type` (data: the event's JSON) to every active webhook
  // subscribed to it, in `tx`. `event_id` makes the idempotency keys.
  Status EmitWebhookEvent(storage::Transaction& tx, const std::string& event_type, const std::string& event_id,
                          const std::string& data_json);

  // Queues an e-mail of `event_type` (its template, filled with `values` plus
  // recipient_name) to each active user in `user_ids` who has not turned that
  // event off, in `tx`. `event_id` makes the idempotency keys. Nothing when
  // e-mail is not configured.
  Status NotifyUsers(storage::Transaction& tx, const std::string& event_type, const std::string& event_id,
                     const std::vector<int64_t>& user_ids, std::map<std::string, std::string> values);

  // The handlers, public for tests.
  Status DeliverWebhook(const jobs::Job& job);
  Status SendEmail(const jobs::Job& job);

 private:
  storage::Database& db_;
  const Clock& clock_;
  jobs::JobService& jobs_;
  NotifyOptions options_;
  const WebhookSender* webhooks_;
  const SmtpMailer* mailer_;
};

}  // namespace opsdesk::notify
