// S3 objects as files: ranged GETs with block read-ahead on a background thread, uploads in
// parts, prefixes listed like directories.
#include "fs/s3_files.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "s3/s3_client.h"

namespace quokka::fs {
namespace {

using s3::S3Client;
using s3::S3Url;

// Reads: a read that continues the previous one is served from blocks of read_block_size
// fetched `read_ahead` blocks ahead by as many background threads (one GET in flight each),
// so the caller's parsing and the next GETs overlap. Other reads (headers, footers, the first read)
// go straight into the caller's buffer with one ranged GET.
class S3Input final : public RandomAccessFile {
 public:
  S3Input(std::shared_ptr<S3Client> client, S3Url url, int64_t size)
      : client_(std::move(client)),
        url_(std::move(url)),
        path_(url_.ToString()),
        size_(size),
        block_size_(client_->options().read_block_size),
        read_ahead_(client_->options().read_ahead) {}

  ~S3Input() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      queue_.clear();
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  const std::string& path() const override { return path_; }
  int64_t size() const override { return size_; }

  Status ReadAt(int64_t offset, int64_t size, char* dest) override {
    if (offset < 0 || size < 0 || offset + size > size_) {
      return Status::IOError("read of " + std::to_string(size) + " bytes at " +
                             std::to_string(offset) + " past the end of " + path_ + " (" +
                             std::to_string(size_) + " bytes)");
    }
    if (size == 0) return Status::OK();
    const bool sequential = read_ahead_ > 0 && last_end_ >= 0 &&
                            offset >= last_end_ - block_size_ && offset <= last_end_ + block_size_;
    last_end_ = offset + size;
    if (!sequential) return client_->GetRange(url_.bucket, url_.key, offset, size, dest);

    const int64_t first = offset / block_size_, last = (offset + size - 1) / block_size_;
    Schedule(last + 1, last + read_ahead_);
    for (int64_t index = first; index <= last; ++index) {
      std::shared_ptr<Block> block = Acquire(index);
      if (!block->status.ok()) {
        std::lock_guard<std::mutex> lock(mutex_);
        blocks_.erase(index);  // a later read tries again
        return block->status;
      }
      const int64_t block_begin = index * block_size_;
      const int64_t from = std::max(offset, block_begin);
      const int64_t to = std::min(offset + size, block_begin + block->length);
      std::memcpy(dest + (from - offset), block->data.get() + (from - block_begin), to - from);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    blocks_.erase(blocks_.begin(), blocks_.lower_bound(first));
    return Status::OK();
  }

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    int64_t length = 0;
    bool ready = false;
    Status status;
  };

  void Fetch(int64_t index, Block* block) {
    const int64_t begin = index * block_size_;
    block->length = std::min(block_size_, size_ - begin);
    block->data = std::make_unique<char[]>(block->length);
    block->status =
        client_->GetRange(url_.bucket, url_.key, begin, block->length, block->data.get());
  }

  // Queue blocks [from, to] that exist and are not there or on their way.
  void Schedule(int64_t from, int64_t to) {
    to = std::min(to, (size_ - 1) / block_size_);
    if (from > to) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (int64_t index = from; index <= to; ++index) {
        if (blocks_.count(index) != 0) continue;
        blocks_[index] = std::make_shared<Block>();
        queue_.push_back(index);
      }
      if (static_cast<int>(workers_.size()) < read_ahead_) {
        workers_.emplace_back([this] { Work(); });
      }
    }
    wake_.notify_all();
  }

  // The block, fetched here if nobody fetches it yet, else waited for.
  std::shared_ptr<Block> Acquire(int64_t index) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto it = blocks_.find(index);
    auto queued = std::find(queue_.begin(), queue_.end(), index);
    if (it != blocks_.end() && queued == queue_.end()) {
      std::shared_ptr<Block> block = it->second;
      ready_.wait(lock, [&] { return block->ready; });
      return block;
    }
    if (queued != queue_.end()) queue_.erase(queued);  // not started: fetch it here
    std::shared_ptr<Block> block = std::make_shared<Block>();
    blocks_[index] = block;
    lock.unlock();
    Fetch(index, block.get());
    lock.lock();
    block->ready = true;
    return block;
  }

  void Work() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      const int64_t index = queue_.front();
      queue_.pop_front();
      auto it = blocks_.find(index);
      if (it == blocks_.end()) continue;
      std::shared_ptr<Block> block = it->second;
      lock.unlock();
      Fetch(index, block.get());
      lock.lock();
      block->ready = true;
      ready_.notify_all();
    }
  }

  std::shared_ptr<S3Client> client_;
  S3Url url_;
  std::string path_;
  int64_t size_;
  int64_t block_size_;
  int read_ahead_;
  int64_t last_end_ = -1;

  std::mutex mutex_;
  std::condition_variable wake_, ready_;
  std::map<int64_t, std::shared_ptr<Block>> blocks_;
  std::deque<int64_t> queue_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

// Writes: bytes are collected into parts; the first full part starts a multipart upload, and
// each further full part is uploaded while the caller produces the next one. An object that
// never fills a part is sent with one PUT at Close().
class S3Output final : public OutputFile {
 public:
  S3Output(std::shared_ptr<S3Client> client, S3Url url)
      : client_(std::move(client)), url_(std::move(url)), path_(url_.ToString()) {}

  ~S3Output() override {
    if (closed_) return;
    (void)WaitForUpload();
    if (!upload_id_.empty()) {
      (void)client_->AbortMultipartUpload(url_.bucket, url_.key, upload_id_);
    }
  }

