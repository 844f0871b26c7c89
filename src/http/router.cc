#include "http/router.h"

#include "common/text.h"

namespace opsdesk::http {

void Router::Add(std::string method, std::string pattern, RouteHandler handler, bool requires_auth) {
  Route route{std::move(method), pattern, requires_auth, std::move(handler), Split(pattern, '/')};
  routes_.push_back(std::move(route));
}

Router::Match Router::Find(const std::string& method, const std::string& path) const {
  Match match;
  std::vector<std::string> parts = Split(path, '/');
  for (const auto& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    PathParams params;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const std::string& seg = route.segments[i];
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        params[seg.substr(1, seg.size() - 2)] = parts[i];
      } else {
        ok = seg == parts[i];
      }
    }
    if (!ok) continue;
    bool method_ok = route.method == method || (method == "HEAD" && route.method == "GET");
    if (!method_ok) {
      match.path_known = true;
      continue;
    }
    match.route = &route;
    match.params = std::move(params);
    return match;
  }
  return match;
}

}  // namespace opsdesk::http
