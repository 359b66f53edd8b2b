#pragma once
// CSV files as columnar tables: CsvReader (an InputReader yielding one Table per batch) and
// WriteCsv.
//
// The reader takes a file, a list of files, a directory (its regular files, sorted by name) or a
// glob pattern. At construction it resolves the inputs, reads every file's header (all headers
// must be equal), and infers the column types it is not given from a sample of the first rows.
// Channels then split the files by byte ranges: channel c of n owns the rows that start in its
// share [begin, end) of the concatenated data bytes (it skips the partial row at `begin` and
// finishes the row that crosses `end`), so every row is read exactly once for any channel count
// and stride. Rows are lines: a line break inside a quoted field is an error unless
// `newlines_in_values` is set, in which case every file is read whole by one channel (a byte
// offset inside such a file cannot be classified without reading everything before it).
// Each batch covers about `stride` bytes and is parsed straight into column buffers; only the
// projected columns are converted. Positions are byte offsets into the concatenated data bytes
// of all files (the next unread row), so Start(channel, n, position) restarts there.
// Syntax follows RFC 4180: fields separated by `delimiter`, rows by LF or CRLF, a field starting
// with a quote runs to the matching quote (quotes inside doubled), an empty field is null, a
// delimiter at the end of a line is allowed (TPC-H .tbl files). See docs/csv.md.
// Thread safety: a reader copy is used by one thread; copies share immutable configuration and
// the error list (synchronized).
// Shipping: CsvReader is registered as "quokka.csv_reader" (RegisterIoTypes below): its files
// and options travel, and the worker reopens the same paths. Options with a batch_function
// cannot be shipped; use `filter` and `projection` instead.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "quokka/expression.h"
#include "quokka/filesystem.h"
#include "quokka/reader.h"
#include "quokka/status.h"
#include "quokka/table.h"
#include "quokka/type.h"

namespace quokka {

/// \brief How CsvReader parses files.
struct CsvReadOptions {
  /// Field separator (not the quote character, CR or LF).
  char delimiter = ',';
  /// The quote character of RFC 4180 quoting.
  char quote = '"';
  /// Honor quoting; if false, quote characters are ordinary data.
  bool quoting = true;
  /// The first line of every file holds the column names (and is not data).
  bool header = true;
  /// Names of all columns, in file order. With a header: replaces the header's names (the
  /// counts must agree). Without: required unless the default names f0, f1, ... are wanted.
  std::vector<std::string> column_names;
  /// Types of columns by name; every other projected column's type is inferred.
  std::map<std::string, DataType> column_types;
  /// Projection: the columns to produce, in this order (empty = all columns in file order).
  /// The other columns are skipped without conversion.
  std::vector<std::string> include_columns;
  /// Quoted fields may contain line breaks. Each file is then read whole by one channel.
  bool newlines_in_values = false;
  /// A delimiter right before the line end is not an extra field (TPC-H .tbl).
  bool allow_trailing_delimiter = true;
  /// Skip empty lines instead of treating them as rows.
  bool skip_empty_lines = true;
  /// Rows sampled (from the first files) to infer column types.
  int64_t infer_rows = 10000;
  /// Infer decimal(18, s) rather than float64 for numbers with a decimal point and at most
  /// 18 digits (s = the most fractional digits seen in the sample).
  bool infer_decimal = false;
  /// Unit of timestamp columns whose type is inferred.
  TimeUnit timestamp_unit = TimeUnit::kMicro;
  /// Bytes of input per batch; the default gives about 64K rows of TPC-H lineitem.
  int64_t stride = int64_t{8} << 20;
  /// Predicate pushdown: only the rows of each parsed batch where `filter` is true (null =
  /// false) are kept, inside the reader channel. Data, so the reader can be shipped.
  std::optional<Expr> filter;
  /// Applied after `filter`: each batch becomes one column per expression (named by
  /// Expr::name()), e.g. {col("a"), (col("b") * 2).alias("b2")}. Empty = the parsed columns.
  std::vector<Expr> projection;
  /// Applied last (after filter and projection) to each batch inside the reader channel.
  /// Empty results are not yielded (nor are batches the filter empties). A function cannot be
  /// shipped to another machine: a reader with a batch_function fails to serialize.
  std::function<Table(const Table&)> batch_function;
  /// Collect malformed rows (see CsvReader::errors()) and skip them, instead of failing.
  bool collect_errors = false;

