#pragma once
// Files on local disk and objects in S3 behind one interface. Every reader and sink takes a
// local path or an S3 URL alike:
//   s3://bucket/key       one object
//   s3://bucket/prefix/   every object under the prefix (sorted by key), like a directory
// S3 is configured from the environment (S3Options::FromEnvironment) unless a program sets
// other options with SetS3Options. Workers of a distributed run read their own environment.
// See docs/s3.md.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quokka/status.h"

namespace quokka {

/// \brief Where and how S3 URLs are reached.
struct S3Options {
  /// Empty: AWS itself (https://BUCKET.s3.REGION.amazonaws.com/KEY, virtual-host style).
  /// Otherwise an S3-compatible server such as "http://127.0.0.1:4568", addressed path-style
  /// (ENDPOINT/BUCKET/KEY).
  std::string endpoint;
  /// Empty: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else "us-east-1".
  std::string region;
  /// Credentials profile (empty: AWS_PROFILE or "default"); environment keys come first.
  std::string profile;
  /// PEM file of the certificate authorities HTTPS endpoints are checked against (empty: the
  /// system's, from Debian's ca-certificates). For a server with its own CA.
  std::string ca_bundle;
  /// Attempts per request (1 = no retry). Retried: 5xx, throttling, connection errors and
  /// bodies cut short; with exponential backoff from `retry_base_ms`, capped at 5 s per wait.
  int max_attempts = 6;
  int64_t retry_base_ms = 100;
  /// Objects written are uploaded in parts of this size (S3's minimum is 5 MiB); an object
  /// smaller than one part is sent with one PUT.
  int64_t part_size = int64_t{8} << 20;
  /// Sequential reads fetch blocks of this size with ranged GETs, `read_ahead` blocks ahead.
  int64_t read_block_size = int64_t{8} << 20;
  int read_ahead = 2;

  /// \brief The defaults, with AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL as the endpoint,
  ///        AWS_CA_BUNDLE as ca_bundle,
  ///        QUOKKA_S3_PART_SIZE (bytes) as part_size and QUOKKA_S3_BLOCK_SIZE as
  ///        read_block_size.
  static S3Options FromEnvironment();
  /// \brief Check the values; Invalid names the field.
  Status Validate() const;
};

/// \brief Use `options` for every S3 URL this process opens from now on.
Status SetS3Options(const S3Options& options);
/// \brief The options S3 URLs use now.
S3Options GetS3Options();

/// \brief True for "s3://..." paths.
bool IsS3Path(std::string_view path);

/// \brief A file or object read at any offset. One thread at a time.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  /// \brief The path or URL it was opened with.
  virtual const std::string& path() const = 0;
  virtual int64_t size() const = 0;
  /// \brief Read exactly `size` bytes at `offset` into `dest`. IOError (naming the path) on
  ///        failure, including when the file is shorter than expected.
  virtual Status ReadAt(int64_t offset, int64_t size, char* dest) = 0;
};

/// \brief A file or object written from start to end. Nothing is visible at the destination
///        of an S3 object until Close() succeeds; destroying an unclosed S3 writer aborts the
///        upload.
class OutputFile {
 public:
  virtual ~OutputFile() = default;
  virtual const std::string& path() const = 0;
  virtual Status Write(std::string_view bytes) = 0;
  virtual Status Close() = 0;
};

/// \brief One regular file or object.
struct FileEntry {
  std::string path;  ///< local path or s3://bucket/key
  int64_t size = 0;
};

/// \brief Open a file or object for reading. `known_size` (from ListFiles) saves a request.
Result<std::unique_ptr<RandomAccessFile>> OpenInputFile(const std::string& path,
                                                        int64_t known_size = -1);
/// \brief Create (or replace) a file or object. A local file's directory must exist.
Result<std::unique_ptr<OutputFile>> OpenOutputFile(const std::string& path);

/// \brief The files an input names, in order: a file, a directory (its regular files sorted
///        by name), a glob pattern (local only), an S3 object, or an S3 prefix (a URL ending
///        in '/', or one that is not an object but has objects under "URL/"). NotFound names
///        the input when nothing matches.
Result<std::vector<FileEntry>> ListFiles(const std::string& input);

/// \brief `directory` + "/" + `name` for local paths and S3 URLs alike.
std::string JoinPath(const std::string& directory, const std::string& name);

/// \brief Whether a path names an existing file or object; an error other than "not found"
///        (no access, wrong credentials, unreachable endpoint) is returned as such.
Result<bool> FileExists(const std::string& path);

}  // namespace quokka
