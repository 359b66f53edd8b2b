#pragma once
// Value parsers of the CSV reader (text -> int64, decimal, float64, date32, timestamp, bool),
// inline because the column converters call them once per field. All are strict: the whole of
// [begin, end) must be the value, no surrounding spaces.

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "quokka/type.h"

namespace quokka::csv {

inline bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
inline int64_t DaysFromCivilInline(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

/// Civil date of a day count (inverse of DaysFromCivilInline).
inline void CivilFromDaysInline(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

inline unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

/// Parse an optionally signed decimal integer that fits int64.
inline bool ParseInt64(const char* p, const char* end, int64_t* out) {
  bool negative = false;
  if (p < end && (*p == '-' || *p == '+')) negative = *p++ == '-';
  if (p == end) return false;
  uint64_t value = 0;
  const char* start = p;
  // Up to 18 digits cannot overflow uint64.
  const char* fast_end = end - start > 18 ? start + 18 : end;
  for (; p < fast_end; ++p) {
    unsigned digit = static_cast<unsigned char>(*p - '0');
    if (digit > 9) return false;
    value = value * 10 + digit;
  }
  for (; p < end; ++p) {
    unsigned digit = static_cast<unsigned char>(*p - '0');
    if (digit > 9) return false;
    if (__builtin_mul_overflow(value, uint64_t{10}, &value) ||
        __builtin_add_overflow(value, uint64_t{digit}, &value)) {
      return false;
    }
  }
  if (negative) {
    if (value > uint64_t{1} << 63) return false;
    *out = static_cast<int64_t>(0 - value);
  } else {
    if (value > uint64_t{INT64_MAX}) return false;
    *out = static_cast<int64_t>(value);
  }
  return true;
}

/// Parse [-+]digits[.digits] as an int64 holding value * 10^scale, |value| < 10^precision.
/// Fractional digits beyond `scale` must be zeros; at least one digit. Requires precision <= 18.
inline bool ParseDecimal(const char* p, const char* end, int precision, int scale, int64_t* out) {
  bool negative = false;
  if (p < end && (*p == '-' || *p == '+')) negative = *p++ == '-';
  const char* digits = p;
  while (p < end && *p == '0') ++p;  // leading zeros are not significant
  const char* significant = p;
  uint64_t value = 0;
  for (; p < end; ++p) {
    const unsigned digit = static_cast<unsigned char>(*p - '0');
    if (digit > 9) break;
    value = value * 10 + digit;
    if (p - significant >= 18) return false;  // > 18 digits: too large (and would overflow)
  }
  // The integer part has p - significant significant digits, so the scaled value is at least
  // 10^(p - significant - 1 + scale): it fits the precision only if this holds.
  if ((p - significant) + scale > precision) return false;
  int fraction = 0;
  if (p < end && *p == '.') {
    const char* point = p++;
    for (; p < end; ++p) {
      const unsigned digit = static_cast<unsigned char>(*p - '0');
      if (digit > 9) return false;
      if (fraction == scale) {
        if (digit != 0) return false;  // more digits than the scale (zeros are fine)
        continue;
      }
      ++fraction;
      value = value * 10 + digit;  // at most precision <= 18 digits in all: no overflow
    }
    if (point == digits && p == point + 1) return false;  // "." alone
  }
  if (p != end || p == digits) return false;
  value *= static_cast<uint64_t>(Pow10(scale - fraction));
  *out = negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
  return true;
}

/// Parse a double (decimal or exponent notation, inf, nan; a leading '+' allowed).
inline bool ParseFloat64(const char* p, const char* end, double* out) {
  if (p < end && *p == '+') ++p;
  if (p == end) return false;
  auto [ptr, ec] = std::from_chars(p, end, *out);
  return ec == std::errc() && ptr == end;
}

/// Parse exactly "YYYY-MM-DD" (a real date).
inline bool ParseDate32(const char* p, const char* end, int32_t* out) {
  if (end - p != 10 || p[4] != '-' || p[7] != '-') return false;
  unsigned d[8];
  static constexpr int kPos[8] = {0, 1, 2, 3, 5, 6, 8, 9};
  unsigned bad = 0;
  for (int i = 0; i < 8; ++i) {
    d[i] = static_cast<unsigned char>(p[kPos[i]] - '0');
    bad |= d[i] > 9;
  }
  if (bad) return false;
  int64_t year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
  unsigned month = d[4] * 10 + d[5];
  unsigned day = d[6] * 10 + d[7];
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  *out = static_cast<int32_t>(DaysFromCivilInline(year, month, day));
  return true;
}

inline int64_t UnitsPerSecond(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond:
      return 1;
    case TimeUnit::kMilli:
      return 1000;
    case TimeUnit::kMicro:
      return 1000000;
    case TimeUnit::kNano:
      return 1000000000;
  }
  return 1;
}

inline int UnitDigits(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond:
      return 0;
    case TimeUnit::kMilli:
      return 3;
    case TimeUnit::kMicro:
      return 6;
    case TimeUnit::kNano:
      return 9;
  }
  return 0;
}

/// Parse "YYYY-MM-DD", "YYYY-MM-DD[ T]HH:MM[:SS[.fraction]]" with an optional trailing 'Z', as
/// UTC in `unit` (fraction digits beyond the unit must be zero).
inline bool ParseTimestamp(const char* p, const char* end, TimeUnit unit, int64_t* out) {
  if (end - p < 10) return false;
  int32_t days;
  if (!ParseDate32(p, p + 10, &days)) return false;
  p += 10;
  if (p < end && end[-1] == 'Z') --end;
  int64_t seconds = 0, fraction = 0;
  if (p < end) {
    if ((*p != ' ' && *p != 'T') || end - p < 6) return false;
    ++p;
    auto two = [](const char* q, unsigned* v) {
      if (!IsDigit(q[0]) || !IsDigit(q[1])) return false;
      *v = (q[0] - '0') * 10 + (q[1] - '0');
      return true;
    };
    unsigned hh, mm, ss = 0;
    if (!two(p, &hh) || p[2] != ':' || !two(p + 3, &mm) || hh > 23 || mm > 59) return false;
    p += 5;
    if (p < end) {
      if (*p != ':' || end - p < 3 || !two(p + 1, &ss) || ss > 59) return false;
      p += 3;
      if (p < end) {
        if (*p != '.' || end - p < 2) return false;
        ++p;
        const int unit_digits = UnitDigits(unit);
        int n = 0;
        for (; p < end; ++p, ++n) {
          if (!IsDigit(*p) || n >= 9) return false;
          if (n < unit_digits) {
            fraction = fraction * 10 + (*p - '0');
          } else if (*p != '0') {
            return false;
          }
        }
        for (int k = n; k < unit_digits; ++k) fraction *= 10;
      }
    }
    seconds = hh * 3600 + mm * 60 + ss;
  }
  *out = (static_cast<int64_t>(days) * 86400 + seconds) * UnitsPerSecond(unit) + fraction;
  return true;
}

/// true/false (any case), 1/0.
inline bool ParseBool(const char* p, const char* end, bool* out) {
  size_t n = end - p;
  if (n == 1 && (*p == '1' || *p == '0')) {
    *out = *p == '1';
    return true;
  }
  auto equals = [&](const char* word) {
    for (size_t i = 0; i < n; ++i) {
      if ((p[i] | 0x20) != word[i]) return false;
    }
    return true;
  };
  if (n == 4 && equals("true")) {
    *out = true;
    return true;
  }
  if (n == 5 && equals("false")) {
    *out = false;
    return true;
  }
  return false;
}

}  // namespace quokka::csv
