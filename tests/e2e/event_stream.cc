#include "event_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace opsdesk::e2e {

boost::json::value SseEvent::Json() const {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(data, ec);
  return ec ? boost::json::value() : v;
}

Result<std::unique_ptr<EventStream>> EventStream::Open(uint16_t port, const std::string& token,
                                                       const std::string& path) {
  std::unique_ptr<EventStream> stream(new EventStream());
  stream->fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (stream->fd_ < 0) return Status::Internal(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(stream->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return Status::Unavailable(std::string("connect: ") + std::strerror(errno));
  }
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  request += "\r\n";
  if (send(stream->fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    return Status::Unavailable("could not send the request");
  }
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  size_t head_end;
  while ((head_end = stream->raw_.find("\r\n\r\n")) == std::string::npos) {
    if (!stream->ReadMore(until)) return Status::Unavailable("no response head: " + stream->raw_);
  }
  std::string head = stream->raw_.substr(0, head_end);
  stream->raw_.erase(0, head_end + 4);
  if (head.rfind("HTTP/1.1 200", 0) != 0 || head.find("text/event-stream") == std::string::npos ||
      head.find("chunked") == std::string::npos) {
    return Status::FailedPrecondition("not an event stream: " + head + "\r\n\r\n" + stream->raw_);
  }
  return stream;
}

EventStream::~EventStream() {
  if (fd_ >= 0) close(fd_);
}

bool EventStream::ReadMore(std::chrono::steady_clock::time_point until) {
  if (closed_) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  int ready = poll(&p, 1, static_cast<int>(left.count()));
  if (ready <= 0) return false;
  char buffer[4096];
  ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  raw_.append(buffer, static_cast<size_t>(n));
  return true;
}

void EventStream::DecodeChunks() {
  for (;;) {
    size_t line_end = raw_.find("\r\n");
    if (line_end == std::string::npos) return;
    size_t size = std::stoul(raw_.substr(0, line_end), nullptr, 16);
    if (size == 0) {
      closed_ = true;
      return;
    }
    if (raw_.size() < line_end + 2 + size + 2) return;
    decoded_.append(raw_, line_end + 2, size);
    raw_.erase(0, line_end + 2 + size + 2);
  }
}

std::optional<SseEvent> EventStream::NextEvent() {
  for (;;) {
    size_t end = decoded_.find("\n\n");
    if (end == std::string::npos) return std::nullopt;
    std::string frame = decoded_.substr(0, end);
    decoded_.erase(0, end + 2);
    SseEvent event{"message", ""};
    bool has_data = false;
    size_t pos = 0;
    while (pos <= frame.size()) {
      size_t nl = frame.find('\n', pos);
      std::string line = frame.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      pos = nl == std::string::npos ? frame.size() + 1 : nl + 1;
      if (line.rfind("event: ", 0) == 0) event.event = line.substr(7);
      if (line.rfind("data: ", 0) == 0) {
        if (has_data) event.data += "\n";
        event.data += line.substr(6);
        has_data = true;
      }
    }
    if (has_data) return event;  // comments (": ping") and "retry:" frames carry no data
  }
}

std::optional<SseEvent> EventStream::WaitFor(const std::function<bool(const SseEvent&)>& matches,
                                             std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    while (consumed_ < seen_.size()) {
      const SseEvent& event = seen_[consumed_++];
      if (matches(event)) return event;
    }
    DecodeChunks();
    if (auto event = NextEvent()) {
      seen_.push_back(std::move(*event));
      continue;
    }
    if (!ReadMore(until)) return std::nullopt;
  }
}

}  // namespace opsdesk::e2e
