#include "bot/webhooks/payload_fields.h"

#include <nlohmann/json.hpp>

namespace datamcp::bot {
namespace {

using Json = nlohmann::json;

// Tracks the path by depth: depth 1 is the top-level object, depth 2 a direct child.
class FieldsSax : public nlohmann::json_sax<Json> {
 public:
  explicit FieldsSax(PayloadFields* out) : out_(out) {}

  bool null() override { return Scalar(); }
  bool boolean(bool) override { return Scalar(); }
  bool number_integer(number_integer_t) override { return Scalar(); }
  bool number_unsigned(number_unsigned_t) override { return Scalar(); }
  bool number_float(number_float_t, const string_t&) override { return Scalar(); }
  bool binary(binary_t&) override { return Scalar(); }
  bool string(string_t& s) override {
    if (depth_ == 1 && top_key_ == "action") out_->action = s;
    if (depth_ == 2 && in_repository_ && child_key_ == "full_name") out_->repository = s;
    return Scalar();
  }
  bool start_object(std::size_t) override {
    if (depth_ == 0 && seen_value_) return false;
    seen_value_ = true;
    ++depth_;
    if (depth_ == 2 && top_key_ == "repository") in_repository_ = true;  // a top-level value
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) top_key_ = k;
    if (depth_ == 2) child_key_ = k;
    return true;
  }
  bool end_object() override {
    if (depth_ == 2) in_repository_ = false;
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) return false;  // the payload must be an object
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
  bool is_object() const { return seen_value_; }

 private:
  bool Scalar() { return depth_ > 0; }  // a bare scalar is not a payload

  PayloadFields* out_;
  int depth_ = 0;
  bool seen_value_ = false;
  bool in_repository_ = false;
  std::string top_key_, child_key_;
};

}  // namespace

bool ExtractPayloadFields(std::string_view body, PayloadFields* out) {
  *out = PayloadFields{};
  FieldsSax sax(out);
  const bool ok =
      Json::sax_parse(body.begin(), body.end(), &sax, nlohmann::detail::input_format_t::json,
                      /*strict=*/true);
  if (!ok || !sax.is_object()) {
    *out = PayloadFields{};
    return false;
  }
  return true;
}

}  // namespace datamcp::bot
