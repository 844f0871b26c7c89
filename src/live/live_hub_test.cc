#include "live/live_hub.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>

#include "common/clock.h"
#include "live/postgres_bus.h"

namespace opsdesk::live {
namespace {

auth::User MakeUser(int64_t id, auth::Role role, std::string name) {
  auth::User user;
  user.id = id;
  user.role = role;
  user.display_name = std::move(name);
  return user;
}

// Collects what one subscriber hears. The hub's timer thread may deliver too
// (expiries it finds first), hence the lock.
struct Inbox {
  mutable std::mutex mu;
  std::vector<std::pair<std::string, std::string>> events;
  std::atomic<bool> alive{true};
  EventSink Sink() {
    return [this](const std::string& event, const std::string& data) {
      if (!alive) return false;
      std::lock_guard lock(mu);
      if (event != "ping") events.emplace_back(event, data);
      return true;
    };
  }
  size_t size() const {
    std::lock_guard lock(mu);
    return events.size();
  }
  std::vector<boost::json::object> Of(const std::string& kind) const {
    std::lock_guard lock(mu);
    std::vector<boost::json::object> out;
    for (const auto& [event, data] : events) {
      if (event == kind) out.push_back(boost::json::parse(data).as_object());
    }
    return out;
  }
};

class LiveHubTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'000'000};
  LocalBus bus_;
  LiveHub hub_{bus_, clock_};
  auth::User agent_ = MakeUser(1, auth::Role::kAgent, "Alice Agent");
  auth::User lead_ = MakeUser(2, auth::Role::kLead, "Lena Lead");
  auth::User requester_ = MakeUser(10, auth::Role::kRequester, "Priya");
  auth::User other_requester_ = MakeUser(11, auth::Role::kRequester, "Omar");
};

TEST_F(LiveHubTest, SubscribersAreGreetedFirst) {
  Inbox inbox;
  hub_.Subscribe(agent_, inbox.Sink());
  auto hello = inbox.Of("hello");
  ASSERT_EQ(inbox.size(), 1u);
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_EQ(hello[0].at("user_id").as_int64(), 1);
}

TEST_F(LiveHubTest, StaffHearEveryChangeRequestersOnlyTheirOwnPublicOnes) {
  Inbox agent, requester, other;
  hub_.Subscribe(agent_, agent.Sink());
  hub_.Subscribe(requester_, requester.Sink());
  hub_.Subscribe(other_requester_, other.Sink());

  hub_.OnTicketChange({100, requester_.id, agent_.id, "commented", /*is_internal=*/true});
  hub_.OnTicketChange({200, other_requester_.id, other_requester_.id, "created", false});
  hub_.OnTicketChange({100, requester_.id, agent_.id, "updated", false});

  auto agent_heard = agent.Of("ticket");
  ASSERT_EQ(agent_heard.size(), 3u);
  EXPECT_EQ(agent_heard[0].at("ticket_id").as_int64(), 100);
  EXPECT_EQ(agent_heard[0].at("kind").as_string(), "commented");
  EXPECT_EQ(agent_heard[1].at("ticket_id").as_int64(), 200);

  auto requester_heard = requester.Of("ticket");
  ASSERT_EQ(requester_heard.size(), 1u) << "no internal note, no one else's ticket";
  EXPECT_EQ(requester_heard[0].at("ticket_id").as_int64(), 100);
  EXPECT_EQ(requester_heard[0].at("kind").as_string(), "updated");
  // Events never carry the requester id or whether a note was internal.
  EXPECT_FALSE(requester_heard[0].contains("requester_id"));
  EXPECT_FALSE(requester_heard[0].contains("internal"));

  auto other_heard = other.Of("ticket");
  ASSERT_EQ(other_heard.size(), 1u);
  EXPECT_EQ(other_heard[0].at("ticket_id").as_int64(), 200);
}

TEST_F(LiveHubTest, PresenceGoesToStaffOnlyAndRequestersCannotSetIt) {
  Inbox lead, requester;
  hub_.Subscribe(lead_, lead.Sink());
  hub_.Subscribe(requester_, requester.Sink());

  EXPECT_EQ(hub_.SetPresence(requester_, 100, PresenceState::kViewing).code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(hub_.SetPresence(agent_, 100, PresenceState::kViewing).ok());

  auto heard = lead.Of("presence");
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].at("ticket_id").as_int64(), 100);
  const auto& viewers = heard[0].at("viewers").as_array();
  ASSERT_EQ(viewers.size(), 1u);
  EXPECT_EQ(viewers[0].at("display_name").as_string(), "Alice Agent");
  EXPECT_EQ(viewers[0].at("state").as_string(), "viewing");
  EXPECT_TRUE(requester.Of("presence").empty());
}

