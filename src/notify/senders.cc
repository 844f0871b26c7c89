#include "notify/senders.h"

#include <curl/curl.h>
#include <sodium.h>

#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>

#include "notify/ssrf_guard.h"

namespace opsdesk::notify {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

void Append(SlistPtr& list, const std::string& item) { list.reset(curl_slist_append(list.release(), item.c_str())); }

// Keeps at most 4 KiB of an answer (for error messages); the rest is dropped.
size_t KeepSome(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t len = size * n;
  if (out->size() < 4096) out->append(data, std::min(len, 4096 - out->size()));
  return len;
}

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t len = std::min(size * n, up->data->size() - up->offset);
  std::memcpy(buffer, up->data->data() + up->offset, len);
  up->offset += len;
  return len;
}

// Header values never carry a line break (no header injection).
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return text;
}

bool IsAscii(const std::string& text) {
  for (unsigned char c : text) {
    if (c >= 0x80 || c < 0x20) return false;
  }
  return true;
}

// RFC 2047 for non-ASCII header text.
std::string EncodeHeaderText(const std::string& text) {
  if (IsAscii(text)) return text;
  std::string b64(sodium_base64_ENCODED_LEN(text.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return "=?UTF-8?B?" + b64 + "?=";
}

std::string RfcDate(TimestampMs ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string Bare(const std::string& address) { return "<" + OneLine(address) + ">"; }

}  // namespace

void InitCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string WebhookSignature(const std::string& secret, const std::string& body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string("sha256=") + hex;
}

Status WebhookSender::Deliver(const WebhookRequest& request) const {
  auto target = ResolveWebhookTarget(request.url, options_.allow_hosts);
  if (!target.ok()) return target.status();
  CurlPtr curl(curl_easy_init());
  if (!curl) return Status::Unavailable("curl_easy_init failed");
  SlistPtr headers;
  Append(headers, "Content-Type: application/json");
  Append(headers, "User-Agent: opsdesk-webhooks/1");
  Append(headers, "X-Opsdesk-Event: " + OneLine(request.event_type));
  Append(headers, "X-Opsdesk-Delivery: " + OneLine(request.delivery_id));
  Append(headers, "X-Opsdesk-Signature: " + WebhookSignature(request.secret, request.body));
  Append(headers, "Expect:");
  SlistPtr resolve;
  if (!target->resolve_entry.empty()) Append(resolve, target->resolve_entry);
  std::string answer;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // never through a proxy from the environment
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  if (resolve) curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, KeepSome);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return Status::Unavailable(std::string("webhook POST failed: ") + curl_easy_strerror(rc));
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (code >= 200 && code < 300) return Status::Ok();
  if (code >= 300 && code < 400) {
    return Status::Unavailable("webhook answered " + std::to_string(code) + " (redirects are not followed)");
  }
  if (answer.size() > 200) answer.resize(200);
  return Status::Unavailable("webhook answered " + std::to_string(code) + ": " + OneLine(answer));
}

std::string MessageIdFor(const std::string& idempotency_key, const std::string& from) {
  std::string local;
  for (char c : idempotency_key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    local += ok ? c : '.';
  }
  size_t at = from.rfind('@');
  std::string domain = at == std::string::npos ? "localhost" : from.substr(at + 1);
  if (domain.empty()) domain = "localhost";
  return "<" + local + "@" + OneLine(domain) + ">";
}

std::string FormatEmail(const EmailMessage& message, const std::string& from, TimestampMs date) {
  std::string out;
  auto header = [&](const std::string& name, const std::string& value) { out += name + ": " + value + "\r\n"; };
  header("Date", RfcDate(date));
  header("From", "opsdesk " + Bare(from));
  header("To", message.to_name.empty() ? Bare(message.to)
                                       : "\"" + EncodeHeaderText(OneLine(message.to_name)) + "\" " + Bare(message.to));
  header("Subject", EncodeHeaderText(OneLine(message.subject)));
  header("Message-ID", OneLine(message.message_id));
  header("MIME-Version", "1.0");
  header("Content-Type", "text/plain; charset=utf-8");
  header("Content-Transfer-Encoding", "8bit");
  header("Auto-Submitted", "auto-generated");
  if (!message.delivery_id.empty()) header("X-Opsdesk-Delivery", OneLine(message.delivery_id));
  out += "\r\n";
  for (size_t i = 0; i < message.body.size(); ++i) {
    char c = message.body[i];
    if (c == '\r') continue;
    if (c == '\n') out += "\r\n";
    else out += c;
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

Status SmtpMailer::Send(const EmailMessage& message, TimestampMs date) const {
  if (!enabled()) return Status::FailedPrecondition("e-mail is not configured (smtp_url)");
  std::string data = FormatEmail(message, options_.from, date);
  Upload upload{&data};
  CurlPtr curl(curl_easy_init());
  if (!curl) return Status::Unavailable("curl_easy_init failed");
  SlistPtr rcpt;
  Append(rcpt, Bare(message.to));
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, options_.smtp_url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, Bare(options_.from).c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE, static_cast<long>(data.size()));
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return Status::Unavailable(std::string("SMTP send failed: ") + curl_easy_strerror(rc));
  return Status::Ok();
}

}  // namespace opsdesk::notify
