// Outbound delivery over libcurl: webhooks (JSON POST, HMAC-signed, SSRF-guarded,
// no redirects) and e-mail (SMTP, plain text).
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace opsdesk::notify {

// Once per process before any sender is used (curl_global_init); idempotent.
void InitCurl();

// "sha256=" + hex HMAC-SHA256(secret, body): the X-Opsdesk-Signature header.
std::string WebhookSignature(const std::string& secret, const std::string& body);

struct WebhookRequest {
  std::string url;
  std::string secret;
  std::string delivery_id;  // X-Opsdesk-Delivery: the job's idempotency key
  std::string event_type;   // X-Opsdesk-Event
  std::string body;         // JSON
};

struct WebhookSenderOptions {
  std::vector<std::string> allow_hosts;  // config webhook_allow_hosts
  int timeout_ms = 5000;
};

class WebhookSender {
 public:
  explicit WebhookSender(WebhookSenderOptions options) : options_(std::move(options)) {}
  // OK on a 2xx answer. kPermissionDenied when the SSRF guard refuses the URL
  // (permanent); kUnavailable for anything worth retrying (connection failure,
  // timeout, a non-2xx status; a redirect is never followed and counts as one).
  Status Deliver(const WebhookRequest& request) const;
  const WebhookSenderOptions& options() const { return options_; }

 private:
  WebhookSenderOptions options_;
};

struct EmailMessage {
  std::string to;          // one address
  std::string to_name;     // display name, may be empty
  std::string subject;
  std::string body;        // plain text, LF line ends
  std::string message_id;  // "<...@...>"
  std::string delivery_id; // X-Opsdesk-Delivery
};

struct MailerOptions {
  std::string smtp_url;  // smtp://host:port (smtps:// for TLS); empty: e-mail off
  std::string from = "opsdesk@localhost";
  int timeout_ms = 10000;
};

// "<key with unsafe characters replaced by '.'@domain of from>".
std::string MessageIdFor(const std::string& idempotency_key, const std::string& from);
// The RFC 5322 message (CRLF line ends) that SmtpMailer sends.
std::string FormatEmail(const EmailMessage& message, const std::string& from, TimestampMs date);

class SmtpMailer {
 public:
  explicit SmtpMailer(MailerOptions options) : options_(std::move(options)) {}
  bool enabled() const { return !options_.smtp_url.empty(); }
  // kUnavailable on any SMTP or connection failure (retried);
  // kFailedPrecondition when e-mail is not configured.
  Status Send(const EmailMessage& message, TimestampMs date) const;
  const MailerOptions& options() const { return options_; }

 private:
  MailerOptions options_;
};

}  // namespace opsdesk::notify
