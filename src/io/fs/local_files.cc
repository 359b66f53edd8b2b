// Local files: pread for reading, a buffered descriptor for writing, directory and glob listing.
#include "fs/local_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace quokka::fs {
namespace {

std::string Quoted(const std::string& text) { return "'" + text + "'"; }
std::string ErrnoText() { return std::strerror(errno); }

class LocalInput final : public RandomAccessFile {
 public:
  LocalInput(std::string path, int fd, int64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  ~LocalInput() override { ::close(fd_); }
  const std::string& path() const override { return path_; }
  int64_t size() const override { return size_; }

  Status ReadAt(int64_t offset, int64_t size, char* dest) override {
    if (offset < 0 || size < 0 || offset + size > size_) {
      return Status::IOError("read of " + std::to_string(size) + " bytes at " +
                             std::to_string(offset) + " past the end of " + Quoted(path_) + " (" +
                             std::to_string(size_) + " bytes)");
    }
    while (size > 0) {
      ssize_t n = ::pread(fd_, dest, static_cast<size_t>(std::min<int64_t>(size, 1 << 30)), offset);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOError("cannot read " + Quoted(path_) + ": " + ErrnoText());
      }
      if (n == 0) return Status::IOError(Quoted(path_) + " became shorter while being read");
      dest += n;
      offset += n;
      size -= n;
    }
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_;
  int64_t size_;
};

class LocalOutput final : public OutputFile {
 public:
  LocalOutput(std::string path, int fd) : path_(std::move(path)), fd_(fd) {
    buffer_.reserve(kBuffer);
  }
  ~LocalOutput() override {
    if (fd_ >= 0) ::close(fd_);
  }
  const std::string& path() const override { return path_; }

  Status Write(std::string_view bytes) override {
    if (fd_ < 0) return Status::Invalid(Quoted(path_) + ": write after close");
    if (buffer_.size() + bytes.size() <= kBuffer) {
      buffer_.append(bytes);
      return Status::OK();
    }
    QK_RETURN_NOT_OK(Flush());
    if (bytes.size() >= kBuffer) return WriteAll(bytes);
    buffer_.append(bytes);
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::Invalid(Quoted(path_) + ": closed twice");
    Status status = Flush();
    if (::close(fd_) != 0 && status.ok()) {
      status = Status::IOError("cannot close " + Quoted(path_) + ": " + ErrnoText());
    }
    fd_ = -1;
    return status;
  }

 private:
  static constexpr size_t kBuffer = 1 << 20;
  Status Flush() {
    Status status = WriteAll(buffer_);
    buffer_.clear();
    return status;
  }
  Status WriteAll(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOError("cannot write " + Quoted(path_) + ": " + ErrnoText());
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return Status::OK();
  }
  std::string path_;
  int fd_;
  std::string buffer_;
};

bool HasGlobCharacters(const std::string& text) {
  return text.find_first_of("*?[") != std::string::npos;
}

Status ListDirectory(const std::string& dir, std::vector<FileEntry>* files) {
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) {
    return Status::IOError("cannot read directory " + Quoted(dir) + ": " + ErrnoText());
  }
  std::vector<FileEntry> found;
  while (dirent* entry = ::readdir(handle)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + (dir.back() == '/' ? "" : "/") + name;
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      found.push_back({path, static_cast<int64_t>(st.st_size)});
    }
  }
  ::closedir(handle);
  if (found.empty()) {
    return Status::NotFound("directory " + Quoted(dir) + " contains no regular files");
  }
  std::sort(found.begin(), found.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
  files->insert(files->end(), found.begin(), found.end());
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<RandomAccessFile>> OpenLocalInput(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("file " + Quoted(path) + " does not exist");
    return Status::IOError("cannot open " + Quoted(path) + ": " + ErrnoText());
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    Status status = S_ISDIR(st.st_mode)
                        ? Status::IOError(Quoted(path) + " is a directory, not a file")
                        : Status::IOError("cannot stat " + Quoted(path) + ": " + ErrnoText());
    ::close(fd);
    return status;
  }
  return std::unique_ptr<RandomAccessFile>(new LocalInput(path, fd, st.st_size));
}

Result<std::unique_ptr<OutputFile>> OpenLocalOutput(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + Quoted(path) + ": " + ErrnoText());
  return std::unique_ptr<OutputFile>(new LocalOutput(path, fd));
}

Status ListLocal(const std::string& input, std::vector<FileEntry>* files) {
  if (HasGlobCharacters(input)) {
    glob_t matches;
    int rc = ::glob(input.c_str(), 0, nullptr, &matches);
    if (rc == GLOB_NOMATCH) return Status::NotFound("no file matches the pattern " + Quoted(input));
    if (rc != 0) {
      ::globfree(&matches);
      return Status::IOError("cannot expand the pattern " + Quoted(input));
    }
    size_t before = files->size();
    Status status;
    for (size_t i = 0; i < matches.gl_pathc && status.ok(); ++i) {
      std::string path = matches.gl_pathv[i];
      struct stat st;
      if (::stat(path.c_str(), &st) != 0) continue;
      if (S_ISREG(st.st_mode)) {
        files->push_back({path, static_cast<int64_t>(st.st_size)});
      } else if (S_ISDIR(st.st_mode)) {
        status = ListDirectory(path, files);
        if (status.code() == StatusCode::kNotFound) status = Status::OK();
      }
    }
    ::globfree(&matches);
    QK_RETURN_NOT_OK(status);
    if (files->size() == before) {
      return Status::NotFound("no regular file matches the pattern " + Quoted(input));
    }
    return Status::OK();
  }
  struct stat st;
  if (::stat(input.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound("input " + Quoted(input) + " does not exist");
    }
    return Status::IOError("cannot access " + Quoted(input) + ": " + ErrnoText());
  }
  if (S_ISDIR(st.st_mode)) return ListDirectory(input, files);
  if (!S_ISREG(st.st_mode)) {
    return Status::Invalid("input " + Quoted(input) + " is not a regular file or directory");
  }
  files->push_back({input, static_cast<int64_t>(st.st_size)});
  return Status::OK();
}

}  // namespace quokka::fs