  /// \brief The defaults above.
  static CsvReadOptions Defaults() { return CsvReadOptions(); }
  /// \brief Check the options on their own (not against any file).
  Status Validate() const;
};

/// \brief A malformed row skipped with CsvReadOptions::collect_errors.
struct CsvRowError {
  std::string file;
  int64_t line = 0;     ///< 1-based physical line where the row starts
  std::string column;   ///< the offending column ("" if the row as a whole is wrong)
  std::string text;     ///< the offending text (truncated to 200 bytes)
  std::string message;  ///< the full error message
};

/// \brief Reads CSV files as a stream of Tables, one per batch of about `stride` bytes.
class CsvReader final : public InputReader {
 public:
  /// \brief Read `input`: a file, a directory or a glob pattern. Throws quokka::Error if the
  ///        input cannot be resolved, a header differs, or the options are invalid.
  explicit CsvReader(const std::string& input, CsvReadOptions options = {});
  /// \brief Read several inputs (each a file, a directory or a glob pattern), in order.
  explicit CsvReader(const std::vector<std::string>& inputs, CsvReadOptions options = {});
  /// \brief Like the constructors, returning the failure as a Status.
  static Result<CsvReader> Make(const std::vector<std::string>& inputs,
                                CsvReadOptions options = {});

  /// \brief A copy shares configuration and error list; it starts unstarted.
  CsvReader(const CsvReader& other);
  CsvReader& operator=(const CsvReader& other);
  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;
  ~CsvReader() override;

  void Start(int channel, int num_channels, int64_t position) override;
  /// \brief The next batch as Object::Make(Table). Throws quokka::Error (Invalid) for a
  ///        malformed row unless collect_errors, (IOError) if a file cannot be read.
  std::optional<ReadItem> Next() override;

  /// \brief Schema of the parsed batches (the include_columns, before filter and projection).
  const SchemaPtr& schema() const;
  /// \brief Schema of the yielded batches: after filter and projection (before
  ///        batch_function).
  const SchemaPtr& output_schema() const;
  /// \brief Schema of all columns of the files (projected or not; unprojected ones utf8 unless
  ///        given).
  const SchemaPtr& file_schema() const;
  /// \brief The options the reader was made with.
  const CsvReadOptions& options() const;
  /// \brief The files that will be read, in order.
  std::vector<std::string> files() const;
  /// \brief Rows skipped so far by all copies (with collect_errors), in no particular order.
  std::vector<CsvRowError> errors() const;

  /// \brief Write the resolved files and the options (with the column types pinned to the
  ///        ones resolved here, so workers need not infer them). Throws quokka::Error if the
  ///        options hold a batch_function.
  void Encode(Encoder& out) const;
  /// \brief Rebuild the reader from those files (which must exist here). Throws quokka::Error
  ///        on malformed input or when the files cannot be read.
  static CsvReader Decode(Decoder& in);

 private:
  struct Shared;
  struct ChannelState;
  CsvReader() = default;
  // Make() once the inputs are resolved to regular files.
  static Result<CsvReader> MakeFromFiles(std::vector<FileEntry> files, CsvReadOptions options);
  std::shared_ptr<const Shared> shared_;
  std::unique_ptr<ChannelState> state_;
};

/// \brief Register the io types for shipping: "quokka.table" and "quokka.ipc_file_reader"
///        (RegisterIpcTypes) and "quokka.csv_reader". Idempotent and thread-safe; done by a
///        static initializer in every program that uses CsvReader.
Status RegisterIoTypes();

/// \brief Read everything with one channel and concatenate the batches.
Result<Table> ReadCsv(const std::string& input, CsvReadOptions options = {});

/// \brief How WriteCsv formats a table.
struct CsvWriteOptions {
  /// Field separator.
  char delimiter = ',';
  /// Quote character for fields containing the delimiter, the quote, CR or LF.
  char quote = '"';
  /// Write the column names as the first line.
  bool header = true;
  /// Line terminator ("\n" or "\r\n").
  std::string line_terminator = "\n";

  /// \brief The defaults above.
  static CsvWriteOptions Defaults() { return CsvWriteOptions(); }
  /// \brief Check the options.
  Status Validate() const;
};

/// \brief Write `table` as RFC 4180 CSV: nulls as empty fields, empty strings as "", dates as
///        YYYY-MM-DD, decimals with `scale` digits, floats in the shortest form that reads back
///        exactly, timestamps as YYYY-MM-DD HH:MM:SS[.fraction], bools as true/false.
Status WriteCsv(const Table& table, std::ostream& out, const CsvWriteOptions& options = {});
/// \brief Write to a file (created or truncated). IOError names the path on failure.
Status WriteCsv(const Table& table, const std::string& path, const CsvWriteOptions& options = {});

}  // namespace quokka
