#include "notify/ssrf_guard.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>

#include "common/text.h"

namespace opsdesk::notify {
namespace {

bool InV4(uint32_t a, uint32_t net, int bits) {
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (a & mask) == (net & mask);
}

uint32_t V4(int a, int b, int c, int d) {
  return (uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | uint32_t(d);
}

bool ForbiddenV4(uint32_t a) {
  return InV4(a, V4(0, 0, 0, 0), 8) ||        // "this network", unspecified
         InV4(a, V4(10, 0, 0, 0), 8) ||       // RFC 1918
         InV4(a, V4(100, 64, 0, 0), 10) ||    // carrier-grade NAT
         InV4(a, V4(127, 0, 0, 0), 8) ||      // loopback
         InV4(a, V4(169, 254, 0, 0), 16) ||   // link-local (cloud metadata)
         InV4(a, V4(172, 16, 0, 0), 12) ||    // RFC 1918
         InV4(a, V4(192, 0, 0, 0), 24) ||     // IETF protocol assignments
         InV4(a, V4(192, 168, 0, 0), 16) ||   // RFC 1918
         InV4(a, V4(198, 18, 0, 0), 15) ||    // benchmarking
         InV4(a, V4(224, 0, 0, 0), 4) ||      // multicast
         InV4(a, V4(240, 0, 0, 0), 4);        // reserved, broadcast
}

bool ForbiddenV6(const unsigned char* b) {
  static const unsigned char kZero[16] = {0};
  if (std::memcmp(b, kZero, 16) == 0) return true;                        // ::
  if (std::memcmp(b, kZero, 15) == 0 && b[15] == 1) return true;         // ::1
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;                // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;                // fec0::/10 site-local
  if ((b[0] & 0xfe) == 0xfc) return true;                                // fc00::/7 unique local
  if (b[0] == 0xff) return true;                                         // multicast
  auto embedded = [&] { return V4(b[12], b[13], b[14], b[15]); };
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMapped, 12) == 0) return ForbiddenV4(embedded());   // ::ffff:a.b.c.d
  if (std::memcmp(b, kZero, 12) == 0) return ForbiddenV4(embedded());     // ::a.b.c.d (deprecated)
  static const unsigned char kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kNat64, 12) == 0) return ForbiddenV4(embedded());    // 64:ff9b::/96
  if (b[0] == 0x20 && b[1] == 0x02) return ForbiddenV4(V4(b[2], b[3], b[4], b[5]));  // 6to4
  return false;
}

std::string StripBrackets(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host;
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

std::optional<std::string> UrlPart(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, flags) != CURLUE_OK || !value) return std::nullopt;
  std::string out(value);
  curl_free(value);
  return out;
}

}  // namespace

Result<ParsedUrl> ParseWebhookUrl(const std::string& url) {
  auto bad = [](const std::string& why) { return Status::InvalidArgument("webhook URL is not valid", {{"url", why}}); };
  if (url.empty() || url.size() > 2000) return bad("must be an http or https URL of at most 2000 characters");
  std::unique_ptr<CURLU, UrlDeleter> handle(curl_url());
  if (!handle) return Status::Internal("out of memory");
  if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return bad("must be an absolute http or https URL");
  }
  ParsedUrl parsed;
  parsed.scheme = ToLowerAscii(UrlPart(handle.get(), CURLUPART_SCHEME).value_or(""));
  if (parsed.scheme != "http" && parsed.scheme != "https") return bad("must use http or https");
  if (UrlPart(handle.get(), CURLUPART_USER) || UrlPart(handle.get(), CURLUPART_PASSWORD)) {
    return bad("must not contain credentials");
  }
  parsed.host = ToLowerAscii(StripBrackets(UrlPart(handle.get(), CURLUPART_HOST).value_or("")));
  if (parsed.host.empty()) return bad("must name a host");
  std::string port = UrlPart(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT).value_or("0");
  parsed.port = std::atoi(port.c_str());
  if (parsed.port <= 0 || parsed.port > 65535) return bad("has an invalid port");
  parsed.host_is_ip = IsIpLiteral(parsed.host);
  return parsed;
}

bool IsForbiddenAddress(const std::string& ip) {
  unsigned char buf[16];
  std::string text = StripBrackets(ip);
  if (size_t pct = text.find('%'); pct != std::string::npos) text = text.substr(0, pct);  // fe80::1%eth0
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) return ForbiddenV4(V4(buf[0], buf[1], buf[2], buf[3]));
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return ForbiddenV6(buf);
  return true;
}

bool HostAllowed(const std::string& host, const std::vector<std::string>& allow_hosts) {
  std::string h = ToLowerAscii(StripBrackets(host));
  for (const auto& entry : allow_hosts) {
    if (ToLowerAscii(StripBrackets(Trim(entry))) == h) return true;
  }
  return false;
}

Result<WebhookTarget> ResolveWebhookTarget(const std::string& url, const std::vector<std::string>& allow_hosts) {
  auto parsed = ParseWebhookUrl(url);
  if (!parsed.ok()) return parsed.status();
  WebhookTarget target;
  target.url = *parsed;
  bool allowed = HostAllowed(parsed->host, allow_hosts);
  if (parsed->host_is_ip) {
    if (!allowed && IsForbiddenAddress(parsed->host)) {
      return Status::PermissionDenied("refused: " + parsed->host +
                                      " is a loopback, private, link-local or reserved address");
    }
    target.address = parsed->host;
    return target;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int rc = getaddrinfo(parsed->host.c_str(), std::to_string(parsed->port).c_str(), &hints, &result);
  if (rc != 0) return Status::Unavailable("cannot resolve " + parsed->host + ": " + gai_strerror(rc));
  std::string refused;
  for (addrinfo* ai = result; ai; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN] = {0};
    if (ai->ai_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, text, sizeof text);
    } else if (ai->ai_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, text, sizeof text);
    } else {
      continue;
    }
    if (allowed || !IsForbiddenAddress(text)) {
      target.address = text;
      break;
    }
    if (refused.empty()) refused = text;
  }
  freeaddrinfo(result);
  if (target.address.empty()) {
    return Status::PermissionDenied("refused: " + parsed->host + " resolves to " +
                                    (refused.empty() ? std::string("no usable address") : refused) +
                                    ", a loopback, private, link-local or reserved address");
  }
  bool v6 = target.address.find(':') != std::string::npos;
  target.resolve_entry = parsed->host + ":" + std::to_string(parsed->port) + ":" +
                         (v6 ? "[" + target.address + "]" : target.address);
  return target;
}

Status CheckWebhookUrlOnSave(const std::string& url, const std::vector<std::string>& allow_hosts) {
  auto parsed = ParseWebhookUrl(url);
  if (!parsed.ok()) return parsed.status();
  if (parsed->host_is_ip && !HostAllowed(parsed->host, allow_hosts) && IsForbiddenAddress(parsed->host)) {
    return Status::InvalidArgument(
        "webhook URL is not valid",
        {{"url", "must not point at a loopback, private, link-local or reserved address (see webhook_allow_hosts)"}});
  }
  return Status::Ok();
}

}  // namespace opsdesk::notify
