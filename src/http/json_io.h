// Translating between JSON bodies and service inputs: bounded parsing, field
// readers that name every wrong or unknown field, and the response helpers.
#pragma once

#include <boost/json.hpp>

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/page.h"
#include "common/result.h"
#include "http/message.h"

namespace opsdesk::http {

// Nesting deeper than this is refused while parsing, before any value is built.
constexpr int kMaxJsonDepth = 32;

// Parses the body as one JSON object. kUnsupportedMediaType unless the content
// type is application/json; kInvalidArgument (400) for malformed JSON, invalid
// UTF-8, excessive depth or a non-object.
Result<boost::json::object> ParseJsonObject(const Request& request);

// Reads typed fields from a JSON object, collecting one message per bad field.
// Fields not declared as allowed are reported as unknown.
class FieldReader {
 public:
  FieldReader(const boost::json::object& object, std::initializer_list<std::string_view> allowed);

  bool Has(std::string_view name) const;
  bool IsNull(std::string_view name) const;
  std::optional<std::string> String(std::string_view name, bool required = false);
  std::optional<int64_t> Int(std::string_view name, bool required = false);
  std::optional<bool> Bool(std::string_view name);
  std::optional<std::vector<std::string>> StringArray(std::string_view name);
  std::optional<std::vector<int64_t>> IdArray(std::string_view name);
  void AddError(const std::string& name, const std::string& message) { errors_.emplace(name, message); }

  // OK, or kInvalidArgument naming every bad field.
  Status Finish(const std::string& message) const;

 private:
  const boost::json::value* Find(std::string_view name) const;
  const boost::json::object& object_;
  std::map<std::string, std::string> errors_;
};

// The same text as boost::json::serialize(value), byte for byte (a test holds
// them equal), written about three times faster: Boost's serializer escapes
// strings a character at a time through a resumable state machine, and it was
// a sixth of a ticket GET. Recursive: for values the server builds, and parsed
// ones, which are never deeper than kMaxJsonDepth.
std::string SerializeJson(const boost::json::value& value);

// Writes JSON text straight into a string, for the hottest responses (a
// ticket), skipping the boost::json value in between. Used the same way as
// the value would be built, it writes what SerializeJson would (views_test
// holds the ticket's two forms equal).
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // The next member's key; its value follows.
  void Key(std::string_view key);
  void String(std::string_view text);
  void Int(int64_t number);
  void Bool(bool flag);
  void Null();

 private:
  void BeforeValue();
  void Open(char bracket);
  void Close(char bracket);

  std::string& out_;
  std::vector<bool> has_members_;  // per open object or array
  bool after_key_ = false;
};

Response JsonResponse(int status, const boost::json::value& value);
// A response whose body is JSON text already written (JsonWriter).
Response JsonTextResponse(int status, std::string body);
Response ErrorResponse(const Status& status, const Request& request);
Response NoContent();  // 204
// {"items": [...], "next_cursor": "..." | null}
Response PageResponse(boost::json::array items, const std::optional<std::string>& next_cursor);

// ?limit= (1..200, default 50) and ?cursor=; kInvalidArgument naming the field.
Status ReadPaging(const Request& request, int* limit, std::optional<std::string>* cursor);

// ?name= as an integer in [min, max] (min >= 1); nullopt when absent or bad,
// adding a field error for bad.
std::optional<int> IntQueryParam(const Request& req, const char* name, int min, int max,
                                 std::map<std::string, std::string>& errors);
// A positive decimal integer (ids in query strings); nullopt otherwise.
std::optional<int64_t> ParsePositive(const std::string& text);
// If-Match carries a version, bare (3) or as an entity tag ("3", W/"3").
std::optional<int64_t> ParseIfMatch(std::string text);

boost::json::value OptionalString(const std::optional<std::string>& value);
boost::json::value OptionalInt(const std::optional<int64_t>& value);
boost::json::value OptionalTime(const std::optional<int64_t>& ms);

}  // namespace opsdesk::http
