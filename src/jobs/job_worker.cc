#include "jobs/job_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace opsdesk::jobs {

JobWorker::JobWorker(JobService& service, WorkerOptions options) : service_(service), options_(options) {
  options_.threads = std::max(1, options_.threads);
  options_.poll_ms = std::max(1, options_.poll_ms);
}

JobWorker::~JobWorker() { Stop(); }

void JobWorker::Start() {
  std::lock_guard lock(mu_);
  if (!threads_.empty()) return;
  stopping_ = false;
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { Loop(); });
}

void JobWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void JobWorker::Wake() {
  {
    std::lock_guard lock(mu_);
    ++wakes_;
  }
  cv_.notify_all();
}

void JobWorker::Loop() {
  int failures = 0;
  for (;;) {
    uint64_t wakes_seen;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      wakes_seen = wakes_;
    }
    auto ran = service_.RunDueJobsOnce();
    bool more = false;
    if (!ran.ok()) {
      // Database down or busy: back off a little, up to ten polls.
      if (failures++ % 50 == 0) spdlog::warn("job worker: {}", ran.status().ToString());
    } else {
      failures = 0;
      jobs_run_ += *ran;
      more = *ran >= service_.options().claim_batch;
    }
    if (more) continue;
    std::unique_lock lock(mu_);
    int wait_ms = options_.poll_ms * std::min(failures + 1, 10);
    cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return stopping_ || wakes_ != wakes_seen; });
  }
}

}  // namespace opsdesk::jobs
