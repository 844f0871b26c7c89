// Tickets, comments, events, links and merge.
#include <charconv>

#include "common/text.h"
#include "http/api.h"
#include "http/json_io.h"
#include "http/views.h"

namespace opsdesk::http {
namespace {

using tickets::QueueRef;


Response TicketResponse(int status, const tickets::Ticket& ticket) {
  Response response = JsonTextResponse(status, TicketJsonText(ticket));
  response.headers.emplace_back("ETag", "\"" + std::to_string(ticket.version) + "\"");
  return response;
}

Status ReadTicketFilter(const Request& req, const auth::User& me, tickets::TicketFilter* f) {
  std::map<std::string, std::string> errors;
  if (Status st = ReadPaging(req, &f->limit, &f->cursor); !st.ok()) return st;
  if (auto v = req.QueryParam("status")) {
    for (const auto& part : Split(*v, ',')) {
      auto status = tickets::ParseStatus(part);
      if (!status) errors["status"] = "must be a comma-separated list of new, open, pending, on_hold, solved, closed";
      else f->statuses.push_back(*status);
    }
  }
  if (auto v = req.QueryParam("queue")) {
    if (auto id = ParsePositive(*v)) f->queue = QueueRef{id, std::nullopt};
    else f->queue = QueueRef{std::nullopt, *v};
  }
  if (auto v = req.QueryParam("assignee")) {
    if (*v == "none") f->unassigned = true;
    else if (*v == "me") f->assignee_id = me.id;
    else if (auto id = ParsePositive(*v)) f->assignee_id = id;
    else errors["assignee"] = "must be a user id, 'me' or 'none'";
  }
  if (auto v = req.QueryParam("requester")) {
    if (*v == "me") f->requester_id = me.id;
    else if (auto id = ParsePositive(*v)) f->requester_id = id;
    else errors["requester"] = "must be a user id or 'me'";
  }
  if (auto v = req.QueryParam("priority")) {
    f->priority = tickets::ParsePriority(*v);
    if (!f->priority) errors["priority"] = "must be one of low, normal, high, urgent";
  }
  if (auto v = req.QueryParam("tag")) f->tag = *v;
  if (auto v = req.QueryParam("updated_since")) {
    TimestampMs at;
    if (ParseTimestamp(*v, &at)) f->updated_since = at;
    else errors["updated_since"] = "must be an RFC 3339 timestamp such as 2026-11-01T00:00:00Z";
  }
  if (auto v = req.QueryParam("sort")) {
    auto sort = tickets::ParseTicketSort(*v);
    if (!sort) errors["sort"] = "must be one of updated_at, -updated_at, created_at, -created_at, id, -id, sla_due_at";
    else f->sort = *sort;
  }
  if (auto v = req.QueryParam("sla")) {
    auto sla = tickets::ParseSlaFilter(*v);
    if (!sla) errors["sla"] = "must be at_risk or breached";
    else f->sla = *sla;
  }
  if (!errors.empty()) return Status::InvalidArgument("invalid query", errors);
  return Status::Ok();
}

}  // namespace

std::optional<tickets::QueueRef> ReadQueueRef(const boost::json::object& body, FieldReader& in) {
  const auto* v = body.if_contains("queue");
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_string()) return tickets::QueueRef{std::nullopt, std::string(v->as_string())};
  if (v->is_int64() && v->as_int64() > 0) return tickets::QueueRef{v->as_int64(), std::nullopt};
  in.AddError("queue", "must be a queue name or id");
  return std::nullopt;
}

