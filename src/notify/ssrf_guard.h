// The SSRF guard for outbound webhooks: only http(s) URLs, and only to public
// addresses unless the admin's allow-list (config webhook_allow_hosts) names the
// URL's host. The address that passed the check is the one connected to
// (WebhookTarget::resolve_entry for CURLOPT_RESOLVE), so a DNS answer that
// changes between check and connect (DNS rebinding) cannot redirect a delivery.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace opsdesk::notify {

struct ParsedUrl {
  std::string scheme;  // http | https
  std::string host;    // lower-case; IPv6 literals without brackets
  int port = 0;        // the URL's or the scheme's default
  bool host_is_ip = false;
};

// kInvalidArgument (field "url") unless `url` is an absolute http or https URL
// with a host and without user credentials.
Result<ParsedUrl> ParseWebhookUrl(const std::string& url);

// True for addresses a webhook may not reach by default: unspecified, loopback,
// link-local, private (RFC 1918, CGNAT, ULA), multicast, reserved and broadcast,
// including IPv4 addresses embedded in IPv6 (mapped, compatible, NAT64).
// Text that is not an IP address counts as forbidden.
bool IsForbiddenAddress(const std::string& ip);

// Whether `host` (a name or an address) is on the allow-list (case-insensitive;
// "[::1]" and "::1" are the same).
bool HostAllowed(const std::string& host, const std::vector<std::string>& allow_hosts);

struct WebhookTarget {
  ParsedUrl url;
  std::string address;        // the address to connect to
  std::string resolve_entry;  // "host:port:address" for CURLOPT_RESOLVE; empty for IP literals
};

// Parses, resolves and checks. kPermissionDenied when the host is not
// allow-listed and none of its addresses is public; kUnavailable when the name
// does not resolve (may be temporary).
Result<WebhookTarget> ResolveWebhookTarget(const std::string& url, const std::vector<std::string>& allow_hosts);

// The check a webhook URL gets when it is saved: its syntax, and for an IP
// literal, that it is allowed (names are checked at each delivery).
Status CheckWebhookUrlOnSave(const std::string& url, const std::vector<std::string>& allow_hosts);

}  // namespace opsdesk::notify
