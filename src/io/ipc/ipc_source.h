#pragma once
// Random-access byte sources for the Arrow IPC file format (memory, or a local file or S3 object),
// and the parsed footer of a file from which record batches are read one at a time.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ipc_internal.h"
#include "quokka/filesystem.h"

namespace quokka::ipc {

class Source {
 public:
  virtual ~Source() = default;
  virtual int64_t size() const = 0;
  /// \brief Bytes [offset, offset + length); may point into `scratch`. Fails past the end.
  virtual Result<std::string_view> Read(int64_t offset, int64_t length, std::string* scratch) = 0;
};

class MemorySource final : public Source {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  int64_t size() const override { return static_cast<int64_t>(data_.size()); }
  Result<std::string_view> Read(int64_t offset, int64_t length, std::string* scratch) override;

 private:
  std::string_view data_;
};

// A local file or an S3 object (quokka/filesystem.h).
class FileSource final : public Source {
 public:
  /// NotFound if the file does not exist, IOError if it cannot be opened; names the path.
  static Result<std::unique_ptr<FileSource>> Open(const std::string& path);
  int64_t size() const override { return file_->size(); }
  Result<std::string_view> Read(int64_t offset, int64_t length, std::string* scratch) override;

 private:
  explicit FileSource(std::unique_ptr<RandomAccessFile> file) : file_(std::move(file)) {}
  std::unique_ptr<RandomAccessFile> file_;
};

/// The footer of an Arrow IPC file: schema and record batch blocks, verified.
class IpcFileContents {
 public:
  /// Read and verify the magic numbers, the footer and the schema.
  Status Open(Source& source);
  const DecodedSchema& schema() const { return schema_; }
  int64_t num_batches() const;
  /// Read record batch `index` (0-based) from `source`.
  Result<Table> ReadBatch(Source& source, int64_t index) const;

 private:
  AlignedBytes footer_bytes_;
  DecodedSchema schema_;
  const flatbuffers::Vector<const fb::Block*>* blocks_ = nullptr;
  int64_t footer_start_ = 0;
};

}  // namespace quokka::ipc
