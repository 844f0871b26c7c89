// Maps (method, path) to a route: literal segments and {name} parameters.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "auth/user.h"
#include "http/message.h"

namespace opsdesk::http {

using PathParams = std::map<std::string, std::string>;

// What a handler gets besides the request: the route's parameters and, for
// authenticated routes, the caller.
struct CallContext {
  const Request& request;
  PathParams params;
  std::optional<auth::User> user;    // set on authenticated routes
  std::optional<std::string> token;  // the bearer/cookie secret that authenticated
  auth::Actor actor() const { return user ? auth::Actor::Of(*user) : auth::Actor{}; }
};

using RouteHandler = std::function<Response(CallContext&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/tickets/{id}"
  bool requires_auth = true;
  RouteHandler handler;
  std::vector<std::string> segments;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, RouteHandler handler, bool requires_auth = true);

  struct Match {
    const Route* route = nullptr;
    PathParams params;
    bool path_known = false;  // some route has this path, but not this method (405)
  };
  Match Find(const std::string& method, const std::string& path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace opsdesk::http
