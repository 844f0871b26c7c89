#include "cli/serve.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "auth/auth_service.h"
#include "auth/user_service.h"
#include "demo/demo_data.h"
#include "automation/sla_watch.h"
#include "escalation/escalation_service.h"
#include "http/api.h"
#include "http/server.h"
#include "http/static_files.h"
#include "jobs/job_service.h"
#include "jobs/job_worker.h"
#include "kb/kb_service.h"
#include "live/live_hub.h"
#include "live/postgres_bus.h"
#include "notify/notify_service.h"
#include "notify/senders.h"
#include "queues/queue_service.h"
#include "storage/migrations.h"
#include "tickets/ticket_service.h"

namespace opsdesk::cli {

int Serve(const config::ServerConfig& cfg) {
  http::ServerOptions options;
  if (Status st = config::SplitListen(cfg.listen, &options.address, &options.port); !st.ok()) {
    std::cerr << "opsdesk: " << st.message() << "\n";
    return 2;
  }
  options.io_threads = cfg.io_threads;
  options.worker_threads = cfg.worker_threads;
  options.body_limit_bytes = cfg.body_limit_bytes;
  options.header_limit_bytes = cfg.header_limit_bytes;
  options.read_timeout_ms = cfg.read_timeout_ms;
  options.idle_timeout_ms = cfg.idle_timeout_ms;
  options.max_connections = cfg.max_connections;

  SystemClock clock;
  storage::OpenOptions db_options;
  db_options.max_readers = cfg.db_pool_size;
  auto db = storage::Database::Open(cfg.db, db_options);
  if (!db.ok()) {
    std::cerr << "opsdesk: " << db.status().message() << "\n";
    return 1;
  }
  if (Status st = storage::Migrate(**db, clock); !st.ok()) {
    std::cerr << "opsdesk: " << st.message() << "\n";
    return 1;
  }
  if (cfg.demo_data) {
    if (Status st = demo::LoadDemoData(**db, clock.NowMs()); !st.ok()) {
      std::cerr << "opsdesk: loading demo data failed: " << st.ToString() << "\n";
      return 1;
    }
  }

  // A token seen in the last second is not looked up again: revocations made
  // through this node apply at once, through other nodes within that second.
  auth::TokenCache token_cache(clock, 1000);
  auth::AuthService auth(**db, clock, {}, &token_cache);
  auth::UserService users(**db, clock, &token_cache);
  queues::QueueService queues(**db, clock);
  tickets::TicketService tickets(**db, clock);
  // Live updates: on PostgreSQL through NOTIFY/LISTEN so that every node's
  // clients hear of every node's changes; on SQLite (one node) in process.
  std::unique_ptr<live::Bus> bus;
  if ((*db)->engine() == storage::Engine::kPostgres) bus = std::make_unique<live::PostgresBus>(cfg.db);
  else bus = std::make_unique<live::LocalBus>();
  live::LiveHub hub(*bus, clock);
  // Durable jobs and notifications: deliveries are scheduled in the transaction
  // of the change that causes them and run by this node's job worker (every
  // node runs one; claims never overlap).
  notify::InitCurl();
  jobs::JobOptions job_options;
  job_options.max_attempts = cfg.jobs_max_attempts;
  job_options.retry_base_ms = cfg.jobs_retry_base_ms;
  job_options.lease_ms = cfg.jobs_lease_ms;
  job_options.claim_batch = cfg.jobs_claim_batch;
  jobs::JobService jobs(**db, clock, job_options);
  notify::WebhookSender webhook_sender({cfg.webhook_allow_hosts, cfg.webhook_timeout_ms});
  notify::SmtpMailer mailer({cfg.smtp_url, cfg.mail_from});
  notify::NotifyOptions notify_options;
  notify_options.public_url = cfg.public_url.empty() ? "http://" + cfg.listen : cfg.public_url;
  notify_options.webhook_allow_hosts = cfg.webhook_allow_hosts;
  notify_options.email_enabled = mailer.enabled();
  notify::NotifyService notify(**db, clock, jobs, notify_options, &webhook_sender, &mailer);
  notify.RegisterJobHandlers();
  tickets.AddOutbox(&notify);
  jobs::JobWorker job_worker(jobs, jobs::WorkerOptions{std::max(1, cfg.jobs_threads), cfg.jobs_poll_ms});
  jobs.SetScheduledListener([&job_worker](TimestampMs) { job_worker.Wake(); });
  tickets.SetChangeListener([&hub, &job_worker](const tickets::TicketChange& change) {
    hub.OnTicketChange(change);
    job_worker.Wake();  // after the commit: the change's notifications are claimable now
  });
  oncall::OnCallService oncall(**db, clock);
  sla::SlaService sla(**db, clock);
  // Escalations: page jobs, ack timeouts and signed acknowledge links
  // (docs/ESCALATION.md); the link key is shared by every node.
  auto link_key = notify::LoadOrCreateLinkKey(**db, clock, cfg.link_secret);
  if (!link_key.ok()) {
    std::cerr << "opsdesk: " << link_key.status().message() << "\n";
    return 1;
  }
  escalation::EscalationOptions escalation_options;
  escalation_options.public_url = notify_options.public_url;
  escalation_options.email_enabled = mailer.enabled();
  escalation::EscalationService escalations(**db, clock, jobs, oncall, &notify, notify::LinkSigner(*link_key),
                                            escalation_options);
  escalations.RegisterJobHandlers();
  tickets.AddOutbox(&escalations);
  // SLA timers, warnings, breaches and automatic escalation (src/automation):
  // refreshed in every ticket change's transaction and by durable timers.
  automation::SlaWatch sla_watch(**db, clock, jobs, &notify, &escalations,
                                 automation::SlaWatchOptions{notify_options.public_url});
  sla_watch.RegisterJobHandlers();
  tickets.AddOutbox(&sla_watch);
  escalations.SetTicketHook(
      [&sla_watch](storage::Transaction& tx, int64_t ticket_id) { return sla_watch.Refresh(tx, ticket_id); });
  automation::EscalationRuleService rules(**db, clock);
  kb::KbService kb(**db, clock);
  catalog::CatalogService catalog(**db, clock, oncall, kb);
  search::SearchService search(**db);
  kb::UsageService kb_usage(**db, clock, kb, tickets);
  http::Api api(http::ApiServices{**db, clock, auth, users, queues, tickets, hub, notify, oncall, sla, escalations,
                                  rules, catalog, kb, search, kb_usage});
  if ((*db)->engine() == storage::Engine::kSqlite) {
    // SQLite reads in WAL mode never wait for the writer, so GETs skip the
    // worker pool; writes (which wait for their group commit) still use it.
    // Reads that count over many tickets (view counts, metrics) still go to the
    // pool, so they never stall the other connections of an I/O thread.
    options.run_inline = [](const http::Request& request) {
      return (request.method == "GET" || request.method == "HEAD") && request.path != "/api/v1/views" &&
             request.path != "/metrics";
    };
  }
  auto static_files = http::StaticFiles::Load(cfg.web_root);
  if (!static_files.ok()) {
    std::cerr << "opsdesk: " << static_files.status().message() << "\n";
    return 1;
  }
  if ((*static_files)->file_count() == 0) {
    spdlog::warn("no web front end at {}: serving the API only", cfg.web_root);
  }
  api.SetStaticFiles(static_files->get());
  http::Server server(options, [&api](const http::Request& request) { return api.Handle(request); });
  if (Status st = server.Start(); !st.ok()) {
    std::cerr << "opsdesk: " << st.message() << "\n";
    return 1;
  }

  // SIGTERM/SIGINT start a graceful stop: in-flight requests finish, then the
  // database closes when `db` goes out of scope.
  boost::asio::io_context signal_ioc;
  boost::asio::signal_set signals(signal_ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {} received, stopping", signal);
    server.Stop();
  });
  std::thread signal_thread([&] { signal_ioc.run(); });
  // The access log is buffered (src/http/server.cc); lines reach stdout within
  // a second.
  spdlog::flush_every(std::chrono::seconds(1));
  // Jobs that fell due while no node ran are claimed on the first poll.
  if (cfg.jobs_threads > 0) job_worker.Start();

  // Tests and scripts wait for this line to know the server accepts connections.
  std::cout << "opsdesk listening on http://" << options.address << ":" << server.port() << " (database "
            << storage::EngineName((*db)->engine()) << ")" << std::endl;
  server.Run();
  // Running jobs finish (or their lease runs out for another node) before the
  // database closes.
  job_worker.Stop();
  signal_ioc.stop();
  signal_thread.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace opsdesk::cli
