// Phase 1 of CSV parsing: row and field boundaries (ScanRows, SplitRow) and type inference.
#include <algorithm>
#include <cstring>

#include "csv/csv_internal.h"
#include "csv/csv_parse.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace quokka::csv {

// ------------------------------------------------------------------------------------------
// ScanOutput

void ScanOutput::Reset(int num_fields) {
  stride_ = num_fields + 1;
  rows_ = 0;
  next = 0;
  incomplete = false;
  errors.clear();
}

uint32_t* ScanOutput::Grow() {
  // Row rows_ may write one slot past its own (a trailing delimiter): keep two rows of room.
  const int64_t needed = (rows_ + 2) * stride_ + 1;
  if (needed > capacity_) {
    int64_t capacity = std::max<int64_t>(needed, capacity_ * 2);
    capacity = std::max<int64_t>(capacity, 1024);
    auto slots = std::make_unique<uint32_t[]>(capacity);
    if (rows_ > 0) std::memcpy(slots.get(), slots_.get(), rows_ * stride_ * sizeof(uint32_t));
    slots_ = std::move(slots);
    capacity_ = capacity;
  }
  return slots_.get() + rows_ * stride_;
}

void ScanOutput::Compact(const std::vector<uint8_t>& keep) {
  int64_t out = 0;
  for (int64_t r = 0; r < rows_; ++r) {
    if (!keep[r]) continue;
    if (out != r) {
      std::memmove(slots_.get() + out * stride_, slots_.get() + r * stride_,
                   stride_ * sizeof(uint32_t));
    }
    ++out;
  }
  rows_ = out;
}

// ------------------------------------------------------------------------------------------
// ScanRows

namespace {

struct Masks {
  uint64_t delimiter, newline, quote;
};

// Bit i of each mask: byte p[i] is the delimiter / LF / quote.
inline Masks Classify(const char* p, char delimiter, char quote) {
#if defined(__SSE2__)
  const __m128i vd = _mm_set1_epi8(delimiter);
  const __m128i vn = _mm_set1_epi8('\n');
  const __m128i vq = _mm_set1_epi8(quote);
  Masks m{0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    m.delimiter |=
        static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd))))
        << (16 * i);
    m.newline |=
        static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, vn))))
        << (16 * i);
    m.quote |=
        static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, vq))))
        << (16 * i);
  }
  return m;
#else
  Masks m{0, 0, 0};
  for (int i = 0; i < 64; ++i) {
    m.delimiter |= static_cast<uint64_t>(p[i] == delimiter) << i;
    m.newline |= static_cast<uint64_t>(p[i] == '\n') << i;
    m.quote |= static_cast<uint64_t>(p[i] == quote) << i;
  }
  return m;
#endif
}

// Bit i set = an odd number of quote bits at positions <= i: inside quotes (the opening quote
// included, the closing one not).
inline uint64_t PrefixXor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

}  // namespace