  const std::string& path() const override { return path_; }

  Status Write(std::string_view bytes) override {
    if (closed_) return Status::Invalid(path_ + ": write after close");
    const size_t part_size = static_cast<size_t>(client_->options().part_size);
    while (!bytes.empty()) {
      size_t n = std::min(bytes.size(), part_size - buffer_.size());
      buffer_.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
      if (buffer_.size() == part_size) QK_RETURN_NOT_OK(StartPartUpload());
    }
    return Status::OK();
  }

  Status Close() override {
    if (closed_) return Status::Invalid(path_ + ": closed twice");
    Status status;
    if (upload_id_.empty()) {
      status = client_->Put(url_.bucket, url_.key, buffer_);
    } else {
      if (!buffer_.empty()) status = StartPartUpload();
      if (status.ok()) status = WaitForUpload();
      if (status.ok()) {
        status = client_->CompleteMultipartUpload(url_.bucket, url_.key, upload_id_, etags_);
      }
      if (!status.ok()) (void)client_->AbortMultipartUpload(url_.bucket, url_.key, upload_id_);
    }
    closed_ = true;
    buffer_.clear();
    buffer_.shrink_to_fit();
    return status;
  }

 private:
  // Hand the full buffer to the uploader thread (after the previous part is done).
  Status StartPartUpload() {
    QK_RETURN_NOT_OK(WaitForUpload());
    if (upload_id_.empty()) {
      QK_ASSIGN_OR_RAISE(upload_id_, client_->CreateMultipartUpload(url_.bucket, url_.key));
    }
    in_flight_ = std::move(buffer_);
    buffer_ = std::string();
    buffer_.reserve(static_cast<size_t>(client_->options().part_size));
    const int part = static_cast<int>(etags_.size()) + 1;
    uploader_ = std::thread([this, part] {
      Result<std::string> etag =
          client_->UploadPart(url_.bucket, url_.key, upload_id_, part, in_flight_);
      if (etag.ok()) {
        etags_.push_back(std::move(*etag));
      } else {
        upload_status_ = etag.status();
      }
    });
    return Status::OK();
  }

  Status WaitForUpload() {
    if (uploader_.joinable()) uploader_.join();
    return upload_status_;
  }

  std::shared_ptr<S3Client> client_;
  S3Url url_;
  std::string path_;
  std::string buffer_, in_flight_;
  std::string upload_id_;
  std::vector<std::string> etags_;
  std::thread uploader_;
  Status upload_status_;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<RandomAccessFile>> OpenS3Input(const std::string& url, int64_t known_size) {
  QK_ASSIGN_OR_RAISE(S3Url parsed, S3Url::Parse(url));
  if (parsed.key.empty() || parsed.key.back() == '/') {
    return Status::Invalid(url + " names a prefix, not an object");
  }
  QK_ASSIGN_OR_RAISE(std::shared_ptr<S3Client> client, S3Client::Default());
  if (known_size < 0) {
    QK_ASSIGN_OR_RAISE(s3::ObjectInfo info, client->Head(parsed.bucket, parsed.key));
    known_size = info.size;
  }
  return std::unique_ptr<RandomAccessFile>(
      new S3Input(std::move(client), std::move(parsed), known_size));
}

Result<std::unique_ptr<OutputFile>> OpenS3Output(const std::string& url) {
  QK_ASSIGN_OR_RAISE(S3Url parsed, S3Url::Parse(url));
  if (parsed.key.empty() || parsed.key.back() == '/') {
    return Status::Invalid("cannot write to " + url + ": it names a prefix, not an object");
  }
  QK_ASSIGN_OR_RAISE(std::shared_ptr<S3Client> client, S3Client::Default());
  return std::unique_ptr<OutputFile>(new S3Output(std::move(client), std::move(parsed)));
}

Status ListS3(const std::string& url, std::vector<FileEntry>* files) {
  QK_ASSIGN_OR_RAISE(S3Url parsed, S3Url::Parse(url));
  QK_ASSIGN_OR_RAISE(std::shared_ptr<S3Client> client, S3Client::Default());
  auto add_prefix = [&](const std::string& prefix) -> Result<bool> {
    QK_ASSIGN_OR_RAISE(std::vector<s3::ObjectInfo> objects, client->List(parsed.bucket, prefix));
    bool any = false;
    for (const s3::ObjectInfo& object : objects) {
      if (!object.key.empty() && object.key.back() == '/') continue;  // "folder" markers
      files->push_back({"s3://" + parsed.bucket + "/" + object.key, object.size});
      any = true;
    }
    return any;
  };
  if (parsed.key.empty() || parsed.key.back() == '/') {
    QK_ASSIGN_OR_RAISE(bool any, add_prefix(parsed.key));
    if (!any) return Status::NotFound("no objects under " + url);
    return Status::OK();
  }
  Result<s3::ObjectInfo> head = client->Head(parsed.bucket, parsed.key);
  if (head.ok()) {
    files->push_back({url, head->size});
    return Status::OK();
  }
  if (head.status().code() != StatusCode::kNotFound) return head.status();
  QK_ASSIGN_OR_RAISE(bool any, add_prefix(parsed.key + "/"));
  if (!any) {
    return Status::NotFound(url + ": no such object, and no objects under " + url + "/");
  }
  return Status::OK();
}

}  // namespace quokka::fs
