#include "http/views.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "http/json_io.h"

namespace opsdesk::http {
namespace {

std::string RandomText(std::mt19937_64& rng, int max_length) {
  static const std::string kPieces[] = {"a",  "Z", " ", "\n", "\t", "\"", "\\", "é", "東", "🚀",
                                        "\x01", "<p>", "</p>", "&amp;", "/", "\x7f"};
  std::uniform_int_distribution<int> length(0, max_length), piece(0, std::size(kPieces) - 1);
  std::string text;
  for (int i = length(rng); i > 0; --i) text += kPieces[piece(rng)];
  return text;
}

tickets::Ticket RandomTicket(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> coin(0, 1), few(0, 3);
  std::uniform_int_distribution<int64_t> id(1, 9'000'000'000), at(-100'000'000'000, 4'000'000'000'000);
  tickets::Ticket t;
  t.id = id(rng);
  t.subject = RandomText(rng, 20);
  t.body = RandomText(rng, 300);
  t.body_html = RandomText(rng, 300);
  t.status = static_cast<tickets::TicketStatus>(std::uniform_int_distribution<int>(0, 5)(rng));
  t.priority = static_cast<tickets::Priority>(std::uniform_int_distribution<int>(0, 3)(rng));
  if (coin(rng)) {
    t.queue_id = id(rng);
    t.queue_name = RandomText(rng, 5);
  }
  t.requester = {id(rng), RandomText(rng, 8), RandomText(rng, 8)};
  if (coin(rng)) t.assignee = tickets::PersonRef{id(rng), RandomText(rng, 8), RandomText(rng, 8)};
  for (int i = few(rng); i > 0; --i) t.tags.push_back(RandomText(rng, 4));
  for (int i = few(rng); i > 0; --i) t.links.push_back({RandomText(rng, 3), id(rng)});
  t.created_at = at(rng);
  t.updated_at = at(rng);
  t.version = id(rng);
  if (coin(rng)) t.sla_due_at = at(rng);
  if (coin(rng)) t.sla_warn_at = at(rng);
  return t;
}

// The ticket GET writes its body with JsonWriter; lists and everything else
// serialize TicketJson. Both must be the same text for every ticket.
TEST(TicketJsonTextTest, SameTextAsTheJsonValue) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 3000; ++i) {
    tickets::Ticket ticket = RandomTicket(rng);
    ASSERT_EQ(TicketJsonText(ticket), SerializeJson(TicketJson(ticket))) << "ticket " << i;
  }
}

TEST(JsonWriterTest, NestsAndSeparates) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("a");
  w.BeginArray();
  w.Int(-1);
  w.Bool(true);
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.EndArray();
  w.Key("b\"");
  w.String("x\ny");
  w.EndObject();
  EXPECT_EQ(out, "{\"a\":[-1,true,null,{},[]],\"b\\\"\":\"x\\ny\"}");
}

}  // namespace
}  // namespace opsdesk::http
