#include "http/views.h"

#include "http/json_io.h"

namespace opsdesk::http {
namespace {

boost::json::object PersonJson(const tickets::PersonRef& p) {
  return {{"id", p.id}, {"email", p.email}, {"display_name", p.display_name}};
}

}  // namespace

boost::json::object UserJson(const auth::User& u) {
  return {{"id", u.id},
          {"email", u.email},
          {"display_name", u.display_name},
          {"role", auth::RoleName(u.role)},
          {"is_active", u.is_active},
          {"time_zone", u.time_zone},
          {"group", u.group.empty() ? boost::json::value(nullptr) : boost::json::value(u.group)},
          {"kb_editor", u.kb_editor},
          {"senior", u.senior},
          {"created_at", FormatTimestamp(u.created_at)},
          {"updated_at", FormatTimestamp(u.updated_at)}};
}

boost::json::object TokenJson(const auth::TokenInfo& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"kind", t.kind},
          {"created_at", FormatTimestamp(t.created_at)},
          {"expires_at", OptionalTime(t.expires_at)},
          {"revoked_at", OptionalTime(t.revoked_at)}};
}

boost::json::object IssuedTokenJson(const auth::IssuedToken& t) {
  return {{"id", t.id},
          {"token", t.secret},
          {"name", t.name},
          {"kind", t.kind},
          {"created_at", FormatTimestamp(t.created_at)},
          {"expires_at", OptionalTime(t.expires_at)}};
}

boost::json::object TeamJson(const queues::Team& t) {
  boost::json::array members;
  for (int64_t id : t.member_ids) members.push_back(id);
  return {{"id", t.id},
          {"name", t.name},
          {"description", t.description},
          {"member_ids", std::move(members)},
          {"created_at", FormatTimestamp(t.created_at)}};
}

boost::json::object QueueJson(const queues::Queue& q) {
  return {{"id", q.id},
          {"name", q.name},
          {"team_id", OptionalInt(q.team_id)},
          {"description", q.description},
          {"created_at", FormatTimestamp(q.created_at)}};
}

boost::json::object TicketJson(const tickets::Ticket& t) {
  boost::json::array tags;
  for (const auto& tag : t.tags) tags.push_back(boost::json::string(tag));
  boost::json::array links;
  for (const auto& l : t.links) links.push_back(boost::json::object{{"kind", l.kind}, {"ticket_id", l.ticket_id}});
  return {{"id", t.id},
          {"subject", t.subject},
          {"body", t.body},
          {"body_html", t.body_html},
          {"status", tickets::StatusName(t.status)},
          {"priority", tickets::PriorityName(t.priority)},
          {"queue", t.queue_id ? boost::json::value(boost::json::object{{"id", *t.queue_id}, {"name", t.queue_name}})
                               : boost::json::value(nullptr)},
          {"requester", PersonJson(t.requester)},
          {"assignee", t.assignee ? boost::json::value(PersonJson(*t.assignee)) : boost::json::value(nullptr)},
          {"tags", std::move(tags)},
          {"links", std::move(links)},
          {"created_at", FormatTimestamp(t.created_at)},
          {"updated_at", FormatTimestamp(t.updated_at)},
          {"version", t.version},
          {"sla_due_at", t.sla_due_at ? boost::json::value(FormatTimestamp(*t.sla_due_at)) : nullptr},
          {"sla_warn_at", t.sla_warn_at ? boost::json::value(FormatTimestamp(*t.sla_warn_at)) : nullptr}};
}

std::string TicketJsonText(const tickets::Ticket& t) {
  std::string out;
  out.reserve(512 + t.subject.size() + t.body.size() + t.body_html.size());
  JsonWriter w(out);
  auto person = [&w](const tickets::PersonRef& p) {
    w.BeginObject();
    w.Key("id");
    w.Int(p.id);
    w.Key("email");
    w.String(p.email);
    w.Key("display_name");
    w.String(p.display_name);
    w.EndObject();
  };
  auto optional_time = [&w](const std::optional<TimestampMs>& at) {
    if (at) {
      w.String(FormatTimestamp(*at));
    } else {
      w.Null();
    }
  };
  w.BeginObject();
  w.Key("id");
  w.Int(t.id);
  w.Key("subject");
  w.String(t.subject);
  w.Key("body");
  w.String(t.body);
  w.Key("body_html");
  w.String(t.body_html);
  w.Key("status");
  w.String(tickets::StatusName(t.status));
  w.Key("priority");
  w.String(tickets::PriorityName(t.priority));
  w.Key("queue");
  if (t.queue_id) {
    w.BeginObject();
    w.Key("id");
    w.Int(*t.queue_id);
    w.Key("name");
    w.String(t.queue_name);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("requester");
  person(t.requester);
  w.Key("assignee");
  if (t.assignee) {
    person(*t.assignee);
  } else {
    w.Null();
  }
  w.Key("tags");
  w.BeginArray();
  for (const auto& tag : t.tags) w.String(tag);
  w.EndArray();
  w.Key("links");
  w.BeginArray();
  for (const auto& l : t.links) {
    w.BeginObject();
    w.Key("kind");
    w.String(l.kind);
    w.Key("ticket_id");
    w.Int(l.ticket_id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("created_at");
  w.String(FormatTimestamp(t.created_at));
  w.Key("updated_at");
  w.String(FormatTimestamp(t.updated_at));
  w.Key("version");
  w.Int(t.version);
  w.Key("sla_due_at");
  optional_time(t.sla_due_at);
  w.Key("sla_warn_at");
  optional_time(t.sla_warn_at);
  w.EndObject();
  return out;
}

boost::json::object CommentJson(const tickets::Comment& c) {
  return {{"id", c.id},
          {"ticket_id", c.ticket_id},
          {"author", PersonJson(c.author)},
          {"body", c.body},
          {"body_html", c.body_html},
          {"internal", c.is_internal},
          {"created_at", FormatTimestamp(c.created_at)},
          {"moved_from_ticket_id", OptionalInt(c.moved_from_ticket_id)}};
}

boost::json::object EventJson(const tickets::TicketEvent& e) {
  return {{"id", e.id},
          {"ticket_id", e.ticket_id},
          {"actor_id", OptionalInt(e.actor_id)},
          {"at", FormatTimestamp(e.at)},
          {"kind", e.kind},
          {"field", OptionalString(e.field)},
          {"before", OptionalString(e.before)},
          {"after", OptionalString(e.after)},
          {"internal", e.is_internal}};
}

}  // namespace opsdesk::http
