// An FTS5 ranking function for SQLite connections: BM25 with the document
// frequencies supplied by the caller.
//
//   bm25_counted(fts_table, sample_rows, count_1, ..., count_P [, weight_1, ..., weight_C])
//
// FTS5's own bm25() counts, for every phrase of the query, the rows of the
// whole index that contain it before it scores the first row: a full pass over
// the phrase's doclist, a hundred thousand entries for a common word over a
// million rows, paid by every query however few rows it ranks. Here each
// phrase's inverse document frequency comes from `count_i` rows out of
// `sample_rows` (the caller counts them over a part of the index, typically the
// newest rows), so ranking costs only the rows ranked. P is the query's phrase
// count; the optional weights are per column, as bm25() takes them (default 1).
// Returns minus the score, like bm25(): ORDER BY it ascending, best first.
#pragma once

#include <sqlite3.h>

#include "common/result.h"

namespace opsdesk::storage {

// Registers bm25_counted on the connection (FTS5 must be compiled in).
Status RegisterBm25Counted(sqlite3* db);

}  // namespace opsdesk::storage
