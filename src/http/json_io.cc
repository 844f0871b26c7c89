#include "http/json_io.h"

#include <charconv>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/clock.h"
#include "common/text.h"
#include "http/errors.h"

namespace opsdesk::http {

Result<boost::json::object> ParseJsonObject(const Request& request) {
  auto content_type = request.Header("Content-Type");
  std::string media = content_type ? content_type->substr(0, content_type->find(';')) : "";
  while (!media.empty() && media.back() == ' ') media.pop_back();
  if (!EqualsIgnoreCase(media, "application/json")) {
    return Status(StatusCode::kUnsupportedMediaType, "request body must be application/json");
  }
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  // Boost.JSON's parser keeps its own stack, checks UTF-8 and stops at max_depth
  // before building anything deeper, so hostile input cannot exhaust our stack.
  boost::json::value value = boost::json::parse(request.body, ec, {}, options);
  if (ec) {
    std::string why = ec == boost::json::error::too_deep ? "nested deeper than 32 levels" : ec.message();
    return Status::InvalidArgument("request body is not valid JSON: " + why);
  }
  if (!value.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  return std::move(value.as_object());
}

FieldReader::FieldReader(const boost::json::object& object, std::initializer_list<std::string_view> allowed)
    : object_(object) {
  for (const auto& [key, value] : object) {
    bool known = false;
    for (auto name : allowed) known = known || key == name;
    if (!known) errors_.emplace(std::string(key), "unknown field");
  }
}

const boost::json::value* FieldReader::Find(std::string_view name) const { return object_.if_contains(name); }

bool FieldReader::Has(std::string_view name) const { return Find(name) != nullptr; }

bool FieldReader::IsNull(std::string_view name) const {
  const auto* v = Find(name);
  return v && v->is_null();
}

std::optional<std::string> FieldReader::String(std::string_view name, bool required) {
  const auto* v = Find(name);
  if (!v || v->is_null()) {
    if (required) errors_.emplace(std::string(name), "is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    errors_.emplace(std::string(name), "must be a string");
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<int64_t> FieldReader::Int(std::string_view name, bool required) {
  const auto* v = Find(name);
  if (!v || v->is_null()) {
    if (required) errors_.emplace(std::string(name), "is required");
    return std::nullopt;
  }
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v->as_uint64());
  errors_.emplace(std::string(name), "must be an integer");
  return std::nullopt;
}

std::optional<bool> FieldReader::Bool(std::string_view name) {
  const auto* v = Find(name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_bool()) {
    errors_.emplace(std::string(name), "must be true or false");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<std::vector<std::string>> FieldReader::StringArray(std::string_view name) {
  const auto* v = Find(name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_array()) {
    errors_.emplace(std::string(name), "must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : v->as_array()) {
    if (!item.is_string()) {
      errors_.emplace(std::string(name), "must be an array of strings");
      return std::nullopt;
    }
    out.emplace_back(item.as_string());
  }
  return out;
}

std::optional<std::vector<int64_t>> FieldReader::IdArray(std::string_view name) {
  const auto* v = Find(name);
  if (!v || v->is_null()) return std::nullopt;
  std::vector<int64_t> out;
  bool ok = v->is_array();
  if (ok) {
    for (const auto& item : v->as_array()) {
      if (item.is_int64() && item.as_int64() > 0) {
        out.push_back(item.as_int64());
      } else {
        ok = false;
      }
    }
  }
  if (!ok) {
    errors_.emplace(std::string(name), "must be an array of positive ids");
    return std::nullopt;
  }
  return out;
}

Status FieldReader::Finish(const std::string& message) const {
  if (errors_.empty()) return Status::Ok();
  return Status::InvalidArgument(message, errors_);
}

namespace {

// Where the next byte JSON requires escaped (a control character, '"' or
// '\\') is in [p, end), or end. Sixteen bytes at a time where SSE2 is there:
// bodies run long between escapes, and a byte-at-a-time loop over them was a
// sixth of a ticket GET.
const char* FindEscape(const char* p, const char* end) {
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i last_control = _mm_set1_epi8(0x1f);
  for (; end - p >= 16; p += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // A byte is a control character when max(byte, 0x1f) is 0x1f (unsigned).
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
                     _mm_cmpeq_epi8(_mm_max_epu8(bytes, last_control), last_control));
    if (const int mask = _mm_movemask_epi8(special)) return p + __builtin_ctz(static_cast<unsigned>(mask));
  }
#endif
  for (; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c < 0x20 || c == '"' || c == '\\') return p;
  }
  return end;
}

void AppendJsonString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  const char* p = text.data();
  const char* end = text.data() + text.size();
  while (p != end) {
    const char* special = FindEscape(p, end);
    out.append(p, static_cast<size_t>(special - p));
    if (special == end) break;
    const auto c = static_cast<unsigned char>(*special);
    char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
    size_t length = 2;
    switch (c) {
      case '"': escaped[1] = '"'; break;
      case '\\': escaped[1] = '\\'; break;
      case '\b': escaped[1] = 'b'; break;
      case '\f': escaped[1] = 'f'; break;
      case '\n': escaped[1] = 'n'; break;
      case '\r': escaped[1] = 'r'; break;
      case '\t': escaped[1] = 't'; break;
      default: length = 6;
    }
    out.append(escaped, length);
    p = special + 1;
  }
  out.push_back('"');
}

void AppendJson(const boost::json::value& value, std::string& out) {
  switch (value.kind()) {
    case boost::json::kind::null: out += "null"; break;
    case boost::json::kind::bool_: out += value.get_bool() ? "true" : "false"; break;
    case boost::json::kind::int64: out += std::to_string(value.get_int64()); break;
    case boost::json::kind::uint64: out += std::to_string(value.get_uint64()); break;
    // Boost's own shortest round-trip form; doubles are rare in responses.
    case boost::json::kind::double_: out += boost::json::serialize(value); break;
    case boost::json::kind::string: AppendJsonString(value.get_string(), out); break;
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        AppendJson(element, out);
      }
      out.push_back(']');
      break;
    }
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& member : value.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(member.key(), out);
        out.push_back(':');
        AppendJson(member.value(), out);
      }
      out.push_back('}');
      break;
    }
  }
}

}  // namespace

