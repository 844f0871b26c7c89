// The agent workspace: saved views with their counts, bulk ticket changes and
// the Markdown preview.
#include "http/api.h"
#include "http/errors.h"
#include "http/json_io.h"
#include "http/views.h"
#include "markdown/markdown.h"

namespace opsdesk::http {
namespace {


// GET /tickets reads a queue parameter of digits as an id, so a queue whose
// name is all digits is named by its id instead.
bool IsAllDigits(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The GET /api/v1/tickets query parameters that list exactly the view's tickets.
boost::json::object ViewQuery(const tickets::TicketFilter& f, int64_t me) {
  boost::json::object query;
  if (f.unassigned) {
    query["assignee"] = "none";
  } else if (f.assignee_id) {
    query["assignee"] = *f.assignee_id == me ? std::string("me") : std::to_string(*f.assignee_id);
  }
  if (f.queue) {
    const std::string name = f.queue->name.value_or("");
    query["queue"] = f.queue->id && (name.empty() || IsAllDigits(name)) ? std::to_string(*f.queue->id) : name;
  }
  if (!f.statuses.empty()) {
    std::string statuses;
    for (auto status : f.statuses) {
      if (!statuses.empty()) statuses += ',';
      statuses += tickets::StatusName(status);
    }
    query["status"] = statuses;
  }
  if (f.sla == tickets::SlaFilter::kAtRisk) query["sla"] = "at_risk";
  if (f.sla == tickets::SlaFilter::kBreached) query["sla"] = "breached";
  if (f.sort == tickets::TicketSort::kSlaDueAsc) query["sort"] = "sla_due_at";
  return query;
}

// {"ids": [...], "changes": {...}}; errors inside changes are named changes.<field>.
Status ReadBulkRequest(const boost::json::object& body, std::vector<int64_t>* ids, tickets::BulkChange* change) {
  FieldReader in(body, {"ids", "changes"});
  const auto* ids_value = body.if_contains("ids");
  if (!ids_value || ids_value->is_null()) {
    in.AddError("ids", "is required");
  } else if (!ids_value->is_array()) {
    in.AddError("ids", "must be an array of ticket ids");
  } else {
    for (const auto& item : ids_value->as_array()) {
      if (!item.is_int64()) {
        in.AddError("ids", "must be an array of ticket ids");
        break;
      }
      ids->push_back(item.as_int64());
    }
  }
  const auto* changes = body.if_contains("changes");
  if (!changes || changes->is_null()) {
    in.AddError("changes", "is required");
  } else if (!changes->is_object()) {
    in.AddError("changes", "must be an object");
  } else {
    const auto& object = changes->as_object();
    FieldReader c(object, {"status", "priority", "assignee_id", "queue", "add_tags", "remove_tags"});
    change->status = c.String("status");
    change->priority = c.String("priority");
    if (c.Has("assignee_id")) change->assignee_id = c.Int("assignee_id");
    if (c.Has("queue")) change->queue = ReadQueueRef(object, c);
    change->add_tags = c.StringArray("add_tags").value_or(std::vector<std::string>{});
    change->remove_tags = c.StringArray("remove_tags").value_or(std::vector<std::string>{});
    Status inner = c.Finish("bulk change is not valid");
    for (const auto& [field, message] : inner.fields()) in.AddError("changes." + field, message);
  }
  return in.Finish("bulk change is not valid");
}

}  // namespace

void RegisterWorkspaceRoutes(Router& router, ApiServices& s) {
  router.Add("GET", "/api/v1/views", [&s](CallContext& ctx) {
    auto views = s.tickets.Views(ctx.actor());
    if (!views.ok()) return ErrorResponse(views.status(), ctx.request);
    boost::json::array items;
    for (const auto& view : *views) {
      items.push_back(boost::json::object{{"id", view.id},
                                          {"name", view.name},
                                          {"count", view.count},
                                          {"query", ViewQuery(view.filter, ctx.user->id)}});
    }
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("POST", "/api/v1/tickets/bulk", [&s](CallContext& ctx) {
    // Staff only: a requester is refused before the body is looked at.
    if (!ctx.actor().IsStaff()) {
      return ErrorResponse(Status::PermissionDenied("only agents can change tickets in bulk"), ctx.request);
    }
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    std::vector<int64_t> ids;
    tickets::BulkChange change;
    if (Status st = ReadBulkRequest(*body, &ids, &change); !st.ok()) return ErrorResponse(st, ctx.request);
    auto results = s.tickets.BulkUpdate(ctx.actor(), ids, change);
    if (!results.ok()) return ErrorResponse(results.status(), ctx.request);
    boost::json::array items;
    for (const auto& result : *results) {
      if (result.status.ok() && result.ticket) {
        items.push_back(boost::json::object{{"id", result.id}, {"ok", true}, {"ticket", TicketJson(*result.ticket)}});
      } else {
        items.push_back(boost::json::object{{"id", result.id}, {"ok", false}, {"error", ErrorJson(result.status)}});
      }
    }
    return JsonResponse(200, boost::json::object{{"items", std::move(items)}});
  });

  router.Add("POST", "/api/v1/markdown/preview", [](CallContext& ctx) {
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"body"});
    std::string text = in.String("body", true).value_or("");
    if (text.size() > tickets::kMaxBodyBytes) in.AddError("body", "must be at most 64 KiB");
    if (Status st = in.Finish("preview is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    // The same rendering as a ticket's or comment's body_html.
    return JsonResponse(200, boost::json::object{{"html", markdown::RenderHtml(text)}});
  });
}

}  // namespace opsdesk::http