TEST_F(LiveHubTest, TypingFadesToViewingThenPresenceExpires) {
  Inbox lead;
  hub_.Subscribe(lead_, lead.Sink());
  ASSERT_TRUE(hub_.SetPresence(agent_, 7, PresenceState::kTyping).ok());
  ASSERT_EQ(hub_.Viewers(7).size(), 1u);
  EXPECT_EQ(hub_.Viewers(7)[0].state, "typing");

  clock_.Advance(LiveHub::kTypingTtlMs + 1);
  hub_.ExpirePresence();
  ASSERT_EQ(hub_.Viewers(7).size(), 1u);
  EXPECT_EQ(hub_.Viewers(7)[0].state, "viewing");

  clock_.Advance(LiveHub::kViewingTtlMs);
  hub_.ExpirePresence();
  EXPECT_TRUE(hub_.Viewers(7).empty());

  // Announced: typing, then viewing, then nobody.
  auto heard = lead.Of("presence");
  ASSERT_EQ(heard.size(), 3u);
  EXPECT_EQ(heard[0].at("viewers").as_array()[0].at("state").as_string(), "typing");
  EXPECT_EQ(heard[1].at("viewers").as_array()[0].at("state").as_string(), "viewing");
  EXPECT_TRUE(heard[2].at("viewers").as_array().empty());
}

TEST_F(LiveHubTest, HeartbeatsKeepPresenceAndRepeatsAreNotReannounced) {
  Inbox lead;
  hub_.Subscribe(lead_, lead.Sink());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(hub_.SetPresence(agent_, 7, PresenceState::kViewing).ok());
    clock_.Advance(LiveHub::kViewingTtlMs / 2);
    hub_.ExpirePresence();
  }
  EXPECT_EQ(hub_.Viewers(7).size(), 1u);
  EXPECT_EQ(lead.Of("presence").size(), 1u);
}

TEST_F(LiveHubTest, LeavingRemovesTheViewerAtOnce) {
  Inbox lead;
  hub_.Subscribe(lead_, lead.Sink());
  ASSERT_TRUE(hub_.SetPresence(agent_, 7, PresenceState::kViewing).ok());
  ASSERT_TRUE(hub_.SetPresence(lead_, 7, PresenceState::kViewing).ok());
  ASSERT_TRUE(hub_.SetPresence(agent_, 7, PresenceState::kLeft).ok());
  auto viewers = hub_.Viewers(7);
  ASSERT_EQ(viewers.size(), 1u);
  EXPECT_EQ(viewers[0].user_id, lead_.id);
  auto heard = lead.Of("presence");
  ASSERT_EQ(heard.size(), 3u);
  EXPECT_EQ(heard[2].at("viewers").as_array().size(), 1u);
}

TEST_F(LiveHubTest, GoneSubscribersAreDropped) {
  Inbox a, b;
  hub_.Subscribe(agent_, a.Sink());
  hub_.Subscribe(lead_, b.Sink());
  ASSERT_EQ(hub_.subscriber_count(), 2u);
  a.alive = false;
  hub_.OnTicketChange({1, 10, 1, "updated", false});
  EXPECT_EQ(hub_.subscriber_count(), 1u);
  EXPECT_EQ(b.Of("ticket").size(), 1u);
}

TEST_F(LiveHubTest, MalformedBusMessagesAreIgnored) {
  Inbox lead;
  hub_.Subscribe(lead_, lead.Sink());
  for (const char* junk : {"", "not json", "[]", "{}", R"({"t":"ticket"})", R"({"t":"ticket","ticket_id":"x"})",
                           R"({"t":"other","ticket_id":1})"}) {
    hub_.Receive(junk);
  }
  EXPECT_EQ(lead.size(), 1u) << "only the greeting";
}

// The PostgreSQL bus: a message published by one node reaches every node,
// the sender's included. Runs against the throw-away cluster of the test run.
TEST(PostgresBusTest, EveryNodeHearsEveryNodesMessages) {
  const char* url = std::getenv("OPSDESK_TEST_PG_URL");
  if (!url || !*url) GTEST_SKIP() << "OPSDESK_TEST_PG_URL not set";
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> heard_a, heard_b;
  PostgresBus a(url), b(url);
  a.SetReceiver([&](const std::string& p) {
    std::lock_guard lock(mu);
    heard_a.push_back(p);
    cv.notify_all();
  });
  b.SetReceiver([&](const std::string& p) {
    std::lock_guard lock(mu);
    heard_b.push_back(p);
    cv.notify_all();
  });
  // LISTEN starts asynchronously; publish until both listeners have heard a
  // probe, then send the real messages.
  {
    std::unique_lock lock(mu);
    for (int i = 0; i < 200 && (heard_a.empty() || heard_b.empty()); ++i) {
      lock.unlock();
      a.Publish("probe");
      lock.lock();
      cv.wait_for(lock, std::chrono::milliseconds(100));
    }
    ASSERT_FALSE(heard_a.empty());
    ASSERT_FALSE(heard_b.empty());
  }
  a.Publish("from-a");
  b.Publish("from-b");
  std::unique_lock lock(mu);
  auto has_both = [](const std::vector<std::string>& v) {
    return std::find(v.begin(), v.end(), "from-a") != v.end() && std::find(v.begin(), v.end(), "from-b") != v.end();
  };
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return has_both(heard_a) && has_both(heard_b); }));
}

}  // namespace
}  // namespace opsdesk::live