std::string SerializeJson(const boost::json::value& value) {
  std::string out;
  out.reserve(2048);
  AppendJson(value, out);
  return out;
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_members_.empty()) {
    if (has_members_.back()) out_.push_back(',');
    has_members_.back() = true;
  }
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  out_.push_back(bracket);
  has_members_.push_back(false);
}

void JsonWriter::Close(char bracket) {
  out_.push_back(bracket);
  has_members_.pop_back();
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonString(key, out_);
  out_.push_back(':');
  after_key_ = true;
}

void JsonWriter::String(std::string_view text) {
  BeforeValue();
  AppendJsonString(text, out_);
}

void JsonWriter::Int(int64_t number) {
  BeforeValue();
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, number);
  out_.append(digits, end);
}

void JsonWriter::Bool(bool flag) {
  BeforeValue();
  out_ += flag ? "true" : "false";
}

void JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
}

Response JsonTextResponse(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response JsonResponse(int status, const boost::json::value& value) {
  Response response;
  response.status = status;
  response.body = SerializeJson(value);
  return response;
}

std::optional<int64_t> ParsePositive(const std::string& text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseIfMatch(std::string text) {
  text = Trim(text);
  if (text.rfind("W/", 0) == 0) text = text.substr(2);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  return ParsePositive(text);
}

Response NoContent() {
  Response response;
  response.status = 204;
  return response;
}

Response ErrorResponse(const Status& status, const Request& request) {
  Response response;
  response.status = HttpStatusFor(status);
  response.body = ErrorBody(status, request.request_id);
  if (status.retry_after_s() > 0) response.headers.emplace_back("Retry-After", std::to_string(status.retry_after_s()));
  if (response.status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

Response PageResponse(boost::json::array items, const std::optional<std::string>& next_cursor) {
  boost::json::object body;
  body["items"] = std::move(items);
  body["next_cursor"] = OptionalString(next_cursor);
  return JsonResponse(200, body);
}

Status ReadPaging(const Request& request, int* limit, std::optional<std::string>* cursor) {
  *limit = kDefaultPageLimit;
  if (auto text = request.QueryParam("limit")) {
    int value = 0;
    auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || ptr != text->data() + text->size() || value < 1 || value > kMaxPageLimit) {
      return Status::InvalidArgument("invalid query", {{"limit", "must be an integer from 1 to 200"}});
    }
    *limit = value;
  }
  *cursor = request.QueryParam("cursor");
  return Status::Ok();
}

std::optional<int> IntQueryParam(const Request& req, const char* name, int min, int max,
                                 std::map<std::string, std::string>& errors) {
  auto v = req.QueryParam(name);
  if (!v) return std::nullopt;
  auto n = ParsePositive(*v);
  if (!n || *n < min || *n > max) {
    errors[name] = "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
    return std::nullopt;
  }
  return static_cast<int>(*n);
}

boost::json::value OptionalString(const std::optional<std::string>& value) {
  return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

boost::json::value OptionalInt(const std::optional<int64_t>& value) {
  return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

boost::json::value OptionalTime(const std::optional<int64_t>& ms) {
  return ms ? boost::json::value(FormatTimestamp(*ms)) : boost::json::value(nullptr);
}

}  // namespace opsdesk::http
