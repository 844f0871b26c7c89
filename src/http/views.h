// JSON views of the domain models, as the API returns them.
#pragma once

#include <boost/json.hpp>

#include <string>

#include "auth/auth_service.h"
#include "auth/user.h"
#include "queues/queue_service.h"
#include "tickets/ticket.h"

namespace opsdesk::http {

boost::json::object UserJson(const auth::User& user);
boost::json::object TokenJson(const auth::TokenInfo& token);
boost::json::object IssuedTokenJson(const auth::IssuedToken& token);
boost::json::object TeamJson(const queues::Team& team);
boost::json::object QueueJson(const queues::Queue& queue);
boost::json::object TicketJson(const tickets::Ticket& ticket);
// SerializeJson(TicketJson(ticket)), written directly: the ticket GET's body.
std::string TicketJsonText(const tickets::Ticket& ticket);
boost::json::object CommentJson(const tickets::Comment& comment);
boost::json::object EventJson(const tickets::TicketEvent& event);

}  // namespace opsdesk::http
