#pragma once
// Arrow IPC: reading and writing tables in the Apache Arrow interprocess communication formats.
//
// Two formats, both little-endian with metadata version V5:
//  - the stream format: a Schema message, then one RecordBatch message per table, then the
//    end-of-stream marker. Every message is 0xFFFFFFFF, an int32 metadata length, the
//    flatbuffer metadata padded to 8 bytes, and the body (buffers, each 8-byte aligned).
//  - the file format ("Feather v2", `.arrow`): "ARROW1" and two bytes of padding, the stream,
//    a footer (the schema and the location of every record batch), the footer's int32 length
//    and "ARROW1". Record batches can be read in any order.
//
// Every table written becomes one record batch; every record batch read becomes one Table.
// Types: bool, int8/16/32/64, float64, decimal (written as Arrow Decimal128), utf8, date32 and
// timestamp (no time zone). Sliced columns are written re-based (offsets and bitmaps start at
// row 0). Reading additionally converts what other Arrow writers commonly produce:
//  - LargeUtf8 (int64 offsets) and Utf8View (as written by Polars) -> utf8,
//  - Decimal32/64/128/256 -> decimal when precision <= 18 and every value fits in an int64,
//  - float32 -> float64, uint8/16/32 -> int16/32/64, Date(MILLISECOND) -> date32,
//  - Timestamp with a time zone -> timestamp (the values are UTC instants; the zone is dropped).
// Anything else (lists, structs, dictionaries, binary, uint64, ...) and compressed bodies
// (LZ4/ZSTD) are refused with an error naming the field and the type.
//
// Reading never trusts the input: every flatbuffer is verified, every buffer is bounds-checked
// against its message body, and string offsets must be monotonic and inside their data. Bad
// input gives Status Invalid (malformed content) or IOError (the file system), naming the file
// when reading from a path. Thread safety: the functions are reentrant; a writer or reader
// object is used by one thread at a time.
//
// Linking: Table is registered for object serialization as "quokka.table" (the payload is the
// IPC stream of the one table as a binary value) by a static initializer of the ipc library;
// a program that never calls an ipc function should call RegisterIpcTypes() once so that the
// static library's object file is linked in.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quokka/expression.h"
#include "quokka/filesystem.h"
#include "quokka/reader.h"
#include "quokka/status.h"
#include "quokka/table.h"

namespace quokka {

class Encoder;
class Decoder;

// ---- Stream format --------------------------------------------------------------------------

/// \brief Encode `tables` (all of one schema) as an Arrow IPC stream: schema, one record batch
///        per table, end-of-stream marker. Fails (Invalid) on an empty list or unequal schemas.
Result<std::string> WriteIpcStream(const std::vector<Table>& tables);
/// \brief Same, with an explicit schema (which the tables must have); `tables` may be empty.
Result<std::string> WriteIpcStream(const SchemaPtr& schema, const std::vector<Table>& tables);

/// \brief Decode an Arrow IPC stream: one Table per record batch (none if the stream has only
///        a schema). If `schema` is not null it receives the stream's schema.
Result<std::vector<Table>> ReadIpcStream(std::string_view data, SchemaPtr* schema = nullptr);

// ---- File format ----------------------------------------------------------------------------

/// \brief Write `tables` (all of one schema, at least one) as an Arrow IPC file at `path`.
Status WriteIpcFile(const std::string& path, const std::vector<Table>& tables);
/// \brief Same, with an explicit schema; `tables` may be empty.
Status WriteIpcFile(const std::string& path, const SchemaPtr& schema,
                    const std::vector<Table>& tables);
/// \brief The bytes of an Arrow IPC file holding `tables` (in memory).
Result<std::string> WriteIpcFileBytes(const SchemaPtr& schema, const std::vector<Table>& tables);

/// \brief Read every record batch of the Arrow IPC file at `path`, one Table each.
Result<std::vector<Table>> ReadIpcFile(const std::string& path, SchemaPtr* schema = nullptr);
/// \brief Same, from the bytes of a whole file held in memory. `name` is used in errors.
Result<std::vector<Table>> ReadIpcFileBytes(std::string_view data, SchemaPtr* schema = nullptr,
                                            const std::string& name = "<memory>");

/// \brief Writes an Arrow IPC file one table at a time: Open, Write..., Close. The schema is the
///        one given to Open or else that of the first table written. The destructor closes an
///        open writer (ignoring errors); call Close to learn whether the file is complete.
class IpcFileWriter {
 public:
  IpcFileWriter() = default;
  ~IpcFileWriter();
  IpcFileWriter(const IpcFileWriter&) = delete;
  IpcFileWriter& operator=(const IpcFileWriter&) = delete;

