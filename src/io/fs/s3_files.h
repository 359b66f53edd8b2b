#pragma once
// S3 implementations of quokka/filesystem.h: reads by ranged GETs with read-ahead, writes by
// (multipart) upload.

#include <memory>
#include <string>
#include <vector>

#include "quokka/filesystem.h"

namespace quokka::fs {

Result<std::unique_ptr<RandomAccessFile>> OpenS3Input(const std::string& url, int64_t known_size);
Result<std::unique_ptr<OutputFile>> OpenS3Output(const std::string& url);
/// An object, or the objects under a prefix.
Status ListS3(const std::string& url, std::vector<FileEntry>* files);

}  // namespace quokka::fs
