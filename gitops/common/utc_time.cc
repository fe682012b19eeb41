#include "gitops/common/utc_time.h"

#include <cstdio>
#include <ctime>

namespace datamcp {
namespace {

// Reads `n` digits at `pos`; -1 when any is not a digit.
int Digits(std::string_view text, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

bool LeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Fills the date part of `tm` from "YYYY-MM-DD" at the start of `text`.
bool ReadDate(std::string_view text, std::tm& tm) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return false;
  int y = Digits(text, 0, 4), m = Digits(text, 5, 2), d = Digits(text, 8, 2);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || m < 1 || m > 12 || d < 1) return false;
  if (d > kDays[m - 1] + (m == 2 && LeapYear(y) ? 1 : 0)) return false;
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  return true;
}

// Fills the time of day from "THH:MM:SSZ" at offset 10 of `text`.
bool ReadTime(std::string_view text, std::tm& tm) {
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != 'Z') {
    return false;
  }
  int h = Digits(text, 11, 2), mi = Digits(text, 14, 2), s = Digits(text, 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return false;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return true;
}

std::tm Utc(long long unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

}  // namespace

std::string FormatUtcIso8601(long long unix_seconds) {
  std::tm tm = Utc(unix_seconds);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatUtcIso8601Millis(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  long long secs = ms / 1000;
  long long rem = ms % 1000;
  if (rem < 0) {
    rem += 1000;
    --secs;
  }
  std::tm tm = Utc(secs);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(rem));
  return buf;
}

Result<long long> ParseUtcIso8601(std::string_view text) {
  std::tm tm{};
  if (!ReadDate(text, tm) || !ReadTime(text, tm)) {
    return InvalidArgument("'" + std::string(text.substr(0, 64)) +
                           "' is not a UTC time like 2016-07-11T22:14:10Z");
  }
  return static_cast<long long>(timegm(&tm));
}

Result<long long> ParseUtcDateOrTime(std::string_view text) {
  std::tm tm{};
  if (!ReadDate(text, tm) || (text.size() != 10 && !ReadTime(text, tm))) {
    return InvalidArgument("'" + std::string(text.substr(0, 64)) +
                           "' is neither a day like 2016-07-11 nor a UTC time like "
                           "2016-07-11T22:14:10Z");
  }
  return static_cast<long long>(timegm(&tm));
}

}  // namespace datamcp
