// Notifications: the caller's preferences, and webhooks with their deliveries
// (admins).
#include "http/api.h"
#include "http/json_io.h"

namespace opsdesk::http {
namespace {

namespace json = boost::json;

json::object WebhookJson(const notify::Webhook& w) {
  json::array types;
  for (const auto& t : w.event_types) types.emplace_back(t);
  json::object out{{"id", w.id},
                   {"url", w.url},
                   {"event_types", std::move(types)},
                   {"active", w.active},
                   {"created_at", FormatTimestamp(w.created_at)},
                   {"updated_at", FormatTimestamp(w.updated_at)}};
  if (w.secret) out["secret"] = *w.secret;  // only when just created
  return out;
}

json::object DeliveryJson(const notify::Delivery& d) {
  const jobs::Job& j = d.job;
  return json::object{{"id", j.id},
                      {"webhook_id", d.webhook_id},
                      {"event_type", d.event_type},
                      {"delivery_id", OptionalString(j.idempotency_key)},
                      {"state", jobs::JobStateName(j.state)},
                      {"attempts", j.attempts},
                      {"max_attempts", j.max_attempts},
                      {"next_attempt_at", j.state == jobs::JobState::kPending ? json::value(FormatTimestamp(j.due_at))
                                                                              : json::value(nullptr)},
                      {"last_error", OptionalString(j.last_error)},
                      {"created_at", FormatTimestamp(j.created_at)},
                      {"updated_at", FormatTimestamp(j.updated_at)},
                      {"finished_at", OptionalTime(j.finished_at)}};
}

json::object PreferencesJson(const std::vector<notify::NotificationPreference>& prefs) {
  json::array items;
  for (const auto& p : prefs) {
    items.push_back(json::object{{"event_type", p.event_type}, {"channel", p.channel}, {"enabled", p.enabled}});
  }
  return json::object{{"preferences", std::move(items)}};
}

Response AdminOnly(const CallContext& ctx) {
  return ErrorResponse(Status::PermissionDenied("only admins manage webhooks"), ctx.request);
}

// event_types: an array of strings; adds a field error otherwise.
std::optional<std::vector<std::string>> ReadEventTypes(FieldReader& in) {
  return in.StringArray("event_types");
}

}  // namespace

void RegisterNotifyRoutes(Router& router, ApiServices& s) {
  router.Add("GET", "/api/v1/me/notification-preferences", [&s](CallContext& ctx) {
    auto prefs = s.notify.GetPreferences(ctx.actor());
    if (!prefs.ok()) return ErrorResponse(prefs.status(), ctx.request);
    return JsonResponse(200, PreferencesJson(*prefs));
  });

  router.Add("PUT", "/api/v1/me/notification-preferences", [&s](CallContext& ctx) {
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"preferences"});
    std::vector<notify::NotificationPreference> changes;
    const json::value* list = body->if_contains("preferences");
    if (!list || !list->is_array()) {
      in.AddError("preferences", "must be an array of {event_type, channel, enabled}");
    } else {
      for (size_t i = 0; i < list->as_array().size(); ++i) {
        const json::value& item = list->as_array()[i];
        std::string field = "preferences[" + std::to_string(i) + "]";
        if (!item.is_object()) {
          in.AddError(field, "must be an object {event_type, channel, enabled}");
          continue;
        }
        FieldReader pin(item.as_object(), {"event_type", "channel", "enabled"});
        notify::NotificationPreference p;
        p.event_type = pin.String("event_type", true).value_or("");
        p.channel = pin.String("channel", true).value_or("");
        auto enabled = pin.Bool("enabled");
        if (!enabled) pin.AddError("enabled", "is required");
        p.enabled = enabled.value_or(true);
        if (Status st = pin.Finish("bad"); !st.ok()) {
          for (const auto& [name, message] : st.fields()) in.AddError(field + "." + name, message);
          continue;
        }
        changes.push_back(p);
      }
      if (list->as_array().size() > 50) in.AddError("preferences", "at most 50 entries");
    }
    if (Status st = in.Finish("preferences are not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto prefs = s.notify.SetPreferences(ctx.actor(), changes);
    if (!prefs.ok()) return ErrorResponse(prefs.status(), ctx.request);
    return JsonResponse(200, PreferencesJson(*prefs));
  });

  router.Add("POST", "/api/v1/webhooks", [&s](CallContext& ctx) {
    if (!ctx.actor().IsAdmin()) return AdminOnly(ctx);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"url", "secret", "event_types", "active"});
    notify::NewWebhook input;
    input.url = in.String("url", true).value_or("");
    input.secret = in.String("secret");
    auto types = ReadEventTypes(in);
    if (!types && !in.Has("event_types")) in.AddError("event_types", "is required");
    input.event_types = types.value_or(std::vector<std::string>{});
    input.active = in.Bool("active").value_or(true);
    if (Status st = in.Finish("webhook is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto created = s.notify.CreateWebhook(ctx.actor(), input);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return JsonResponse(201, WebhookJson(*created));
  });

  router.Add("GET", "/api/v1/webhooks", [&s](CallContext& ctx) {
    auto hooks = s.notify.ListWebhooks(ctx.actor());
    if (!hooks.ok()) return ErrorResponse(hooks.status(), ctx.request);
    json::array items;
    for (const auto& w : *hooks) items.push_back(WebhookJson(w));
    return PageResponse(std::move(items), std::nullopt);
  });

  // Registered before /webhooks/{id}: the first matching route wins.
  router.Add("GET", "/api/v1/webhooks/deliveries", [&s](CallContext& ctx) {
    if (!ctx.actor().IsAdmin()) return AdminOnly(ctx);
    int limit = kDefaultPageLimit;
    std::optional<std::string> cursor;
    if (Status st = ReadPaging(ctx.request, &limit, &cursor); !st.ok()) return ErrorResponse(st, ctx.request);
    std::optional<jobs::JobState> state;
    if (auto text = ctx.request.QueryParam("state")) {
      state = jobs::ParseJobState(*text);
      if (!state) {
        return ErrorResponse(
            Status::InvalidArgument("invalid query", {{"state", "must be one of pending, running, done, dead"}}),
            ctx.request);
      }
    }
    auto page = s.notify.ListDeliveries(ctx.actor(), state, cursor, limit);
    if (!page.ok()) return ErrorResponse(page.status(), ctx.request);
    json::array items;
    for (const auto& d : page->items) items.push_back(DeliveryJson(d));
    return PageResponse(std::move(items), page->next_cursor);
  });

  router.Add("POST", "/api/v1/webhooks/deliveries/{id}/retry", [&s](CallContext& ctx) {
    if (!ctx.actor().IsAdmin()) return AdminOnly(ctx);
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("delivery not found"), ctx.request);
    auto delivery = s.notify.RetryDelivery(ctx.actor(), *id);
    if (!delivery.ok()) return ErrorResponse(delivery.status(), ctx.request);
    return JsonResponse(200, DeliveryJson(*delivery));
  });

