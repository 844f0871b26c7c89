// A Server-Sent Events client for the e2e tests: one raw loopback connection
// to GET /api/v1/live, chunked transfer decoding, and a bounded wait for an
// event matching a predicate.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace opsdesk::e2e {

struct SseEvent {
  std::string event;  // "message" when the frame names none
  std::string data;
  boost::json::value Json() const;  // data parsed; null when it is not JSON
};

class EventStream {
 public:
  // Connects and sends the request; reads the response head. Fails (with the
  // head in the message) unless the status is 200 and the type text/event-stream.
  static Result<std::unique_ptr<EventStream>> Open(uint16_t port, const std::string& token,
                                                   const std::string& path = "/api/v1/live");
  ~EventStream();
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // Reads until an event `matches` (returned and consumed, along with every
  // event before it, which stay in seen()) or the deadline passes (nullopt).
  // The deadline only keeps a broken server from hanging the test.
  std::optional<SseEvent> WaitFor(const std::function<bool(const SseEvent&)>& matches,
                                  std::chrono::milliseconds deadline = std::chrono::seconds(20));
  // Every event received so far, in order.
  const std::vector<SseEvent>& seen() const { return seen_; }
  // True when the server closed the stream (or it broke).
  bool closed() const { return closed_; }

 private:
  EventStream() = default;
  bool ReadMore(std::chrono::steady_clock::time_point until);  // false on timeout or close
  void DecodeChunks();
  std::optional<SseEvent> NextEvent();

  int fd_ = -1;
  bool closed_ = false;
  std::string raw_;      // undecoded bytes after the head
  std::string decoded_;  // chunk payloads not yet split into events
  std::vector<SseEvent> seen_;
  size_t consumed_ = 0;  // seen_[0, consumed_) were handed out or skipped by WaitFor
};

}  // namespace opsdesk::e2e
