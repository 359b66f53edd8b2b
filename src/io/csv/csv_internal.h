#pragma once
// Internals of the CSV reader, shared by the reader, the tests and the fuzz target.
//
// Parsing a batch has two phases. ScanRows() finds the row and field boundaries of a buffer
// (64 bytes at a time with SSE2: delimiter, LF and quote bit masks; quoted regions by a prefix
// XOR of the quote bits) and records, per row, the row start and the end of every field in a
// flat array of "slots". Then ConvertColumn() turns one field of every row into a column,
// in a loop specialized by type: no per-field dispatch, no per-field allocation.
// SplitRow() is a plain byte-at-a-time splitter with the same syntax, used for headers, type
// inference samples, and as the reference the fuzz target compares ScanRows against.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quokka/column.h"
#include "quokka/type.h"

namespace quokka::csv {

/// The syntax options ScanRows and SplitRow need.
struct Dialect {
  char delimiter = ',';
  char quote = '"';
  bool quoting = true;
  bool newlines_in_values = false;
  bool allow_trailing_delimiter = true;
  bool skip_empty_lines = true;
};

/// Bytes of readable padding ScanRows needs after the end of its buffer.
constexpr size_t kScanPadding = 64;

enum class RowErrorKind : uint8_t {
  kFieldCount,     // wrong number of fields
  kQuotedNewline,  // a line break inside quotes while !newlines_in_values
  kUnterminated,   // end of file inside quotes
};

/// A malformed row found by ScanRows (offsets relative to the buffer).
struct ScanError {
  RowErrorKind kind;
  uint32_t row_start;
  uint32_t field_start;  // start of the offending field (quote errors)
  uint32_t row_end;      // end of the row's text (before the line break)
  int fields;            // fields found (kFieldCount) or index of the offending field
};

/// Rows found by ScanRows: row r has slots [r * stride, (r + 1) * stride) with
/// stride = num_fields + 1: slot 0 is the row start, slot k (k >= 1) is the end of field k - 1.
/// Field k spans [slot k + (k > 0), slot k + 1).
class ScanOutput {
 public:
  void Reset(int num_fields);
  int stride() const { return stride_; }
  int64_t rows() const { return rows_; }
  const uint32_t* slots() const { return slots_.get(); }
  uint32_t* mutable_slots() { return slots_.get(); }
  /// Keep only the rows whose `keep` flag is set (in order).
  void Compact(const std::vector<uint8_t>& keep);

  uint32_t next = 0;        // start of the first row not scanned
  bool incomplete = false;  // the buffer ended inside the row starting at `next`
  std::vector<ScanError> errors;

 private:
  friend void ScanRows(const char*, size_t, bool, size_t, size_t, const Dialect&, bool,
                       ScanOutput*);
  uint32_t* Grow();  // make room for two more rows; returns the slots of row rows_
  std::unique_ptr<uint32_t[]> slots_;
  int64_t capacity_ = 0;  // in slots
  int64_t rows_ = 0;
  int stride_ = 1;
};

/// Scan the rows of data[begin, size) (begin is a row start, outside quotes) and append them
/// to `out`, as long as the row start is < `limit` (the row that crosses `limit` is finished,
/// the next one is not started). `at_eof`: the data ends at `size` (the last row may lack its
/// line break); otherwise a row cut by `size` sets out->incomplete (call again with more data
/// and begin = out->next). Malformed rows are recorded in out->errors and skipped; with
/// `stop_at_error` scanning stops at the first one (out->next is then the bad row's start).
/// Requires: kScanPadding readable bytes after data[size]; size < 2^32 - kScanPadding.
void ScanRows(const char* data, size_t size, bool at_eof, size_t begin, size_t limit,
              const Dialect& dialect, bool stop_at_error, ScanOutput* out);

/// One row split by SplitRow.
struct SplitResult {
  enum Status { kRow, kEmpty, kNeedMore, kEnd, kError } status = kEnd;
  std::vector<std::string> fields;  // unquoted
  std::vector<bool> quoted;         // field i was quoted
  size_t next = 0;                  // start of the next row
  RowErrorKind error_kind = RowErrorKind::kFieldCount;
  bool bad_quoting = false;  // kError because a quoted field is malformed
  int error_field = 0;
};

/// Split the row starting at data[pos] (kEmpty: an empty line that is skipped; kEnd: pos is at
/// the end). Quoted fields are unquoted; a malformed quoted field gives kError (bad_quoting).
SplitResult SplitRow(const char* data, size_t size, bool at_eof, size_t pos,
                     const Dialect& dialect);

/// Unquote the quoted field [begin, end) (starting with the quote) into `out` (room for
/// end - begin bytes). Returns the length, or -1 if malformed (text after the closing quote,
/// a single quote inside, no closing quote).
int64_t Unquote(const char* begin, const char* end, char quote, char* out);

/// A parse failure of one field in ConvertColumn.
struct FieldError {
  int64_t row;
  std::string text;  // the raw field text
  std::string what;  // "cannot parse as int64", ...
};

/// Convert field `field` of rows [0, rows) of `scan` into a column of `type`. Empty fields are
/// null (for utf8 a quoted empty field is the empty string). A field that fails to convert is
/// set null and reported in `errors`; with `stop_at_error`, conversion stops at the first
/// failure (the column is then garbage, only the error matters).
ColumnPtr ConvertColumn(const char* data, const ScanOutput& scan, int64_t rows, int field,
                        const DataType& type, const Dialect& dialect, bool stop_at_error,
                        std::vector<FieldError>* errors);

/// Per-column type inference from sample values.
class TypeInferrer {
 public:
  explicit TypeInferrer(TimeUnit unit, bool infer_decimal)
      : unit_(unit), infer_decimal_(infer_decimal) {}
  /// A non-null sample value.
  void Add(std::string_view value);
  DataType Result() const;

 private:
  TimeUnit unit_;
  bool infer_decimal_;
  bool any_ = false, bool_ = true, int_ = true, decimal_ = true, float_ = true, date_ = true,
       timestamp_ = true;
  int int_digits_ = 0, scale_ = 0;
};

/// Shorten `text` to at most `max` bytes (adding "...") for error messages.
std::string Excerpt(std::string_view text, size_t max = 200);

}  // namespace quokka::csv
