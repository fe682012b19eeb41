#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "gitops/common/status.h"

namespace datamcp {

// A value of type T, or a non-OK Status explaining why there is none.
// Accessing value() on an error is a programming error (asserted).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result constructed from an OK status without a value");
    if (status_.ok()) status_ = Internal("Result built from OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace datamcp

#define DATAMCP_CONCAT_INNER_(a, b) a##b
#define DATAMCP_CONCAT_(a, b) DATAMCP_CONCAT_INNER_(a, b)

// DATAMCP_ASSIGN_OR_RETURN(auto x, Compute()); returns the status when Compute() fails.
#define DATAMCP_ASSIGN_OR_RETURN(lhs, rexpr) \
  DATAMCP_ASSIGN_OR_RETURN_IMPL_(DATAMCP_CONCAT_(datamcp_result_, __LINE__), lhs, rexpr)
#define DATAMCP_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                   \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()