void RegisterTicketRoutes(Router& router, ApiServices& s) {
  router.Add("POST", "/api/v1/tickets", [&s](CallContext& ctx) {
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"subject", "body", "priority", "queue", "tags", "requester_email"});
    tickets::NewTicket ticket;
    ticket.subject = in.String("subject", true).value_or("");
    ticket.body = in.String("body", true).value_or("");
    ticket.priority = in.String("priority");
    ticket.queue = ReadQueueRef(*body, in);
    ticket.tags = in.StringArray("tags").value_or(std::vector<std::string>{});
    ticket.requester_email = in.String("requester_email");
    if (Status st = in.Finish("ticket is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto outcome = s.tickets.Create(ctx.actor(), ticket, ctx.request.Header("Idempotency-Key"));
    if (!outcome.ok()) return ErrorResponse(outcome.status(), ctx.request);
    Response response = TicketResponse(201, outcome->ticket);
    response.headers.emplace_back("Location", "/api/v1/tickets/" + std::to_string(outcome->ticket.id));
    if (outcome->replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
    return response;
  });

  router.Add("GET", "/api/v1/tickets", [&s](CallContext& ctx) {
    tickets::TicketFilter filter;
    if (Status st = ReadTicketFilter(ctx.request, *ctx.user, &filter); !st.ok()) return ErrorResponse(st, ctx.request);
    auto page = s.tickets.List(ctx.actor(), filter);
    if (!page.ok()) return ErrorResponse(page.status(), ctx.request);
    boost::json::array items;
    for (const auto& t : page->items) items.push_back(TicketJson(t));
    return PageResponse(std::move(items), page->next_cursor);
  });

  router.Add("GET", "/api/v1/tickets/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("ticket not found"), ctx.request);
    auto ticket = s.tickets.Get(ctx.actor(), *id);
    if (!ticket.ok()) return ErrorResponse(ticket.status(), ctx.request);
    return TicketResponse(200, *ticket);
  });

  router.Add("PATCH", "/api/v1/tickets/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("ticket not found"), ctx.request);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"subject", "status", "priority", "queue", "assignee_id", "tags"});
    tickets::TicketPatch patch;
    patch.subject = in.String("subject");
    patch.status = in.String("status");
    patch.priority = in.String("priority");
    if (in.Has("queue")) patch.queue = ReadQueueRef(*body, in);
    if (in.Has("assignee_id")) patch.assignee_id = in.Int("assignee_id");
    patch.tags = in.StringArray("tags");
    if (auto if_match = ctx.request.Header("If-Match")) {
      patch.expected_version = ParseIfMatch(*if_match);
      if (!patch.expected_version) in.AddError("If-Match", "must be the ticket's version, e.g. \"3\"");
    }
    if (Status st = in.Finish("ticket change is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto ticket = s.tickets.Update(ctx.actor(), *id, patch);
    if (!ticket.ok()) return ErrorResponse(ticket.status(), ctx.request);
    return TicketResponse(200, *ticket);
  });

  router.Add("POST", "/api/v1/tickets/{id}/comments", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("ticket not found"), ctx.request);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"body", "internal"});
    tickets::NewComment comment;
    comment.body = in.String("body", true).value_or("");
    comment.is_internal = in.Bool("internal").value_or(false);
    if (Status st = in.Finish("comment is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto created = s.tickets.AddComment(ctx.actor(), *id, comment);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return JsonResponse(201, CommentJson(*created));
  });

  router.Add("GET", "/api/v1/tickets/{id}/comments", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("ticket not found"), ctx.request);
    int limit;
    std::optional<std::string> cursor;
    if (Status st = ReadPaging(ctx.request, &limit, &cursor); !st.ok()) return ErrorResponse(st, ctx.request);
    auto page = s.tickets.ListComments(ctx.actor(), *id, cursor, limit);
    if (!page.ok()) return ErrorResponse(page.status(), ctx.request);
    boost::json::array items;
    for (const auto& c : page->items) items.push_back(CommentJson(c));
    return PageResponse(std::move(items), page->next_cursor);
  });

  router.Add("GET", "/api/v1/tickets/{id}/events", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("ticket not found"), ctx.request);
    int limit;
    std::optional<std::string> cursor;
    if (Status st = ReadPaging(ctx.request, &limit, &cursor); !st.ok()) return ErrorResponse(st, ctx.request);
    auto page = s.tickets.ListEvents(ctx.actor(), *id, cursor, limit);
    if (!page.ok()) return ErrorResponse(page.status(), ctx.request);
    boost::json::array items;
    for (const auto& e : page->items) items.push_back(EventJson(e));
    return PageResponse(std::move(items), page->next_cursor);
  });

  router.Add("POST", "/api/v1/tickets/{id}/links", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("ticket not found"), ctx.request);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"kind", "ticket_id"});
    tickets::NewLink link;
    link.kind = in.String("kind", true).value_or("");
    link.other_ticket_id = in.Int("ticket_id", true).value_or(0);
    if (Status st = in.Finish("link is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto ticket = s.tickets.AddLink(ctx.actor(), *id, link);
    if (!ticket.ok()) return ErrorResponse(ticket.status(), ctx.request);
    return TicketResponse(201, *ticket);
  });

  router.Add("POST", "/api/v1/tickets/{id}/merge", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("ticket not found"), ctx.request);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"target_id"});
    auto target = in.Int("target_id", true);
    if (Status st = in.Finish("merge is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto ticket = s.tickets.Merge(ctx.actor(), *id, *target);
    if (!ticket.ok()) return ErrorResponse(ticket.status(), ctx.request);
    return TicketResponse(200, *ticket);
  });
}

}  // namespace opsdesk::http
