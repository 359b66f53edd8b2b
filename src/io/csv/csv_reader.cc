// CsvReader: input resolution, headers, type inference, byte-range channels, batches.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "csv/csv_internal.h"
#include "quokka/csv.h"
#include "quokka/filesystem.h"

namespace quokka {
namespace {

// Every program that reads CSV can ship its readers (the codec is in csv_codec.cc).
const bool kIoTypesRegistered = RegisterIoTypes().ok();

using csv::Dialect;
using csv::FieldError;
using csv::RowErrorKind;
using csv::ScanError;
using csv::ScanOutput;
using csv::SplitResult;

std::string Quoted(const std::string& text) { return "'" + text + "'"; }

// ------------------------------------------------------------------------------------------
// Files (local or S3, through quokka/filesystem.h)

Status ReadString(RandomAccessFile& file, int64_t offset, int64_t size, std::string* out) {
  out->assign(static_cast<size_t>(size) + csv::kScanPadding, '\0');
  QK_RETURN_NOT_OK(file.ReadAt(offset, size, out->data()));
  out->resize(static_cast<size_t>(size));
  return Status::OK();
}

struct FileInfo {
  std::string path;
  int64_t size = 0;
  int64_t data_begin = 0;    // first byte after the header (and byte order mark)
  int64_t global_begin = 0;  // position of data_begin in the concatenated data of all files
  std::vector<std::string> header;
  bool has_header = false;
  int64_t length() const { return size - data_begin; }
};

const char* RowErrorText(const SplitResult& row) {
  if (row.bad_quoting) return "invalid quoted field";
  switch (row.error_kind) {
    case RowErrorKind::kQuotedNewline:
      return "line break inside a quoted field (set newlines_in_values = true if intended)";
    case RowErrorKind::kUnterminated:
      return "unterminated quoted field";
    default:
      return "malformed row";
  }
}

// Split the first row at `pos` of an open file, reading as much as it needs.
Status SplitFirstRow(RandomAccessFile& input, const FileInfo& file, int64_t pos,
                     const Dialect& dialect, SplitResult* row) {
  int64_t want = std::min<int64_t>(file.size - pos, 64 << 10);
  std::string data;
  while (true) {
    QK_RETURN_NOT_OK(ReadString(input, pos, want, &data));
    *row = csv::SplitRow(data.data(), data.size(), pos + want >= file.size, 0, dialect);
    if (row->status != SplitResult::kNeedMore) break;
    want = std::min(file.size - pos, want * 2);
  }
  row->next += pos;
  return Status::OK();
}

// Size, byte order mark and header of one file.
Status InspectFile(const FileEntry& entry, const CsvReadOptions& options, const Dialect& dialect,
                   FileInfo* file) {
  file->path = entry.path;
  QK_ASSIGN_OR_RAISE(std::unique_ptr<RandomAccessFile> input,
                     OpenInputFile(entry.path, entry.size));
  file->size = input->size();
  std::string head;
  QK_RETURN_NOT_OK(ReadString(*input, 0, std::min<int64_t>(file->size, 3), &head));
  file->data_begin = head == "\xEF\xBB\xBF" ? 3 : 0;
  if (!options.header || file->data_begin >= file->size) return Status::OK();
  Dialect header_dialect = dialect;
  header_dialect.skip_empty_lines = false;
  SplitResult row;
  QK_RETURN_NOT_OK(SplitFirstRow(*input, *file, file->data_begin, header_dialect, &row));
  if (row.status == SplitResult::kError) {
    return Status::Invalid("cannot parse the header of CSV file " + Quoted(entry.path) + ": " +
                           RowErrorText(row));
  }
  file->header = std::move(row.fields);
  file->has_header = true;
  // A header ending with the delimiter (TPC-H style) has no extra column.
  if (options.allow_trailing_delimiter && file->header.size() > 1 && file->header.back().empty() &&
      !row.quoted.back()) {
    file->header.pop_back();
  }
  file->data_begin = static_cast<int64_t>(row.next);
  return Status::OK();
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) text += (i ? ", " : "") + Quoted(names[i]);
  return text;
}

// Infer the types of `columns` (file column indices) from the first rows of the files.
Status InferTypes(const std::vector<FileInfo>& files, const CsvReadOptions& options,
                  const Dialect& dialect, int num_fields, const std::vector<int>& columns,
                  std::vector<DataType>* types) {
  std::vector<csv::TypeInferrer> inferrers(
      columns.size(), csv::TypeInferrer(options.timestamp_unit, options.infer_decimal));
  int64_t rows = 0;
  const int64_t kMaxSampleBytes = int64_t{64} << 20;
  for (const FileInfo& file : files) {
    if (rows >= options.infer_rows || file.length() <= 0) continue;
    QK_ASSIGN_OR_RAISE(std::unique_ptr<RandomAccessFile> input,
                       OpenInputFile(file.path, file.size));
    int64_t want = std::min<int64_t>(file.length(), 1 << 20);
    std::string data;
    std::vector<std::vector<std::string>> sample;
    while (true) {
      QK_RETURN_NOT_OK(ReadString(*input, file.data_begin, want, &data));
      const bool at_eof = want >= file.length();
      sample.clear();
      size_t pos = 0;
      bool need_more = false;
      while (rows + static_cast<int64_t>(sample.size()) < options.infer_rows) {
        SplitResult row = csv::SplitRow(data.data(), data.size(), at_eof, pos, dialect);
        if (row.status == SplitResult::kEnd) break;
        if (row.status == SplitResult::kNeedMore) {
          need_more = true;
          break;
        }
        pos = row.next;
        if (row.status != SplitResult::kRow) continue;
        if (static_cast<int>(row.fields.size()) == num_fields + 1 &&
            options.allow_trailing_delimiter && row.fields.back().empty() && !row.quoted.back()) {
          row.fields.pop_back();
        }
        if (static_cast<int>(row.fields.size()) != num_fields) continue;  // reported later
        sample.push_back(std::move(row.fields));
      }
      // Too few rows in what was read: read more, unless the sample is already large.
      if (need_more && sample.empty() && want < file.length() && want < kMaxSampleBytes) {
        want = std::min(file.length(), want * 2);
        continue;
      }
      break;
    }
    for (const auto& fields : sample) {
      for (size_t i = 0; i < columns.size(); ++i) {
        const std::string& value = fields[columns[i]];
        if (!value.empty()) inferrers[i].Add(value);
      }
    }
    rows += static_cast<int64_t>(sample.size());
  }
  types->clear();
  for (const auto& inferrer : inferrers) types->push_back(inferrer.Result());
  return Status::OK();
}

// The options' filter, then projection (what the channels apply to each parsed batch).
Result<Table> ApplyExpressions(const Table& table, const CsvReadOptions& options) {
  Table out = table;
  if (options.filter) {
    Result<Table> kept = Filter(out, *options.filter);
    if (!kept.ok()) return kept.status().WithContext("CSV filter " + options.filter->ToString());
    out = std::move(*kept);
  }
  if (options.projection.empty()) return out;
  Result<Table> projected = Project(out, options.projection);
  if (!projected.ok()) return projected.status().WithContext("CSV projection");
  return projected;
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Options

Status CsvReadOptions::Validate() const {
  auto bad_char = [](char c) { return c == '\n' || c == '\r'; };
  if (bad_char(delimiter)) return Status::Invalid("CSV delimiter cannot be CR or LF");
  if (quoting && (bad_char(quote) || quote == delimiter)) {
    return Status::Invalid("CSV quote character cannot be CR, LF or the delimiter");
  }
  if (stride < 1 || stride > (int64_t{1} << 30)) {
    return Status::Invalid("CSV stride must be between 1 byte and 1 GiB, got " +
                           std::to_string(stride));
  }
  if (infer_rows < 0) return Status::Invalid("CSV infer_rows must be >= 0");
  for (const auto& [name, type] : column_types) {
    if (type.id == TypeId::kDecimal && (type.precision < 1 || type.precision > 18 ||
                                        type.scale < 0 || type.scale > type.precision)) {
      return Status::Invalid("CSV column " + Quoted(name) + ": unsupported type " +
                             type.ToString() + " (decimal precision 1..18, scale 0..precision)");
    }
  }
  std::set<std::string> seen;
  for (const std::string& name : include_columns) {
    if (!seen.insert(name).second) {
      return Status::Invalid("CSV include_columns names " + Quoted(name) + " twice");
    }
  }
  return Status::OK();
}

Status CsvWriteOptions::Validate() const {
  if (delimiter == '\n' || delimiter == '\r' || delimiter == quote) {
    return Status::Invalid("CSV delimiter cannot be CR, LF or the quote character");
  }
  if (quote == '\n' || quote == '\r') return Status::Invalid("CSV quote cannot be CR or LF");
  if (line_terminator != "\n" && line_terminator != "\r\n") {
    return Status::Invalid("CSV line_terminator must be \"\\n\" or \"\\r\\n\"");
  }
  return Status::OK();
}

// ------------------------------------------------------------------------------------------
// Reader state

struct CsvReader::Shared {
  CsvReadOptions options;
  Dialect dialect;
  std::vector<FileInfo> files;
  int64_t total = 0;  // data bytes of all files
  int num_fields = 0;
  SchemaPtr file_schema, schema, output_schema;
  std::vector<int> projection;  // file column of each output column
  struct ErrorLog {
    std::mutex mutex;
    std::vector<CsvRowError> errors;
  };
  std::shared_ptr<ErrorLog> log = std::make_shared<ErrorLog>();

  int64_t Global(int file, int64_t local) const {
    return files[file].global_begin + (local - files[file].data_begin);
  }
};

struct CsvReader::ChannelState {
  struct Segment {
    int file;
    int64_t begin, end;  // local offsets: the rows starting in [begin, end)
    bool skip_partial;   // begin may be inside a row: start after the next line break
  };
  std::vector<Segment> segments;
  size_t index = 0;
  bool positioned = false;
  std::unique_ptr<RandomAccessFile> input;
  int input_file = -1;
  int64_t cursor = 0;  // local offset of the next row
  std::unique_ptr<char[]> buffer;
  int64_t capacity = 0;
  ScanOutput scan;
  std::vector<char> count_buffer;
  int line_file = -1;
  int64_t line_offset = 0, line_number = 1;  // line_number is the line at line_offset

  void Reserve(int64_t size, int64_t keep) {
    if (size + static_cast<int64_t>(csv::kScanPadding) <= capacity) return;
    int64_t capacity_new = std::max(size, capacity * 3 / 2) + csv::kScanPadding;
    auto fresh = std::make_unique<char[]>(capacity_new);
    if (keep > 0) std::memcpy(fresh.get(), buffer.get(), keep);
    buffer = std::move(fresh);
    capacity = capacity_new;
  }
};

namespace {

[[noreturn]] void Throw(Status status) { throw Error(std::move(status)); }

}  // namespace

CsvReader::CsvReader(const std::string& input, CsvReadOptions options)
    : CsvReader(std::vector<std::string>{input}, std::move(options)) {}

CsvReader::CsvReader(const std::vector<std::string>& inputs, CsvReadOptions options) {
  Result<CsvReader> made = Make(inputs, std::move(options));
  if (!made.ok()) Throw(made.status());
  shared_ = made->shared_;
}

CsvReader::CsvReader(const CsvReader& other) : shared_(other.shared_) {}
CsvReader& CsvReader::operator=(const CsvReader& other) {
  if (this != &other) {
    shared_ = other.shared_;
    state_.reset();
  }
  return *this;
}
CsvReader::CsvReader(CsvReader&&) noexcept = default;
CsvReader& CsvReader::operator=(CsvReader&&) noexcept = default;
CsvReader::~CsvReader() = default;

Result<CsvReader> CsvReader::Make(const std::vector<std::string>& inputs, CsvReadOptions options) {
  QK_RETURN_NOT_OK(options.Validate());
  std::vector<FileEntry> files;
  if (inputs.empty()) return Status::Invalid("no CSV input given");
  for (const std::string& input : inputs) {
    QK_ASSIGN_OR_RAISE(std::vector<FileEntry> found, ListFiles(input));
    files.insert(files.end(), found.begin(), found.end());
  }
  return MakeFromFiles(std::move(files), std::move(options));
}

Result<CsvReader> CsvReader::MakeFromFiles(std::vector<FileEntry> paths, CsvReadOptions options) {
  QK_RETURN_NOT_OK(options.Validate());
  if (paths.empty()) return Status::Invalid("no CSV input given");
  auto shared = std::make_shared<Shared>();
  Dialect& dialect = shared->dialect;
  dialect.delimiter = options.delimiter;
  dialect.quote = options.quote;
  dialect.quoting = options.quoting;
  dialect.newlines_in_values = options.newlines_in_values;
  dialect.allow_trailing_delimiter = options.allow_trailing_delimiter;
  dialect.skip_empty_lines = options.skip_empty_lines;

  // Headers: all files that have one must agree.
  const FileInfo* first_header = nullptr;
  for (const FileEntry& path : paths) {
    FileInfo file;
    QK_RETURN_NOT_OK(InspectFile(path, options, dialect, &file));
    shared->files.push_back(std::move(file));
  }
  for (const FileInfo& file : shared->files) {
    if (!file.has_header) continue;
    if (first_header == nullptr) {
      first_header = &file;
      continue;
    }
    const auto& a = first_header->header;
    const auto& b = file.header;
    if (a == b) continue;
    std::string detail;
    if (a.size() != b.size()) {
      detail = "it has " + std::to_string(b.size()) + " columns, the first has " +
               std::to_string(a.size());
    } else {
      for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i]) {
          detail = "column " + std::to_string(i + 1) + " is " + Quoted(b[i]) + " there and " +
                   Quoted(a[i]) + " in the first";
          break;
        }
      }
    }
    return Status::Invalid("CSV header of " + Quoted(file.path) + " differs from " +
                           Quoted(first_header->path) + ": " + detail);
  }

  // Column names and count.
  std::vector<std::string> names;
  if (!options.column_names.empty()) {
    names = options.column_names;
    if (first_header != nullptr && first_header->header.size() != names.size()) {
      return Status::Invalid("CSV column_names gives " + std::to_string(names.size()) +
                             " names but the header of " + Quoted(first_header->path) + " has " +
                             std::to_string(first_header->header.size()) + " columns");
    }
  } else if (first_header != nullptr) {
    names = first_header->header;
  } else {
    // No names anywhere: count the fields of the first row that is not an empty line.
    for (const FileInfo& file : shared->files) {
      if (file.length() <= 0) continue;
      QK_ASSIGN_OR_RAISE(std::unique_ptr<RandomAccessFile> input,
                         OpenInputFile(file.path, file.size));
      SplitResult row;
      int64_t pos = file.data_begin;
      int64_t line = 1;
      Status status;
      while (status.ok() && pos < file.size) {
        status = SplitFirstRow(*input, file, pos, dialect, &row);
        if (row.status != SplitResult::kEmpty) break;
        pos = static_cast<int64_t>(row.next);
        ++line;
      }
      QK_RETURN_NOT_OK(status);
      if (row.status == SplitResult::kError) {
        return Status::Invalid("CSV parse error in " + Quoted(file.path) + " line " +
                               std::to_string(line) + ": " + RowErrorText(row));
      }
      if (row.status != SplitResult::kRow) continue;  // only empty lines
      size_t count = row.fields.size();
      if (options.allow_trailing_delimiter && count > 1 && row.fields.back().empty() &&
          !row.quoted.back()) {
        --count;
      }
      for (size_t i = 0; i < count; ++i) names.push_back("f" + std::to_string(i));
      break;
    }
  }
  const int num_fields = static_cast<int>(names.size());
  shared->num_fields = num_fields;

  // Types given by name must name columns.
  for (const auto& [name, type] : options.column_types) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return Status::Invalid("CSV column_types names the unknown column " + Quoted(name) +
                             " (columns: " + JoinNames(names) + ")");
    }
  }

  // Projection.
  if (options.include_columns.empty()) {
    for (int i = 0; i < num_fields; ++i) shared->projection.push_back(i);
  } else {
    for (const std::string& name : options.include_columns) {
      auto it = std::find(names.begin(), names.end(), name);
      if (it == names.end()) {
        return Status::Invalid("CSV include_columns names the unknown column " + Quoted(name) +
                               " (columns: " + JoinNames(names) + ")");
      }
      shared->projection.push_back(static_cast<int>(it - names.begin()));
    }
  }

  // Types: given, or inferred for projected columns.
  std::vector<DataType> types(num_fields, DataType::Utf8());
  std::vector<int> to_infer;
  for (int i = 0; i < num_fields; ++i) {
    auto it = options.column_types.find(names[i]);
    if (it != options.column_types.end()) {
      types[i] = it->second;
    } else if (std::find(shared->projection.begin(), shared->projection.end(), i) !=
               shared->projection.end()) {
      to_infer.push_back(i);
    }
  }
  if (!to_infer.empty() && options.infer_rows > 0) {
    std::vector<DataType> inferred;
    QK_RETURN_NOT_OK(InferTypes(shared->files, options, dialect, num_fields, to_infer, &inferred));
    for (size_t i = 0; i < to_infer.size(); ++i) types[to_infer[i]] = inferred[i];
  }
  std::vector<Field> fields;
  for (int i = 0; i < num_fields; ++i) fields.push_back({names[i], types[i], true});
  shared->file_schema = std::make_shared<Schema>(fields);
  std::vector<Field> projected;
  for (int i : shared->projection) projected.push_back(fields[i]);
  shared->schema = std::make_shared<Schema>(std::move(projected));
  // Filter and projection are checked against the schema now, not in the channels.
  QK_ASSIGN_OR_RAISE(Table shaped, ApplyExpressions(Table::Empty(shared->schema), options));
  shared->output_schema = shaped.schema();

  // The data bytes of all files, one after another.
  int64_t total = 0;
  for (FileInfo& file : shared->files) {
    file.global_begin = total;
    total += std::max<int64_t>(0, file.length());
  }
  shared->total = num_fields > 0 ? total : 0;
  shared->options = std::move(options);
  CsvReader reader;
  reader.shared_ = std::move(shared);
  return reader;
}

