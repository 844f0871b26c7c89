#include "storage/sqlite_bm25.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace opsdesk::storage {
namespace {

// The constants of FTS5's bm25(), so the two rank alike.
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;

void Bm25Counted(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* result, int argc,
                 sqlite3_value** argv) {
  const int phrases = api->xPhraseCount(fts);
  const int columns = api->xColumnCount(fts);
  if (argc < 1 + phrases || argc > 1 + phrases + columns) {
    sqlite3_result_error(result, "bm25_counted: wrong number of arguments for the query's phrases", -1);
    return;
  }
  const double sample = sqlite3_value_double(argv[0]);
  std::vector<double> idf(static_cast<size_t>(phrases));
  for (int i = 0; i < phrases; ++i) {
    const double n = sqlite3_value_double(argv[1 + i]);
    // As bm25(): a phrase in more than half the rows still counts a little.
    idf[static_cast<size_t>(i)] = std::max(1e-6, std::log((sample - n + 0.5) / (n + 0.5)));
  }
  std::vector<double> weight(static_cast<size_t>(columns), 1.0);
  for (int c = 0; c < columns && 1 + phrases + c < argc; ++c) {
    weight[static_cast<size_t>(c)] = sqlite3_value_double(argv[1 + phrases + c]);
  }

  // The average row length comes from the index's totals (one small record);
  // the row's own length from its docsize entry.
  sqlite3_int64 rows = 0, tokens = 0;
  int rc = api->xRowCount(fts, &rows);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
  int row_tokens = 0;
  if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &row_tokens);
  int instances = 0;
  if (rc == SQLITE_OK) rc = api->xInstCount(fts, &instances);
  std::vector<double> frequency(static_cast<size_t>(phrases), 0.0);
  for (int i = 0; rc == SQLITE_OK && i < instances; ++i) {
    int phrase = 0, column = 0, offset = 0;
    rc = api->xInst(fts, i, &phrase, &column, &offset);
    if (rc == SQLITE_OK && phrase >= 0 && phrase < phrases && column >= 0 && column < columns) {
      frequency[static_cast<size_t>(phrase)] += weight[static_cast<size_t>(column)];
    }
  }
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(result, rc);
    return;
  }
  const double average = rows > 0 ? static_cast<double>(tokens) / static_cast<double>(rows) : 1.0;
  const double length_norm = kK1 * (1 - kB + kB * row_tokens / (average > 0 ? average : 1.0));
  double score = 0;
  for (int i = 0; i < phrases; ++i) {
    const double f = frequency[static_cast<size_t>(i)];
    score += idf[static_cast<size_t>(i)] * (f * (kK1 + 1)) / (f + length_norm);
  }
  sqlite3_result_double(result, -score);
}

}  // namespace

Status RegisterBm25Counted(sqlite3* db) {
  // The FTS5 API pointer, fetched the documented way: SELECT fts5(?1) with
  // a pointer binding.
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  if (rc == SQLITE_OK && sqlite3_step(stmt) != SQLITE_ROW) rc = sqlite3_errcode(db);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_OK) return Status::Unavailable("cannot reach SQLite's FTS5 API: " + std::string(sqlite3_errstr(rc)));
  if (api == nullptr || api->iVersion < 2) return Status::Unavailable("SQLite's FTS5 is missing or too old");
  rc = api->xCreateFunction(api, "bm25_counted", nullptr, &Bm25Counted, nullptr);
  if (rc != SQLITE_OK) return Status::Internal("cannot register bm25_counted: " + std::string(sqlite3_errstr(rc)));
  return Status::Ok();
}

}  // namespace opsdesk::storage