void ScanRows(const char* data, size_t size, bool at_eof, size_t begin, size_t limit,
              const Dialect& dialect, bool stop_at_error, ScanOutput* out) {
  const int num_fields = out->stride_ - 1;
  const char delimiter = dialect.delimiter;
  // With quoting off, classify against a byte that is never checked (quote masks ignored).
  const char quote = dialect.quote;
  const bool quoting = dialect.quoting;
  out->incomplete = false;

  uint32_t* row = out->Grow();
  size_t row_start = begin;
  row[0] = static_cast<uint32_t>(row_start);
  int count = 0;          // delimiters seen in the current row
  uint64_t in_quote = 0;  // all ones while inside quotes at the end of the previous block

  // Record a malformed row; returns true if scanning must stop.
  auto fail = [&](RowErrorKind kind, size_t field_start, size_t row_end, int fields) {
    out->errors.push_back({kind, static_cast<uint32_t>(row_start),
                           static_cast<uint32_t>(field_start), static_cast<uint32_t>(row_end),
                           fields});
    return stop_at_error;
  };
  auto field_start = [&]() -> size_t {
    return count == 0 ? row_start : (count <= num_fields ? row[count] + 1 : row_start);
  };
  // The row ends at the line break at `p` (or the end of data, p = size); the next row starts
  // at `next_start`. Returns true to stop (out->next is then set).
  auto end_row = [&](size_t p, size_t next_start) -> bool {
    size_t end = p;
    if (end > row_start && data[end - 1] == '\r') --end;
    if (count == 0 && end == row_start && dialect.skip_empty_lines) {
      // An empty line: not a row.
    } else if (count + 1 == num_fields ||
               (count == num_fields && dialect.allow_trailing_delimiter &&
                row[num_fields] + 1 == end)) {
      if (count + 1 == num_fields) row[num_fields] = static_cast<uint32_t>(end);
      ++out->rows_;
      row = out->Grow();
    } else if (fail(RowErrorKind::kFieldCount, row_start, end, count + 1)) {
      out->next = static_cast<uint32_t>(row_start);
      return true;
    }
    row_start = next_start;
    row[0] = static_cast<uint32_t>(row_start);
    count = 0;
    if (row_start >= limit) {
      out->next = static_cast<uint32_t>(row_start);
      return true;
    }
    return false;
  };

  size_t block = begin;
  while (block < size) {
    const Masks m = Classify(data + block, delimiter, quote);
    const size_t valid = size - block;
    const uint64_t valid_mask = valid >= 64 ? ~uint64_t{0} : (uint64_t{1} << valid) - 1;
    uint64_t newline = m.newline & valid_mask;
    uint64_t separators = (m.delimiter & valid_mask) | newline;
    size_t resync = SIZE_MAX;  // a line break inside quotes at this position (line mode)
    if (quoting) {
      const uint64_t quotes = m.quote & valid_mask;
      if ((quotes | in_quote) != 0) {
        const uint64_t inside = PrefixXor(quotes) ^ in_quote;
        in_quote = static_cast<uint64_t>(static_cast<int64_t>(inside) >> 63);
        separators &= ~inside;
        const uint64_t quoted_newlines = newline & inside;
        if (quoted_newlines != 0 && !dialect.newlines_in_values) {
          const uint64_t first = quoted_newlines & (0 - quoted_newlines);
          separators &= first - 1;
          resync = block + __builtin_ctzll(first);
        }
      }
    }
    while (separators != 0) {
      const size_t p = block + __builtin_ctzll(separators);
      separators &= separators - 1;
      if (data[p] != '\n') {
        if (count <= num_fields) row[1 + count] = static_cast<uint32_t>(p);
        ++count;
      } else if (end_row(p, p + 1)) {
        return;
      }
    }
    if (resync != SIZE_MAX) {
      // Rows are lines: the row is malformed, the next one starts after this line break.
      size_t end = resync;
      if (end > row_start && data[end - 1] == '\r') --end;
      if (fail(RowErrorKind::kQuotedNewline, field_start(), end, count)) {
        out->next = static_cast<uint32_t>(row_start);
        return;
      }
      row_start = resync + 1;
      row[0] = static_cast<uint32_t>(row_start);
      count = 0;
      in_quote = 0;
      if (row_start >= limit) {
        out->next = static_cast<uint32_t>(row_start);
        return;
      }
      block = row_start;
      continue;
    }
    block += 64;
  }
  // The data ended inside the row starting at row_start (or exactly at its start).
  out->next = static_cast<uint32_t>(row_start);
  if (row_start >= size) return;
  if (!at_eof) {
    out->incomplete = true;
    return;
  }
  if (in_quote != 0) {
    size_t end = size;
    if (fail(RowErrorKind::kUnterminated, field_start(), end, count)) return;
    out->next = static_cast<uint32_t>(size);
    return;
  }
  if (!end_row(size, size)) out->next = static_cast<uint32_t>(size);
}

// ------------------------------------------------------------------------------------------
// SplitRow, Unquote

int64_t Unquote(const char* begin, const char* end, char quote, char* out) {
  // begin[0] is the quote.
  if (end - begin < 2 || end[-1] != quote) return -1;
  const char* p = begin + 1;
  const char* stop = end - 1;
  char* o = out;
  while (p < stop) {
    const char* q = static_cast<const char*>(std::memchr(p, quote, stop - p));
    if (q == nullptr) q = stop;
    std::memcpy(o, p, q - p);
    o += q - p;
    if (q == stop) break;
    // A quote inside must be doubled.
    if (q + 1 >= stop || q[1] != quote) return -1;
    *o++ = quote;
    p = q + 2;
  }
  return o - out;
}