const SchemaPtr& CsvReader::schema() const { return shared_->schema; }
const SchemaPtr& CsvReader::file_schema() const { return shared_->file_schema; }
const SchemaPtr& CsvReader::output_schema() const { return shared_->output_schema; }
const CsvReadOptions& CsvReader::options() const { return shared_->options; }

std::vector<std::string> CsvReader::files() const {
  std::vector<std::string> paths;
  for (const FileInfo& file : shared_->files) paths.push_back(file.path);
  return paths;
}

std::vector<CsvRowError> CsvReader::errors() const {
  std::lock_guard<std::mutex> lock(shared_->log->mutex);
  return shared_->log->errors;
}

void CsvReader::Start(int channel, int num_channels, int64_t position) {
  if (num_channels < 1 || channel < 0 || channel >= num_channels) {
    Throw(Status::Invalid("CsvReader::Start: channel " + std::to_string(channel) + " of " +
                          std::to_string(num_channels)));
  }
  state_ = std::make_unique<ChannelState>();
  const Shared& shared = *shared_;
  const int64_t total = shared.total;
  const int64_t begin = static_cast<int64_t>(static_cast<__int128>(total) * channel / num_channels);
  const int64_t end =
      static_cast<int64_t>(static_cast<__int128>(total) * (channel + 1) / num_channels);
  for (int i = 0; i < static_cast<int>(shared.files.size()); ++i) {
    const FileInfo& file = shared.files[i];
    if (file.length() <= 0 || shared.num_fields == 0) continue;
    const int64_t file_begin = file.global_begin, file_end = file.global_begin + file.length();
    if (shared.options.newlines_in_values) {
      // Whole files: the channel whose share holds the file's first byte reads it.
      if (file_begin >= begin && file_begin < end) {
        state_->segments.push_back({i, file.data_begin, file.size, false});
      }
      continue;
    }
    const int64_t b = std::max(begin, file_begin), e = std::min(end, file_end);
    if (b >= e) continue;
    state_->segments.push_back({i, file.data_begin + (b - file_begin),
                                file.data_begin + (e - file_begin), b > file_begin});
  }
  if (position > 0) {
    // Restart at the row starting at global `position`.
    std::vector<ChannelState::Segment> kept;
    for (ChannelState::Segment segment : state_->segments) {
      if (position >= shared.Global(segment.file, segment.end)) continue;
      if (position > shared.Global(segment.file, segment.begin)) {
        segment.begin = position - shared.files[segment.file].global_begin +
                        shared.files[segment.file].data_begin;
        segment.skip_partial = false;
      }
      kept.push_back(segment);
    }
    state_->segments = std::move(kept);
  }
}