  router.Add("GET", "/api/v1/webhooks/{id}", [&s](CallContext& ctx) {
    if (!ctx.actor().IsAdmin()) return AdminOnly(ctx);
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("webhook not found"), ctx.request);
    auto hook = s.notify.GetWebhook(ctx.actor(), *id);
    if (!hook.ok()) return ErrorResponse(hook.status(), ctx.request);
    return JsonResponse(200, WebhookJson(*hook));
  });

  router.Add("PATCH", "/api/v1/webhooks/{id}", [&s](CallContext& ctx) {
    if (!ctx.actor().IsAdmin()) return AdminOnly(ctx);
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("webhook not found"), ctx.request);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"url", "secret", "event_types", "active"});
    notify::WebhookPatch patch;
    patch.url = in.String("url");
    patch.secret = in.String("secret");
    patch.event_types = ReadEventTypes(in);
    patch.active = in.Bool("active");
    if (Status st = in.Finish("webhook change is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto hook = s.notify.UpdateWebhook(ctx.actor(), *id, patch);
    if (!hook.ok()) return ErrorResponse(hook.status(), ctx.request);
    return JsonResponse(200, WebhookJson(*hook));
  });

  router.Add("DELETE", "/api/v1/webhooks/{id}", [&s](CallContext& ctx) {
    if (!ctx.actor().IsAdmin()) return AdminOnly(ctx);
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("webhook not found"), ctx.request);
    if (Status st = s.notify.DeleteWebhook(ctx.actor(), *id); !st.ok()) return ErrorResponse(st, ctx.request);
    Response response;
    response.status = 204;
    return response;
  });
}

}  // namespace opsdesk::http
