// IpcFileReader: Arrow IPC files as an input reader, record batches dealt out to channels.
#include <algorithm>
#include <filesystem>

#include "ipc_internal.h"
#include "ipc_source.h"
#include "quokka/serialize.h"

namespace quokka {

struct IpcFileReader::OpenFile {
  std::unique_ptr<ipc::FileSource> source;
  ipc::IpcFileContents contents;
};

namespace {

bool IsIpcFileName(const std::string& name) {
  if (name.empty() || name[0] == '.' || name[0] == '_') return false;
  for (const char* extension : {".arrow", ".feather", ".ipc"}) {
    std::string_view ext(extension);
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
      return true;
  }
  return false;
}

constexpr int64_t kFileStride = int64_t{1} << 32;

// The options' filter, then projection.
Result<Table> Shape(Table table, const IpcReadOptions& options) {
  if (options.filter) {
    Result<Table> kept = Filter(table, *options.filter);
    if (!kept.ok()) return kept.status().WithContext("IPC filter " + options.filter->ToString());
    table = std::move(*kept);
  }
  if (options.projection.empty() || table.num_rows() == 0) return table;
  Result<Table> projected = Project(table, options.projection);
  if (!projected.ok()) return projected.status().WithContext("IPC projection");
  return projected;
}

}  // namespace

IpcFileReader::IpcFileReader(std::string path, IpcReadOptions options)
    : IpcFileReader(std::vector{std::move(path)}, std::move(options)) {}

IpcFileReader::IpcFileReader(std::vector<std::string> paths, IpcReadOptions options)
    : paths_(std::move(paths)), options_(std::move(options)) {
  ipc::EnsureRegistered();
}

Result<std::vector<std::string>> IpcFileReader::ExpandPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    // A file or object named as such is read whatever its name; a directory or S3 prefix
    // contributes its IPC files (by extension), sorted.
    Result<std::vector<FileEntry>> listed = ListFiles(path);
    if (!listed.ok()) {
      if (listed.status().code() != StatusCode::kNotFound) return listed.status();
      std::error_code error;
      if (!IsS3Path(path) && std::filesystem::is_directory(path, error)) continue;  // empty
      return Status::NotFound(path + ": no such file or directory");
    }
    if (listed->size() == 1 && (*listed)[0].path == path) {
      files.push_back(path);
      continue;
    }
    for (const FileEntry& entry : *listed) {
      std::string name = entry.path.substr(entry.path.find_last_of('/') + 1);
      if (IsIpcFileName(name)) files.push_back(entry.path);
    }
  }
  return files;
}

void IpcFileReader::Start(int channel, int num_channels, int64_t position) {
  channel_ = channel;
  num_channels_ = std::max(1, num_channels);
  files_ = ExpandPaths(paths_).ValueOrThrow();
  open_.reset();
  if (position <= 0) {
    file_index_ = 0;
    next_batch_ = channel_;
  } else {
    // Restart after batch (position - 1) % 2^32 of file position / 2^32: the next batch of
    // this channel in that file.
    file_index_ = position / kFileStride;
    int64_t after = position % kFileStride;  // index of the last batch read, plus one
    int64_t next = after;
    int64_t remainder = ((channel_ - next) % num_channels_ + num_channels_) % num_channels_;
    next_batch_ = next + remainder;
  }
}

bool IpcFileReader::OpenNextFile() {
  while (file_index_ < static_cast<int64_t>(files_.size())) {
    const std::string& path = files_[file_index_];
    auto source = ipc::FileSource::Open(path);
    ThrowIfError(source.status());
    auto file = std::make_shared<OpenFile>();
    file->source = std::move(*source);
    Status status = file->contents.Open(*file->source);
    if (!status.ok()) throw Error(status.WithContext(path));
    if (next_batch_ < file->contents.num_batches()) {
      open_ = std::move(file);
      return true;
    }
    ++file_index_;
    next_batch_ = channel_;
  }
  return false;
}

std::optional<ReadItem> IpcFileReader::Next() {
  for (;;) {
    if (open_ == nullptr && !OpenNextFile()) return std::nullopt;
    if (next_batch_ >= open_->contents.num_batches()) {
      open_.reset();
      ++file_index_;
      next_batch_ = channel_;
      continue;
    }
    const std::string& path = files_[file_index_];
    auto table = open_->contents.ReadBatch(*open_->source, next_batch_);
    if (!table.ok()) throw Error(table.status().WithContext(path));
    int64_t position = file_index_ * kFileStride + next_batch_ + 1;
    next_batch_ += num_channels_;
    Result<Table> shaped = Shape(std::move(*table), options_);
    if (!shaped.ok()) throw Error(shaped.status().WithContext(path));
    if (shaped->num_rows() == 0 && (options_.filter || !options_.projection.empty())) continue;
    return ReadItem{position, Object::Make<Table>(std::move(*shaped))};
  }
}

// [paths, filter or nil, projection]
void IpcFileReader::Encode(Encoder& out) const {
  out.ArrayHeader(3);
  out.ArrayHeader(static_cast<uint32_t>(paths_.size()));
  for (const std::string& path : paths_) out.String(path);
  if (options_.filter) {
    options_.filter->Encode(out);
  } else {
    out.Nil();
  }
  out.ArrayHeader(static_cast<uint32_t>(options_.projection.size()));
  for (const Expr& expr : options_.projection) expr.Encode(out);
}

IpcFileReader IpcFileReader::Decode(Decoder& in) {
  const uint32_t fields = in.ArrayHeader();
  if (fields != 3) {
    throw Error(Status::Invalid("cannot decode quokka.ipc_file_reader: expected 3 fields, got " +
                                std::to_string(fields)));
  }
  uint32_t size = in.ArrayHeader();
  std::vector<std::string> paths;
  for (uint32_t i = 0; i < size; ++i) paths.push_back(in.String());
  IpcReadOptions options;
  if (in.IsNil()) {
    in.Nil();
  } else {
    options.filter = Expr::Decode(in);
  }
  const uint32_t num_exprs = in.ArrayHeader();
  for (uint32_t i = 0; i < num_exprs; ++i) options.projection.push_back(Expr::Decode(in));
  return IpcFileReader(std::move(paths), std::move(options));
}

}  // namespace quokka
