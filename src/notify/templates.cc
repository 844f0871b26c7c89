#include "notify/templates.h"

namespace opsdesk::notify {
namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string RenderTemplate(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    std::string name(TrimSpaces(text.substr(open + 2, close - open - 2)));
    if (auto it = values.find(name); it != values.end()) out += it->second;
    pos = close + 2;
  }
  out.append(text.substr(pos));
  return out;
}

std::optional<MessageTemplate> EmailTemplateFor(std::string_view event_type) {
  // One template per event type; every placeholder is filled by the code that
  // queues the message (see its caller for the names).
  static const std::map<std::string, MessageTemplate, std::less<>> kTemplates = {
      {"ticket.replied",
       {"Re: [#{{ticket_id}}] {{ticket_subject}}",
        "Hello {{recipient_name}},\n"
        "\n"
        "{{author_name}} replied to your ticket #{{ticket_id}} \"{{ticket_subject}}\":\n"
        "\n"
        "{{comment_body}}\n"
        "\n"
        "View the ticket and reply: {{ticket_url}}\n"
        "\n"
        "-- \n"
        "opsdesk. You receive this because you filed this ticket; choose which\n"
        "notifications reach you under your notification preferences.\n"}},
      {"sla.warning",
       {"[#{{ticket_id}}] SLA {{target}} due {{due_at}}: {{ticket_subject}}",
        "Hello {{recipient_name}},\n"
        "\n"
        "Ticket #{{ticket_id}} \"{{ticket_subject}}\" has used {{warn_percent}}% of its {{target}} target\n"
        "under SLA policy \"{{policy}}\". It is due {{due_at}}.\n"
        "\n"
        "Ticket: {{ticket_url}}\n"
        "\n"
        "-- \n"
        "opsdesk. Choose which notifications reach you under your notification preferences.\n"}},
      {"sla.breached",
       {"[#{{ticket_id}}] SLA {{target}} breached: {{ticket_subject}}",
        "Hello {{recipient_name}},\n"
        "\n"
        "Ticket #{{ticket_id}} \"{{ticket_subject}}\" missed its {{target}} target under SLA policy\n"
        "\"{{policy}}\": it was due {{due_at}}.\n"
        "\n"
        "Ticket: {{ticket_url}}\n"
        "\n"
        "-- \n"
        "opsdesk. Choose which notifications reach you under your notification preferences.\n"}},
      {"escalation.paged",
       {"[{{severity}}] Escalation #{{escalation_id}}: [#{{ticket_id}}] {{subject}}",
        "You are paged (level {{level}}) for ticket #{{ticket_id}}: {{subject}}\n"
        "\n"
        "Severity: {{severity}}\n"
        "Reason: {{reason}}\n"
        "\n"
        "Acknowledge (stops further paging):\n"
        "{{ack_url}}\n"
        "\n"
        "Ticket:\n"
        "{{ticket_url}}\n"}},
      {"escalation.unacknowledged",
       {"[{{severity}}] Escalation #{{escalation_id}} was not acknowledged: [#{{ticket_id}}] {{subject}}",
        "Nobody acknowledged escalation #{{escalation_id}} of ticket #{{ticket_id}} ({{subject}}) after every level "
        "was paged.\n"
        "\n"
        "Severity: {{severity}}\n"
        "Reason: {{reason}}\n"
        "\n"
        "Acknowledge:\n"
        "{{ack_url}}\n"
        "\n"
        "Ticket:\n"
        "{{ticket_url}}\n"}},
  };
  auto it = kTemplates.find(event_type);
  if (it == kTemplates.end()) return std::nullopt;
  return it->second;
}

RenderedMessage Render(const MessageTemplate& tmpl, const std::map<std::string, std::string>& values) {
  return RenderedMessage{RenderTemplate(tmpl.subject, values), RenderTemplate(tmpl.body, values)};
}

}  // namespace opsdesk::notify
