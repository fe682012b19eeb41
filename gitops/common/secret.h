#pragma once

#include <ostream>
#include <string>
#include <utility>

namespace datamcp {

// A credential (token, key, shared secret). It has no implicit conversion to string and
// prints as "<redacted>", so it cannot end up in a log line by accident. Call Reveal()
// only where the bytes are handed to the thing that needs them.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  bool empty() const { return value_.empty(); }
  const std::string& Reveal() const { return value_; }

  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "<redacted>"; }

 private:
  std::string value_;
};

}  // namespace datamcp
