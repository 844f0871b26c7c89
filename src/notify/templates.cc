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
  if (event_type == "ticket.replied") {
    return MessageTemplate{
        "Re: [#{{ticket_id}}] {{ticket_subject}}",
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
        "notifications reach you under your notification preferences.\n"};
  }
  return std::nullopt;
}

RenderedMessage Render(const MessageTemplate& tmpl, const std::map<std::string, std::string>& values) {
  return RenderedMessage{RenderTemplate(tmpl.subject, values), RenderTemplate(tmpl.body, values)};
}

}  // namespace opsdesk::notify
