#include "http/json_io.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace opsdesk::http {
namespace {

// Random values of every kind, strings drawn from all 256 byte values (JSON
// escapes, UTF-8 and bytes that are neither), nested a few levels.
boost::json::value RandomValue(std::mt19937_64& rng, int depth) {
  std::uniform_int_distribution<int> pick(0, depth > 0 ? 8 : 6);
  auto random_string = [&rng] {
    std::uniform_int_distribution<int> length(0, 40), byte(0, 255), plain(0, 3);
    std::string text;
    int n = length(rng);
    for (int i = 0; i < n; ++i) text.push_back(static_cast<char>(plain(rng) ? 'a' + byte(rng) % 26 : byte(rng)));
    return text;
  };
  switch (pick(rng)) {
    case 0: return nullptr;
    case 1: return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    case 2: return static_cast<int64_t>(rng());
    case 3: return rng();  // uint64, often above INT64_MAX
    case 4: return std::uniform_real_distribution<double>(-1e12, 1e12)(rng);
    case 5:
    case 6: return boost::json::string(random_string());
    case 7: {
      boost::json::array array;
      int n = std::uniform_int_distribution<int>(0, 5)(rng);
      for (int i = 0; i < n; ++i) array.push_back(RandomValue(rng, depth - 1));
      return array;
    }
    default: {
      boost::json::object object;
      int n = std::uniform_int_distribution<int>(0, 5)(rng);
      for (int i = 0; i < n; ++i) object[random_string()] = RandomValue(rng, depth - 1);
      return object;
    }
  }
}

TEST(SerializeJsonTest, SameTextAsBoost) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 5000; ++i) {
    boost::json::value value = RandomValue(rng, 4);
    ASSERT_EQ(SerializeJson(value), boost::json::serialize(value)) << "value " << i;
  }
}

TEST(SerializeJsonTest, EscapesWhatJsonRequires) {
  boost::json::object object{{"a\"b", "line\nbreak\ttab \\ \x01 \x1f / é"}, {"n", nullptr}, {"list", {1, -2, true}}};
  EXPECT_EQ(SerializeJson(object),
            "{\"a\\\"b\":\"line\\nbreak\\ttab \\\\ \\u0001 \\u001f / é\",\"n\":null,\"list\":[1,-2,true]}");
}

}  // namespace
}  // namespace opsdesk::http
