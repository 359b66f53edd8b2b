// The public file-system functions: local paths and s3:// URLs dispatched to their backends.
#include "quokka/filesystem.h"

#include "fs/local_files.h"
#include "fs/s3_files.h"

namespace quokka {

Result<std::unique_ptr<RandomAccessFile>> OpenInputFile(const std::string& path,
                                                        int64_t known_size) {
  if (path.empty()) return Status::Invalid("empty input path");
  if (IsS3Path(path)) return fs::OpenS3Input(path, known_size);
  return fs::OpenLocalInput(path);
}

Result<std::unique_ptr<OutputFile>> OpenOutputFile(const std::string& path) {
  if (path.empty()) return Status::Invalid("empty output path");
  if (IsS3Path(path)) return fs::OpenS3Output(path);
  return fs::OpenLocalOutput(path);
}

Result<std::vector<FileEntry>> ListFiles(const std::string& input) {
  if (input.empty()) return Status::Invalid("empty input path");
  std::vector<FileEntry> files;
  if (IsS3Path(input)) {
    QK_RETURN_NOT_OK(fs::ListS3(input, &files));
  } else {
    QK_RETURN_NOT_OK(fs::ListLocal(input, &files));
  }
  return files;
}

std::string JoinPath(const std::string& directory, const std::string& name) {
  if (directory.empty()) return name;
  return directory + (directory.back() == '/' ? "" : "/") + name;
}

Result<bool> FileExists(const std::string& path) {
  Result<std::unique_ptr<RandomAccessFile>> file = OpenInputFile(path);
  if (file.ok()) return true;
  if (file.status().code() == StatusCode::kNotFound) return false;
  return file.status();
}

}  // namespace quokka
