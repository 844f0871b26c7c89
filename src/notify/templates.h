// Notification texts: a subject and a plain-text body per event type, with
// {{placeholder}} substitution.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace opsdesk::notify {

struct MessageTemplate {
  std::string subject;
  std::string body;
};

struct RenderedMessage {
  std::string subject;
  std::string body;
};

// Replaces each {{name}} (spaces inside the braces allowed) with values[name];
// an unknown name becomes the empty string. Values are inserted verbatim, never
// expanded again.
std::string RenderTemplate(std::string_view text, const std::map<std::string, std::string>& values);

// The e-mail template of an event type (ticket.replied, ...); nullopt when that
// event is not sent by e-mail.
std::optional<MessageTemplate> EmailTemplateFor(std::string_view event_type);

RenderedMessage Render(const MessageTemplate& tmpl, const std::map<std::string, std::string>& values);

}  // namespace opsdesk::notify