namespace {

// Line number (1-based, physical lines) of local offset `offset` of file `file`.
int64_t LineOf(RandomAccessFile& input, int file, int64_t offset, int* line_file,
               int64_t* line_offset, int64_t* line_number, std::vector<char>* buffer) {
  if (*line_file != file || offset < *line_offset) {
    *line_file = file;
    *line_offset = 0;
    *line_number = 1;
  }
  buffer->resize(1 << 20);
  while (*line_offset < offset) {
    int64_t n = std::min<int64_t>(offset - *line_offset, static_cast<int64_t>(buffer->size()));
    if (!input.ReadAt(*line_offset, n, buffer->data()).ok()) return 0;
    *line_number += std::count(buffer->data(), buffer->data() + n, '\n');
    *line_offset += n;
  }
  return *line_number;
}

}  // namespace

std::optional<ReadItem> CsvReader::Next() {
  if (!state_) Throw(Status::Invalid("CsvReader::Next() called before Start()"));
  const Shared& shared = *shared_;
  ChannelState& st = *state_;
  const CsvReadOptions& options = shared.options;
  const bool collect = options.collect_errors;
  const int num_fields = shared.num_fields;

  while (st.index < st.segments.size()) {
    const ChannelState::Segment& segment = st.segments[st.index];
    const FileInfo& file = shared.files[segment.file];
    if (st.input_file != segment.file) {
      st.input.reset();
      st.input_file = -1;
      Result<std::unique_ptr<RandomAccessFile>> opened = OpenInputFile(file.path, file.size);
      if (!opened.ok()) Throw(opened.status());
      st.input = std::move(*opened);
      st.input_file = segment.file;
    }
    if (!st.positioned) {
      st.positioned = true;
      st.cursor = segment.begin;
      if (segment.skip_partial) {
        // The first row starting at or after begin: after the first LF at or after begin - 1.
        int64_t pos = segment.begin - 1;
        st.cursor = file.size;
        while (pos < file.size) {
          int64_t n = std::min<int64_t>(file.size - pos, 64 << 10);
          st.Reserve(n, 0);
          Status status = st.input->ReadAt(pos, n, st.buffer.get());
          if (!status.ok()) Throw(status);
          const void* lf = std::memchr(st.buffer.get(), '\n', n);
          if (lf != nullptr) {
            st.cursor = pos + (static_cast<const char*>(lf) - st.buffer.get()) + 1;
            break;
          }
          pos += n;
        }
      }
    }
    if (st.cursor >= segment.end || st.cursor >= file.size) {
      ++st.index;
      st.positioned = false;
      continue;
    }

    // One batch: the rows starting in [cursor, min(cursor + stride, end)).
    const int64_t start = st.cursor;
    const int64_t limit = std::min(start + options.stride, segment.end) - start;
    int64_t size = std::min(file.size - start, limit + std::max<int64_t>(limit / 16, 4096));
    const int64_t kMaxBuffer = (int64_t{1} << 32) - 2 * csv::kScanPadding;
    st.Reserve(size, 0);
    Status status = st.input->ReadAt(start, size, st.buffer.get());
    if (!status.ok()) Throw(status);
    ScanOutput& scan = st.scan;
    scan.Reset(num_fields);
    size_t scan_begin = 0;
    while (true) {
      csv::ScanRows(st.buffer.get(), size, start + size >= file.size, scan_begin, limit,
                    shared.dialect, !collect, &scan);
      if (!scan.incomplete) break;
      // A row continues past the buffer: read more.
      scan_begin = scan.next;
      int64_t more = std::min(file.size - start, size * 2);
      if (more > kMaxBuffer) {
        Throw(Status::Invalid("CSV file " + Quoted(file.path) + ": a row near byte " +
                              std::to_string(start + scan_begin) +
                              " is longer than 4 GiB (unterminated quote?)"));
      }
      st.Reserve(more, size);
      status = st.input->ReadAt(start + size, more - size, st.buffer.get() + size);
      if (!status.ok()) Throw(status);
      size = more;
    }
    const char* data = st.buffer.get();

    auto line_of = [&](uint32_t offset) {
      return LineOf(*st.input, segment.file, start + offset, &st.line_file, &st.line_offset,
                    &st.line_number, &st.count_buffer);
    };
    auto where = [&](uint32_t row_start, int column) {
      std::string text =
          "CSV parse error in " + Quoted(file.path) + " line " + std::to_string(line_of(row_start));
      if (column >= 0 && column < num_fields) {
        text += ", column " + Quoted(shared.file_schema->field(column).name);
      }
      return text;
    };
    // In line mode, a malformed row with quotes may be a piece of a row with a quoted line
    // break that this channel entered in the middle: say how to read such files.
    auto hint = [&](uint32_t row_start, uint32_t row_end) -> std::string {
      if (options.newlines_in_values || !options.quoting ||
          std::memchr(data + row_start, options.quote, row_end - row_start) == nullptr) {
        return "";
      }
      return " (if quoted fields contain line breaks, set CsvReadOptions::newlines_in_values = "
             "true)";
    };
    auto row_error = [&](const ScanError& error) {
      CsvRowError out;
      out.file = file.path;
      out.line = line_of(error.row_start);
      switch (error.kind) {
        case RowErrorKind::kFieldCount:
          out.text = csv::Excerpt(
              std::string_view(data + error.row_start, error.row_end - error.row_start));
          out.message = where(error.row_start, -1) + ": expected " + std::to_string(num_fields) +
                        " fields, found " + std::to_string(error.fields) + ": " + Quoted(out.text) +
                        hint(error.row_start, error.row_end);
          break;
        case RowErrorKind::kQuotedNewline:
        case RowErrorKind::kUnterminated: {
          if (error.fields < num_fields) out.column = shared.file_schema->field(error.fields).name;
          out.text = csv::Excerpt(
              std::string_view(data + error.field_start, error.row_end - error.field_start));
          out.message = where(error.row_start, error.fields) +
                        (error.kind == RowErrorKind::kUnterminated
                             ? ": unterminated quoted field: " + Quoted(out.text)
                             : ": line break inside a quoted field (or a missing closing "
                               "quote): " +
                                   Quoted(out.text) +
                                   "; if fields contain line breaks, set "
                                   "CsvReadOptions::newlines_in_values = true");
          break;
        }
      }
      return out;
    };
    const SchemaPtr& schema = shared.schema;
    const int num_columns = schema->num_fields();
    auto field_error = [&](int64_t row, int output_column, const FieldError& error) {
      const uint32_t row_start = scan.slots()[row * scan.stride()];
      const int column = shared.projection[output_column];
      CsvRowError out;
      out.file = file.path;
      out.line = line_of(row_start);
      out.column = shared.file_schema->field(column).name;
      out.text = csv::Excerpt(error.text);
      const uint32_t row_end = scan.slots()[row * scan.stride() + num_fields];
      out.message = where(row_start, column) + ": " + error.what + ": " + Quoted(out.text) +
                    hint(row_start, row_end);
      return out;
    };
    auto convert = [&](int64_t rows, std::vector<ColumnPtr>* columns,
                       std::vector<std::pair<int, FieldError>>* errors) {
      columns->clear();
      std::vector<FieldError> column_errors;
      for (int i = 0; i < num_columns; ++i) {
        column_errors.clear();
        ColumnPtr column =
            csv::ConvertColumn(data, scan, rows, shared.projection[i], schema->field(i).type,
                               shared.dialect, !collect, &column_errors);
        if (column == nullptr) {
          Throw(Status::Invalid(
              "CSV file " + Quoted(file.path) + ": " +
              (column_errors.empty() ? "conversion failed" : column_errors[0].what)));
        }
        for (FieldError& error : column_errors) {
          if (!collect) rows = std::min(rows, error.row);  // look for earlier errors only
          errors->emplace_back(i, std::move(error));
        }
        columns->push_back(std::move(column));
      }
    };

    std::vector<ColumnPtr> columns;
    std::vector<std::pair<int, FieldError>> errors;
    convert(scan.rows(), &columns, &errors);
    if (!collect) {
      if (!errors.empty()) {
        auto first = std::min_element(errors.begin(), errors.end(), [](auto& a, auto& b) {
          return a.second.row < b.second.row || (a.second.row == b.second.row && a.first < b.first);
        });
        Throw(Status::Invalid(field_error(first->second.row, first->first, first->second).message));
      }
      if (!scan.errors.empty()) Throw(Status::Invalid(row_error(scan.errors[0]).message));
    } else if (!errors.empty() || !scan.errors.empty()) {
      std::vector<CsvRowError> found;
      for (const ScanError& error : scan.errors) found.push_back(row_error(error));
      if (!errors.empty()) {
        std::vector<uint8_t> keep(scan.rows(), 1);
        std::stable_sort(errors.begin(), errors.end(),
                         [](auto& a, auto& b) { return a.second.row < b.second.row; });
        for (const auto& [column, error] : errors) {
          if (!keep[error.row]) continue;  // one error per row
          keep[error.row] = 0;
          found.push_back(field_error(error.row, column, error));
        }
        scan.Compact(keep);
        errors.clear();
        convert(scan.rows(), &columns, &errors);
      }
      std::lock_guard<std::mutex> lock(shared.log->mutex);
      for (CsvRowError& error : found) shared.log->errors.push_back(std::move(error));
    }
    st.cursor = start + scan.next;
    const int64_t position = shared.Global(segment.file, st.cursor);

    Table table(schema, std::move(columns));
    if (options.filter || !options.projection.empty()) {
      Result<Table> shaped = ApplyExpressions(table, options);
      if (!shaped.ok()) Throw(shaped.status().WithContext("CSV file " + Quoted(file.path)));
      table = std::move(*shaped);
    }
    if (options.batch_function) table = options.batch_function(table);
    if (table.num_rows() == 0) continue;
    return ReadItem{position, Object::Make(std::move(table))};
  }
  st.input.reset();
  st.input_file = -1;
  return std::nullopt;
}

Result<Table> ReadCsv(const std::string& input, CsvReadOptions options) {
  QK_ASSIGN_OR_RAISE(CsvReader reader, CsvReader::Make({input}, std::move(options)));
  std::vector<Table> tables;
  try {
    reader.Start(0, 1, 0);
    while (std::optional<ReadItem> item = reader.Next()) {
      tables.push_back(item->object.As<Table>());
    }
  } catch (const Error& error) {
    return error.status();
  }
  if (tables.empty()) return Table::Empty(reader.output_schema());
  if (tables.size() == 1) return tables[0];
  try {
    return Table::Concat(tables);
  } catch (const Error& error) {
    return error.status();
  }
}

}  // namespace quokka
