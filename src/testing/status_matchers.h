// gtest helpers for Status and Result<T>. Test-only: include from *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <utility>

#include "common/result.h"

namespace opsdesk::test_util {

inline Status StatusOf(const Status& status) { return status; }
template <typename T>
Status StatusOf(const Result<T>& result) {
  return result.status();
}

}  // namespace opsdesk::test_util

#define ASSERT_OK(expr)                                                                  \
  do {                                                                                   \
    ::opsdesk::Status assert_ok_status_ = ::opsdesk::test_util::StatusOf(expr);            \
    ASSERT_TRUE(assert_ok_status_.ok()) << assert_ok_status_.ToString();                \
  } while (0)

#define OPSDESK_TEST_CONCAT_INNER(a, b) a##b
#define OPSDESK_TEST_CONCAT(a, b) OPSDESK_TEST_CONCAT_INNER(a, b)
// Declares `lhs` from a Result, failing the test (and returning) on error.
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(OPSDESK_TEST_CONCAT(assert_result_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)   \
  auto tmp = (expr);                                \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString(); \
  lhs = std::move(tmp).value()
