#pragma once
// Local-disk implementations of quokka/filesystem.h (pread and buffered writes).

#include <memory>
#include <string>
#include <vector>

#include "quokka/filesystem.h"

namespace quokka::fs {

Result<std::unique_ptr<RandomAccessFile>> OpenLocalInput(const std::string& path);
Result<std::unique_ptr<OutputFile>> OpenLocalOutput(const std::string& path);
/// A file, a directory or a glob pattern.
Status ListLocal(const std::string& input, std::vector<FileEntry>* files);

}  // namespace quokka::fs
