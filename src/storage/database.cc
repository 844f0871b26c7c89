#include "storage/database.h"

#include <charconv>
#include <cmath>

#include "storage/postgres_database.h"
#include "storage/sqlite_database.h"

namespace opsdesk::storage {

const char* EngineName(Engine engine) {
  return engine == Engine::kSqlite ? "sqlite" : "postgresql";
}

int64_t Value::AsInt() const {
  if (auto* i = std::get_if<int64_t>(&v_)) return *i;
  if (auto* d = std::get_if<double>(&v_)) return static_cast<int64_t>(std::llround(*d));
  if (auto* s = std::get_if<std::string>(&v_)) {
    int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

double Value::AsDouble() const {
  if (auto* d = std::get_if<double>(&v_)) return *d;
  if (auto* i = std::get_if<int64_t>(&v_)) return static_cast<double>(*i);
  if (auto* s = std::get_if<std::string>(&v_)) {
    try {
      return std::stod(*s);
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

std::string Value::AsText() const {
  if (auto* s = std::get_if<std::string>(&v_)) return *s;
  if (auto* i = std::get_if<int64_t>(&v_)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v_)) return std::to_string(*d);
  return "";
}

Result<std::optional<Row>> Transaction::QueryOne(std::string_view sql, const Params& params) {
  auto rows = Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows->front()));
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& url, const OpenOptions& options) {
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    if (path.rfind("//", 0) == 0) path = path.substr(2);  // accept sqlite://PATH too
    if (path.empty()) return Status::InvalidArgument("database URL has no file path", {{"db", "sqlite:PATH"}});
    return OpenSqlite(path, options);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return OpenPostgres(url, options);
  }
  return Status::InvalidArgument("unknown database URL: use sqlite:PATH or postgresql://...",
                                 {{"db", "must start with sqlite: or postgresql://"}});
}

}  // namespace opsdesk::storage
