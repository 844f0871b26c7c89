#include "notify/notify_service.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "common/random.h"
#include "common/text.h"
#include "notify/ssrf_guard.h"
#include "notify/templates.h"

namespace opsdesk::notify {
namespace {

using FieldErrors = std::map<std::string, std::string>;
namespace json = boost::json;

constexpr size_t kMaxWebhooks = 100;

struct PrefKey {
  const char* event_type;
  const char* channel;
};
// What users may choose: the notifications that go to people.
// Pages (escalation.paged) are not optional: whoever is on call gets them.
constexpr PrefKey kPreferenceKeys[] = {{"ticket.replied", "email"},
                                       {"sla.warning", "email"},
                                       {"sla.breached", "email"},
                                       {"escalation.unacknowledged", "email"}};

bool IsPreferenceKey(const std::string& event_type, const std::string& channel) {
  for (const auto& k : kPreferenceKeys) {
    if (event_type == k.event_type && channel == k.channel) return true;
  }
  return false;
}

std::string JoinTypes(const std::vector<std::string>& types) {
  std::string out;
  for (const auto& t : types) out += (out.empty() ? "" : " ") + t;
  return out;
}

Webhook WebhookFromRow(const storage::Row& row) {
  Webhook w;
  w.id = row.Int(0);
  w.url = row.Text(1);
  w.event_types = Split(row.Text(2), ' ');
  w.active = row.Bool(3);
  w.created_at = row.Int(4);
  w.updated_at = row.Int(5);
  return w;
}

constexpr const char* kWebhookColumns = "id, url, event_types, active, created_at, updated_at";

Result<Webhook> LoadWebhook(storage::Transaction& tx, int64_t id) {
  auto row = tx.QueryOne(std::string("SELECT ") + kWebhookColumns + " FROM webhooks WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("webhook " + std::to_string(id) + " not found");
  return WebhookFromRow(**row);
}

void CheckEventTypes(const std::vector<std::string>& types, FieldErrors& errors) {
  const auto& known = WebhookEventTypes();
  if (types.empty()) errors["event_types"] = "must name at least one event type";
  for (const auto& t : types) {
    if (std::find(known.begin(), known.end(), t) == known.end()) {
      errors["event_types"] =
          "each must be one of ticket.created, ticket.replied, escalation.triggered, sla.warning, sla.breached";
    }
  }
}

std::vector<std::string> Dedupe(const std::vector<std::string>& types) {
  std::set<std::string> set(types.begin(), types.end());
  return {set.begin(), set.end()};
}

void CheckSecret(const std::string& secret, FieldErrors& errors) {
  if (secret.size() < 16 || secret.size() > 256 || !TextFieldProblem(secret, 16, 256, false).empty()) {
    errors["secret"] = "must be 16-256 printable characters";
  }
}

Delivery DeliveryOf(const jobs::Job& job) {
  Delivery d;
  d.job = job;
  try {
    json::value payload = json::parse(job.payload);
    d.webhook_id = payload.at("webhook_id").as_int64();
    d.event_type = std::string(payload.at("event").as_string());
  } catch (const std::exception&) {
  }
  return d;
}

json::object PersonJson(const tickets::PersonRef& p) {
  return json::object{{"id", p.id}, {"email", p.email}, {"display_name", p.display_name}};
}

std::string TicketUrl(const std::string& base, int64_t id) {
  std::string b = base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b + "/tickets/" + std::to_string(id);
}

json::object TicketJson(const tickets::Ticket& t, const std::string& public_url) {
  json::array tags;
  for (const auto& tag : t.tags) tags.emplace_back(tag);
  json::object out{{"id", t.id},
                   {"subject", t.subject},
                   {"status", tickets::StatusName(t.status)},
                   {"priority", tickets::PriorityName(t.priority)},
                   {"queue", t.queue_name.empty() ? json::value(nullptr) : json::value(t.queue_name)},
                   {"requester", PersonJson(t.requester)},
                   {"tags", std::move(tags)},
                   {"created_at", FormatTimestamp(t.created_at)},
                   {"url", TicketUrl(public_url, t.id)}};
  return out;
}

}  // namespace

const std::vector<std::string>& WebhookEventTypes() {
  static const std::vector<std::string> kTypes = {"ticket.created", "ticket.replied", "escalation.triggered",
                                                  "sla.warning", "sla.breached"};
  return kTypes;
}

NotifyService::NotifyService(storage::Database& db, const Clock& clock, jobs::JobService& jobs, NotifyOptions options,
                             const WebhookSender* webhooks, const SmtpMailer* mailer)
    : db_(db), clock_(clock), jobs_(jobs), options_(std::move(options)), webhooks_(webhooks), mailer_(mailer) {}

void NotifyService::RegisterJobHandlers() {
  jobs_.RegisterHandler(kWebhookJob, [this](const jobs::Job& job) { return DeliverWebhook(job); });
  jobs_.RegisterHandler(kEmailJob, [this](const jobs::Job& job) { return SendEmail(job); });
}

// --- webhooks

Result<Webhook> NotifyService::CreateWebhook(const auth::Actor& actor, const NewWebhook& input) {
  if (!actor.IsAdmin()) return Status::PermissionDenied("only admins manage webhooks");
  FieldErrors errors;
  if (Status st = CheckWebhookUrlOnSave(input.url, options_.webhook_allow_hosts); !st.ok()) {
    errors["url"] = st.fields().count("url") ? st.fields().at("url") : st.message();
  }
  std::string secret = input.secret.value_or("whsec_" + RandomHex(24));
  CheckSecret(secret, errors);
  CheckEventTypes(input.event_types, errors);
  if (!errors.empty()) return Status::InvalidArgument("webhook is not valid", errors);
  Webhook created;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto count = tx.QueryOne("SELECT COUNT(*) FROM webhooks");
    if (!count.ok()) return count.status();
    if ((*count)->Int(0) >= static_cast<int64_t>(kMaxWebhooks)) {
      return Status::LimitExceeded("at most 100 webhooks");
    }
    TimestampMs now = clock_.NowMs();
    auto row = tx.QueryOne(
        "INSERT INTO webhooks (url, secret, event_types, active, created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {input.url, secret, JoinTypes(Dedupe(input.event_types)), input.active,
         actor.is_system ? std::optional<int64_t>() : std::optional<int64_t>(actor.user_id), now, now});
    if (!row.ok()) return row.status();
    auto loaded = LoadWebhook(tx, (*row)->Int(0));
    if (!loaded.ok()) return loaded.status();
    created = *loaded;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  created.secret = secret;
  return created;
}

Result<std::vector<Webhook>> NotifyService::ListWebhooks(const auth::Actor& actor) {
  if (!actor.IsAdmin()) return Status::PermissionDenied("only admins manage webhooks");
  std::vector<Webhook> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto rows = tx.Query(std::string("SELECT ") + kWebhookColumns + " FROM webhooks ORDER BY id");
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows) out.push_back(WebhookFromRow(row));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<Webhook> NotifyService::GetWebhook(const auth::Actor& actor, int64_t id) {
  if (!actor.IsAdmin()) return Status::PermissionDenied("only admins manage webhooks");
  std::optional<Webhook> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto loaded = LoadWebhook(tx, id);
    if (!loaded.ok()) return loaded.status();
    out = *loaded;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return *out;
}

Result<Webhook> NotifyService::UpdateWebhook(const auth::Actor& actor, int64_t id, const WebhookPatch& patch) {
  if (!actor.IsAdmin()) return Status::PermissionDenied("only admins manage webhooks");
  FieldErrors errors;
  if (patch.url) {
    if (Status st = CheckWebhookUrlOnSave(*patch.url, options_.webhook_allow_hosts); !st.ok()) {
      errors["url"] = st.fields().count("url") ? st.fields().at("url") : st.message();
    }
  }
  if (patch.secret) CheckSecret(*patch.secret, errors);
  if (patch.event_types) CheckEventTypes(*patch.event_types, errors);
  if (!errors.empty()) return Status::InvalidArgument("webhook change is not valid", errors);
  std::optional<Webhook> out;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto loaded = LoadWebhook(tx, id);
    if (!loaded.ok()) return loaded.status();
    TimestampMs now = clock_.NowMs();
    std::string sql = "UPDATE webhooks SET updated_at = ?";
    storage::Params params{now};
    if (patch.url) {
      sql += ", url = ?";
      params.emplace_back(*patch.url);
    }
    if (patch.secret) {
      sql += ", secret = ?";
      params.emplace_back(*patch.secret);
    }
    if (patch.event_types) {
      sql += ", event_types = ?";
      params.emplace_back(JoinTypes(Dedupe(*patch.event_types)));
    }
    if (patch.active) {
      sql += ", active = ?";
      params.emplace_back(*patch.active);
    }
    sql += " WHERE id = ?";
    params.emplace_back(id);
    OPSDESK_RETURN_IF_ERROR(tx.Exec(sql, params).status());
    auto reloaded = LoadWebhook(tx, id);
    if (!reloaded.ok()) return reloaded.status();
    out = *reloaded;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return *out;
}

Status NotifyService::DeleteWebhook(const auth::Actor& actor, int64_t id) {
  if (!actor.IsAdmin()) return Status::PermissionDenied("only admins manage webhooks");
  return db_.Write([&](storage::Transaction& tx) -> Status {
    auto deleted = tx.Exec("DELETE FROM webhooks WHERE id = ?", {id});
    if (!deleted.ok()) return deleted.status();
    if (*deleted == 0) return Status::NotFound("webhook " + std::to_string(id) + " not found");
    return Status::Ok();
  });
}

Result<Page<Delivery>> NotifyService::ListDeliveries(const auth::Actor& actor, std::optional<jobs::JobState> state,
                                                      std::optional<std::string> cursor, int limit) {
  if (!actor.IsAdmin()) return Status::PermissionDenied("only admins manage webhooks");
  jobs::JobFilter filter;
  filter.kind = kWebhookJob;
  filter.state = state;
  filter.cursor = std::move(cursor);
  filter.limit = limit;
  auto page = jobs_.List(filter);
  if (!page.ok()) return page.status();
  Page<Delivery> out;
  for (const auto& job : page->items) out.items.push_back(DeliveryOf(job));
  out.next_cursor = page->next_cursor;
  return out;
}

Result<Delivery> NotifyService::RetryDelivery(const auth::Actor& actor, int64_t id) {
  if (!actor.IsAdmin()) return Status::PermissionDenied("only admins manage webhooks");
  auto job = jobs_.Retry(id, std::string(kWebhookJob));
  if (!job.ok()) {
    if (job.status().code() == StatusCode::kNotFound) return Status::NotFound("delivery " + std::to_string(id) + " not found");
    return job.status();
  }
  return DeliveryOf(*job);
}

// --- preferences

Result<std::vector<NotificationPreference>> NotifyService::GetPreferences(const auth::Actor& actor) {
  if (actor.is_system) return Status::FailedPrecondition("the system actor has no preferences");
  std::vector<NotificationPreference> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto rows = tx.Query("SELECT event_type, channel, enabled FROM notification_preferences WHERE user_id = ?",
                         {actor.user_id});
    if (!rows.ok()) return rows.status();
    for (const auto& k : kPreferenceKeys) {
      NotificationPreference p{k.event_type, k.channel, true};
      for (const auto& row : *rows) {
        if (row.Text(0) == p.event_type && row.Text(1) == p.channel) p.enabled = row.Bool(2);
      }
      out.push_back(p);
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<NotificationPreference>> NotifyService::SetPreferences(
    const auth::Actor& actor, const std::vector<NotificationPreference>& changes) {
  if (actor.is_system) return Status::FailedPrecondition("the system actor has no preferences");
  FieldErrors errors;
  for (size_t i = 0; i < changes.size(); ++i) {
    if (!IsPreferenceKey(changes[i].event_type, changes[i].channel)) {
      errors["preferences[" + std::to_string(i) + "]"] = "unknown event_type and channel (ticket.replied, sla.warning, sla.breached or escalation.unacknowledged with email)";
    }
  }
  if (!errors.empty()) return Status::InvalidArgument("preferences are not valid", errors);
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    TimestampMs now = clock_.NowMs();
    for (const auto& p : changes) {
      OPSDESK_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO notification_preferences (user_id, event_type, channel, enabled, updated_at) "
                  "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, event_type, channel) DO UPDATE SET "
                  "enabled = excluded.enabled, updated_at = excluded.updated_at",
                  {actor.user_id, p.event_type, p.channel, p.enabled, now})
              .status());
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return GetPreferences(actor);
}

// --- the outbox

Status NotifyService::EmitWebhookEvent(storage::Transaction& tx, const std::string& event_type,
                                       const std::string& event_id, const std::string& data_json) {
  auto rows = tx.Query("SELECT id, event_types FROM webhooks WHERE active = 1 ORDER BY id");
  if (!rows.ok()) return rows.status();
  TimestampMs now = clock_.NowMs();
  for (const auto& row : *rows) {
    auto types = Split(row.Text(1), ' ');
    if (std::find(types.begin(), types.end(), event_type) == types.end()) continue;
    int64_t webhook_id = row.Int(0);
    std::string key = "notify:" + event_type + ":" + event_id + ":webhook:" + std::to_string(webhook_id);
    // The body is fixed now, so every attempt sends (and signs) the same bytes.
    std::string body = "{\"id\":" + json::serialize(json::value(key)) + ",\"event\":" +
                       json::serialize(json::value(event_type)) + ",\"occurred_at\":" +
                       json::serialize(json::value(FormatTimestamp(now))) + ",\"data\":" + data_json + "}";
    json::object payload{{"webhook_id", webhook_id}, {"event", event_type}, {"body", body}};
    auto scheduled = jobs_.Schedule(tx, kWebhookJob, json::serialize(payload), now, {key, std::nullopt});
    if (!scheduled.ok()) return scheduled.status();
  }
  return Status::Ok();
}

Status NotifyService::OnTicketCreated(storage::Transaction& tx, const tickets::Ticket& ticket) {
  json::object data{{"ticket", TicketJson(ticket, options_.public_url)}};
  return EmitWebhookEvent(tx, "ticket.created", std::to_string(ticket.id), json::serialize(data));
}

Status NotifyService::OnCommentAdded(storage::Transaction& tx, const tickets::Ticket& ticket,
                                     const tickets::Comment& comment) {
  if (comment.is_internal) return Status::Ok();  // internal notes notify nobody outside
  std::string event_id = std::to_string(comment.id);
  json::object data{{"ticket", TicketJson(ticket, options_.public_url)},
                    {"comment", json::object{{"id", comment.id},
                                             {"author", PersonJson(comment.author)},
                                             {"body", comment.body},
                                             {"created_at", FormatTimestamp(comment.created_at)}}}};
  OPSDESK_RETURN_IF_ERROR(EmitWebhookEvent(tx, "ticket.replied", event_id, json::serialize(data)));

  // E-mail the requester about a reply someone else wrote.
  if (!options_.email_enabled || comment.author.id == ticket.requester.id) return Status::Ok();
  auto requester = tx.QueryOne(
      "SELECT u.email, u.display_name, u.is_active, p.enabled FROM users u LEFT JOIN notification_preferences p "
      "ON p.user_id = u.id AND p.event_type = 'ticket.replied' AND p.channel = 'email' WHERE u.id = ?",
      {ticket.requester.id});
  if (!requester.ok()) return requester.status();
  if (!*requester || !(*requester)->Bool(2)) return Status::Ok();
  if (!(*requester)->IsNull(3) && !(*requester)->Bool(3)) return Status::Ok();  // turned off
  auto tmpl = EmailTemplateFor("ticket.replied");
  if (!tmpl) return Status::Ok();
  RenderedMessage message = Render(*tmpl, {{"recipient_name", (*requester)->Text(1)},
                                           {"author_name", comment.author.display_name},
                                           {"ticket_id", std::to_string(ticket.id)},
                                           {"ticket_subject", ticket.subject},
                                           {"comment_body", comment.body},
                                           {"ticket_url", TicketUrl(options_.public_url, ticket.id)}});
  std::string key = "notify:ticket.replied:" + event_id + ":email:" + std::to_string(ticket.requester.id);
  json::object payload{{"event", "ticket.replied"},
                       {"user_id", ticket.requester.id},
                       {"to", (*requester)->Text(0)},
                       {"to_name", (*requester)->Text(1)},
                       {"subject", message.subject},
                       {"body", message.body}};
  auto scheduled =
      jobs_.Schedule(tx, kEmailJob, json::serialize(payload), clock_.NowMs(), {key, std::nullopt});
  return scheduled.status();
}

Status NotifyService::NotifyUsers(storage::Transaction& tx, const std::string& event_type,
                                  const std::string& event_id, const std::vector<int64_t>& user_ids,
                                  std::map<std::string, std::string> values) {
  if (!options_.email_enabled) return Status::Ok();
  auto tmpl = EmailTemplateFor(event_type);
  if (!tmpl) return Status::Internal("no e-mail template for " + event_type);
  std::set<int64_t> seen;
  for (int64_t user_id : user_ids) {
    if (!seen.insert(user_id).second) continue;
    auto user = tx.QueryOne(
        "SELECT u.email, u.display_name, u.is_active, p.enabled FROM users u LEFT JOIN notification_preferences p "
        "ON p.user_id = u.id AND p.event_type = ? AND p.channel = 'email' WHERE u.id = ?",
        {event_type, user_id});
    if (!user.ok()) return user.status();
    if (!*user || !(*user)->Bool(2)) continue;
    if (!(*user)->IsNull(3) && !(*user)->Bool(3)) continue;  // turned off
    values["recipient_name"] = (*user)->Text(1);
    RenderedMessage message = Render(*tmpl, values);
    std::string key = "notify:" + event_type + ":" + event_id + ":email:" + std::to_string(user_id);
    json::object payload{{"event", event_type},
                         {"user_id", user_id},
                         {"to", (*user)->Text(0)},
                         {"to_name", (*user)->Text(1)},
                         {"subject", message.subject},
                         {"body", message.body}};
    auto scheduled = jobs_.Schedule(tx, kEmailJob, json::serialize(payload), clock_.NowMs(), {key, std::nullopt});
    if (!scheduled.ok()) return scheduled.status();
  }
  return Status::Ok();
}

// --- delivery

Status NotifyService::DeliverWebhook(const jobs::Job& job) {
  if (!webhooks_) return Status::Unavailable("this node does not send webhooks");
  int64_t webhook_id = 0;
  std::string event_type, body;
  try {
    json::value payload = json::parse(job.payload);
    webhook_id = payload.at("webhook_id").as_int64();
    event_type = std::string(payload.at("event").as_string());
    body = std::string(payload.at("body").as_string());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("bad webhook job payload: ") + e.what());
  }
  std::string url, secret;
  bool active = false;
  bool found = false;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne("SELECT url, secret, active FROM webhooks WHERE id = ?", {webhook_id});
    if (!row.ok()) return row.status();
    if (*row) {
      found = true;
      url = (*row)->Text(0);
      secret = (*row)->Text(1);
      active = (*row)->Bool(2);
    }
    return Status::Ok();
  });
  if (!status.ok()) return Status::Unavailable(status.message());
  if (!found || !active) {
    spdlog::info("webhook delivery {} dropped: webhook {} is {}", job.id, webhook_id, found ? "inactive" : "deleted");
    return Status::Ok();
  }
  return webhooks_->Deliver(WebhookRequest{url, secret, job.idempotency_key.value_or(std::to_string(job.id)),
                                           event_type, body});
}

Status NotifyService::SendEmail(const jobs::Job& job) {
  if (!mailer_ || !mailer_->enabled()) return Status::Unavailable("e-mail is not configured on this node");
  EmailMessage message;
  try {
    json::value payload = json::parse(job.payload);
    message.to = std::string(payload.at("to").as_string());
    message.to_name = std::string(payload.at("to_name").as_string());
    message.subject = std::string(payload.at("subject").as_string());
    message.body = std::string(payload.at("body").as_string());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("bad e-mail job payload: ") + e.what());
  }
  message.delivery_id = job.idempotency_key.value_or("job:" + std::to_string(job.id));
  message.message_id = MessageIdFor(message.delivery_id, mailer_->options().from);
  return mailer_->Send(message, clock_.NowMs());
}

}  // namespace opsdesk::notify