SplitResult SplitRow(const char* data, size_t size, bool at_eof, size_t pos,
                     const Dialect& dialect) {
  SplitResult result;
  if (pos >= size) {
    result.status = SplitResult::kEnd;
    result.next = pos;
    return result;
  }
  std::vector<std::pair<size_t, size_t>> spans;
  bool in_quote = false;
  size_t field_begin = pos;
  size_t p = pos;
  size_t row_end = SIZE_MAX, next = SIZE_MAX;
  for (; p < size; ++p) {
    const char c = data[p];
    if (dialect.quoting && c == dialect.quote) {
      in_quote = !in_quote;
    } else if (c == '\n') {
      if (!in_quote) {
        row_end = p;
        next = p + 1;
        break;
      }
      if (!dialect.newlines_in_values) {
        result.status = SplitResult::kError;
        result.error_kind = RowErrorKind::kQuotedNewline;
        result.error_field = static_cast<int>(spans.size());
        result.next = p + 1;
        return result;
      }
    } else if (c == dialect.delimiter && !in_quote) {
      spans.emplace_back(field_begin, p);
      field_begin = p + 1;
    }
  }
  if (row_end == SIZE_MAX) {
    if (!at_eof) {
      result.status = SplitResult::kNeedMore;
      result.next = pos;
      return result;
    }
    if (in_quote) {
      result.status = SplitResult::kError;
      result.error_kind = RowErrorKind::kUnterminated;
      result.error_field = static_cast<int>(spans.size());
      result.next = size;
      return result;
    }
    row_end = size;
    next = size;
  }
  result.next = next;
  if (row_end > pos && data[row_end - 1] == '\r') --row_end;
  if (spans.empty() && row_end == pos && dialect.skip_empty_lines) {
    result.status = SplitResult::kEmpty;
    return result;
  }
  spans.emplace_back(field_begin, row_end);
  for (size_t i = 0; i < spans.size(); ++i) {
    const char* b = data + spans[i].first;
    const char* e = data + spans[i].second;
    if (dialect.quoting && b < e && *b == dialect.quote) {
      std::string text(e - b, '\0');
      int64_t length = Unquote(b, e, dialect.quote, text.data());
      if (length < 0) {
        result.status = SplitResult::kError;
        result.bad_quoting = true;
        result.error_field = static_cast<int>(i);
        return result;
      }
      text.resize(length);
      result.fields.push_back(std::move(text));
      result.quoted.push_back(true);
    } else {
      result.fields.emplace_back(b, e);
      result.quoted.push_back(false);
    }
  }
  result.status = SplitResult::kRow;
  return result;
}

std::string Excerpt(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  return std::string(text.substr(0, max)) + "...";
}

// ------------------------------------------------------------------------------------------
// TypeInferrer

void TypeInferrer::Add(std::string_view value) {
  any_ = true;
  const char* b = value.data();
  const char* e = b + value.size();
  if (bool_) {
    bool v;
    // Only words: a column of 0 and 1 is an integer column.
    bool_ = value.size() >= 4 && ParseBool(b, e, &v);
  }
  if (int_) {
    int64_t v;
    int_ = ParseInt64(b, e, &v);
  }
  if (decimal_) {
    // [-+]digits[.digits], at most 18 digits.
    const char* p = b;
    if (p < e && (*p == '-' || *p == '+')) ++p;
    int int_digits = 0, scale = 0;
    bool point = false, ok = p < e;
    for (; p < e && ok; ++p) {
      if (IsDigit(*p)) {
        (point ? scale : int_digits) += 1;
      } else if (*p == '.' && !point) {
        point = true;
      } else {
        ok = false;
      }
    }
    ok = ok && int_digits + scale > 0;
    int_digits_ = std::max(int_digits_, int_digits);
    scale_ = std::max(scale_, scale);
    decimal_ = ok && int_digits_ + scale_ <= 18;
  }
  if (float_) {
    double v;
    float_ = ParseFloat64(b, e, &v);
  }
  if (date_) {
    int32_t v;
    date_ = ParseDate32(b, e, &v);
  }
  if (timestamp_) {
    int64_t v;
    timestamp_ = ParseTimestamp(b, e, unit_, &v);
  }
}

DataType TypeInferrer::Result() const {
  if (!any_) return DataType::Utf8();
  if (bool_) return DataType::Bool();
  if (int_) return DataType::Int64();
  if (infer_decimal_ && decimal_) return DataType::Decimal(18, scale_);
  if (float_) return DataType::Float64();
  if (date_) return DataType::Date32();
  if (timestamp_) return DataType::Timestamp(unit_);
  return DataType::Utf8();
}

}  // namespace quokka::csv