  /// \brief Create (truncate) the file. `schema` may be null: then the first table decides.
  Status Open(const std::string& path, SchemaPtr schema = nullptr);
  /// \brief Append `table` as one record batch. Its schema must equal the file's.
  Status Write(const Table& table);
  /// \brief Write the footer and close the file. Fails (Invalid) if no schema is known (no
  ///        schema given to Open and nothing written). The writer may be opened again after.
  Status Close();
  bool is_open() const { return file_ != nullptr; }
  int64_t num_batches() const { return static_cast<int64_t>(blocks_.size()); }

  struct Block {
    int64_t offset;
    int32_t metadata_length;
    int64_t body_length;
  };

 private:
  Status Append(std::string_view bytes);
  Status WriteHeader();
  std::unique_ptr<OutputFile> file_;
  std::string path_;
  SchemaPtr schema_;
  bool header_written_ = false;
  int64_t position_ = 0;
  std::vector<Block> blocks_;
};

// ---- Input reader ---------------------------------------------------------------------------

/// \brief What IpcFileReader applies to every record batch in the reader channel, as
///        CsvReadOptions does: a filter, then a projection. Batches left empty are not
///        yielded. Expressions are data, so the reader stays shippable.
struct IpcReadOptions {
  /// Keep only the rows where this bool expression is true (null = false).
  std::optional<Expr> filter;
  /// Then one column per expression (named by Expr::name()); empty = every column.
  std::vector<Expr> projection;
};

/// \brief Reads Arrow IPC files as a stream of Tables (one per record batch).
///
/// Built from a file, a directory (its regular files ending in .arrow, .feather or .ipc, in
/// name order) or a list of either. Channel c of n reads record batches c, c + n, c + 2n, ...
/// of every file, in file order, reading only the footer and the batches it needs. The position
/// of an item is file_index * 2^32 + batch_index + 1 (the batch to start after on restart).
/// Errors (missing or corrupt files) are thrown as quokka::Error naming the file.
/// Registered as "quokka.ipc_file_reader", so it can be shipped to other machines (the paths
/// must then exist there too). IpcReadOptions are shipped along.
class IpcFileReader final : public InputReader {
 public:
  explicit IpcFileReader(std::string path, IpcReadOptions options = {});
  explicit IpcFileReader(std::vector<std::string> paths, IpcReadOptions options = {});
  void Start(int channel, int num_channels, int64_t position) override;
  std::optional<ReadItem> Next() override;

  void Encode(Encoder& out) const;
  static IpcFileReader Decode(Decoder& in);

  /// \brief The files the paths expand to (directories listed), in reading order.
  static Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths);

 private:
  struct OpenFile;
  bool OpenNextFile();
  std::vector<std::string> paths_;
  IpcReadOptions options_;
  std::vector<std::string> files_;
  int channel_ = 0, num_channels_ = 1;
  int64_t file_index_ = 0;  // index into files_ of the file being read
  int64_t next_batch_ = 0;  // next batch index to read in that file
  std::shared_ptr<OpenFile> open_;
};

/// \brief Make sure the ipc types ("quokka.table", "quokka.ipc_file_reader") are registered.
///        Idempotent and thread-safe; only needed when no other ipc function is referenced.
Status RegisterIpcTypes();

}  // namespace quokka
