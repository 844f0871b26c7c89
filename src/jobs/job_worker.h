// The per-node worker that runs due jobs: `threads` loops, each claiming a batch
// (JobService::RunDueJobsOnce), running it and claiming again while there is
// work; when there is none it sleeps `poll_ms` or until Wake().
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "jobs/job_service.h"

namespace opsdesk::jobs {

struct WorkerOptions {
  int threads = 4;
  int poll_ms = 200;
};

class JobWorker {
 public:
  JobWorker(JobService& service, WorkerOptions options = {});
  ~JobWorker();  // Stop()
  JobWorker(const JobWorker&) = delete;
  JobWorker& operator=(const JobWorker&) = delete;

  void Start();
  // Lets the running batches finish, then joins the threads. Idempotent.
  void Stop();
  // Ends the current sleep of every thread (a job was scheduled).
  void Wake();

  int64_t jobs_run() const { return jobs_run_.load(); }

 private:
  void Loop();

  JobService& service_;
  WorkerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  uint64_t wakes_ = 0;     // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
  std::atomic<int64_t> jobs_run_{0};
};

}  // namespace opsdesk::jobs
