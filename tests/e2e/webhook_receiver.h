// A real HTTP receiver for webhook tests: a plain socket server on 127.0.0.1 in
// a thread of the test process. It records every request (method, path,
// lower-cased headers, body) and answers what the test's responder says.
// One connection at a time, Connection: close; enough for webhook traffic.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace opsdesk::e2e {

struct ReceivedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  int answered = 0;  // the status the receiver answered with
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct ReceiverAnswer {
  int status = 200;
  std::string extra_headers;  // "Name: value\r\n" lines
  int delay_ms = 0;           // wait before answering
};

class WebhookReceiver {
 public:
  using Responder = std::function<ReceiverAnswer(const ReceivedRequest&)>;

  WebhookReceiver() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listen_fd_, 512);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~WebhookReceiver() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
  }
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  uint16_t port() const { return port_; }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  void SetResponder(Responder responder) {
    std::lock_guard lock(mu_);
    responder_ = std::move(responder);
  }
  std::vector<ReceivedRequest> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  // Waits until `done(requests)` holds; false after `timeout`.
  bool WaitFor(const std::function<bool(const std::vector<ReceivedRequest>&)>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return done(requests_); });
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      Serve(fd);
      close(fd);
    }
  }

  // Reads until `pred(buffer)`, a closed socket or two idle seconds.
  static bool ReadUntil(int fd, std::string& buffer, const std::function<bool()>& pred) {
    while (!pred()) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 2000) <= 0) return false;
      char chunk[8192];
      ssize_t n = read(fd, chunk, sizeof chunk);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    return true;
  }

  void Serve(int fd) {
    std::string buffer;
    if (!ReadUntil(fd, buffer, [&] { return buffer.find("\r\n\r\n") != std::string::npos; })) return;
    size_t head_end = buffer.find("\r\n\r\n");
    ReceivedRequest request;
    std::string head = buffer.substr(0, head_end);
    size_t line_end = head.find("\r\n");
    std::string request_line = head.substr(0, line_end);
    size_t sp1 = request_line.find(' ');
    size_t sp2 = request_line.find(' ', sp1 + 1);
    request.method = request_line.substr(0, sp1);
    request.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string::npos) end = head.size();
      std::string line = head.substr(pos, end - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        request.headers[name] = value;
      }
      pos = end + 2;
    }
    size_t length = request.headers.count("content-length") ? std::stoul(request.headers["content-length"]) : 0;
    size_t body_start = head_end + 4;
    ReadUntil(fd, buffer, [&] { return buffer.size() >= body_start + length; });
    request.body = buffer.substr(body_start, length);

    Responder responder;
    {
      std::lock_guard lock(mu_);
      responder = responder_;
    }
    ReceiverAnswer answer = responder ? responder(request) : ReceiverAnswer{};
    if (answer.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(answer.delay_ms));
    request.answered = answer.status;
    std::string response = "HTTP/1.1 " + std::to_string(answer.status) + " Answer\r\nContent-Length: 2\r\n" +
                           answer.extra_headers + "Connection: close\r\n\r\nok";
    (void)!write(fd, response.data(), response.size());
    {
      std::lock_guard lock(mu_);
      requests_.push_back(std::move(request));
    }
    changed_.notify_all();
  }

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable changed_;
  Responder responder_;                    // GUARDED_BY(mu_)
  std::vector<ReceivedRequest> requests_;  // GUARDED_BY(mu_)
};

}  // namespace opsdesk::e2e
