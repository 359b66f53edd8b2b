// GenerateTpch: splits the tables into row-range tasks, generates them on worker threads and
// writes the buffers to the files in task order (so the bytes do not depend on the threads).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dbgen.h"

namespace quokka::tpch {
namespace {

namespace fs = std::filesystem;

bool IsSplit(TpchTable table) { return table != TpchTable::kRegion && table != TpchTable::kNation; }

// A group generates one or two tables from the same rows (parts with their partsupp rows,
// orders with their lineitems).
struct Group {
  TpchTable rows_of;               // the table whose row indices the tasks cover
  std::vector<TpchTable> outputs;  // the files written
  int64_t rows_per_task;
};

const std::vector<Group>& Groups() {
  static const std::vector<Group> kGroups = {
      {TpchTable::kRegion, {TpchTable::kRegion}, 5},
      {TpchTable::kNation, {TpchTable::kNation}, 25},
      {TpchTable::kSupplier, {TpchTable::kSupplier}, 20000},
      {TpchTable::kCustomer, {TpchTable::kCustomer}, 25000},
      {TpchTable::kPart, {TpchTable::kPart, TpchTable::kPartSupp}, 10000},
      {TpchTable::kOrders, {TpchTable::kOrders, TpchTable::kLineitem}, 10000},
  };
  return kGroups;
}

struct Task {
  int group;
  int file;
  int64_t begin, end;
  bool first, last;  // first / last task of its file
};

Status WriteAll(int fd, const std::string& data, const std::string& path) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("cannot write '" + path + "': " + std::strerror(errno));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return Status::OK();
}

// Remove part-*.tbl files in `dir` (and `dir` itself if that leaves it empty when `remove_dir`).
Status RemoveParts(const fs::path& dir, bool remove_dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::OK();
  std::vector<fs::path> stale;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("part-", 0) == 0 && name.size() > 9 &&
        name.compare(name.size() - 4, 4, ".tbl") == 0) {
      stale.push_back(entry.path());
    }
  }
  if (ec) return Status::IOError("cannot list '" + dir.string() + "': " + ec.message());
  for (const fs::path& path : stale) {
    if (!fs::remove(path, ec) && ec) {
      return Status::IOError("cannot remove stale '" + path.string() + "': " + ec.message());
    }
  }
  if (remove_dir && fs::is_empty(dir, ec)) fs::remove(dir, ec);
  return Status::OK();
}

Status PrepareOutput(const TpchGenOptions& options) {
  std::error_code ec;
  fs::path out(options.out_dir);
  fs::create_directories(out, ec);
  if (ec || !fs::is_directory(out)) {
    return Status::IOError("--out: cannot create directory '" + options.out_dir +
                           "': " + (ec ? ec.message() : "not a directory"));
  }
  for (TpchTable table : AllTpchTables()) {
    if (!IsSplit(table)) continue;
    fs::path single = out / (std::string(TpchTableName(table)) + ".tbl");
    fs::path dir = out / TpchTableName(table);
    if (options.files == 1) {
      QK_RETURN_NOT_OK(RemoveParts(dir, /*remove_dir=*/true));
    } else {
      if (fs::is_regular_file(single, ec) && !fs::remove(single, ec) && ec) {
        return Status::IOError("cannot remove stale '" + single.string() + "': " + ec.message());
      }
      QK_RETURN_NOT_OK(RemoveParts(dir, /*remove_dir=*/false));
      fs::create_directories(dir, ec);
      if (ec) {
        return Status::IOError("cannot create directory '" + dir.string() + "': " + ec.message());
      }
    }
  }
  return Status::OK();
}

}  // namespace

std::vector<std::string> TpchOutputPaths(const std::string& out_dir, TpchTable table, int files) {
  fs::path out(out_dir);
  std::string name = TpchTableName(table);
  if (!IsSplit(table) || files <= 1) return {(out / (name + ".tbl")).string()};
  int width = static_cast<int>(std::to_string(files).size());
  std::vector<std::string> paths;
  for (int k = 1; k <= files; ++k) {
    std::string number = std::to_string(k);
    number.insert(0, static_cast<size_t>(width) - number.size(), '0');
    paths.push_back((out / name / ("part-" + number + ".tbl")).string());
  }
  return paths;
}

std::string TpchReaderInput(const std::string& out_dir, TpchTable table, int files) {
  fs::path out(out_dir);
  std::string name = TpchTableName(table);
  if (!IsSplit(table) || files <= 1) return (out / (name + ".tbl")).string();
  return (out / name).string();
}

Status GenerateTpch(const TpchGenOptions& options, TpchGenReport* report) {
  auto started = std::chrono::steady_clock::now();
  QK_RETURN_NOT_OK(ValidateScaleFactor(options.scale_factor));
  if (options.out_dir.empty()) return Status::Invalid("--out: no output directory given");
  if (options.files < 1 || options.files > kMaxTpchFiles) {
    return Status::Invalid("--files must be between 1 and " + std::to_string(kMaxTpchFiles) +
                           ", got " + std::to_string(options.files));
  }
  if (options.threads < 0) {
    return Status::Invalid("--threads must be >= 0, got " + std::to_string(options.threads));
  }
  QK_ASSIGN_OR_RAISE(
      std::shared_ptr<const TpchContext> context,
      TpchContext::Make(options.scale_factor, options.seed, options.text_pool_bytes));
  QK_RETURN_NOT_OK(PrepareOutput(options));

  // Tasks in output order: per group, per file, row ranges of at most rows_per_task.
  const std::vector<Group>& groups = Groups();
  std::vector<Task> tasks;
  for (int g = 0; g < static_cast<int>(groups.size()); ++g) {
    const Group& group = groups[g];
    int files = IsSplit(group.rows_of) ? options.files : 1;
    int64_t rows = context->GeneratorRows(group.rows_of);
    for (int k = 0; k < files; ++k) {
      int64_t begin = rows * k / files;
      int64_t end = rows * (k + 1) / files;
      int64_t at = begin;
      do {
        int64_t stop = std::min(end, at + group.rows_per_task);
        tasks.push_back(Task{g, k, at, stop, at == begin, stop == end});
        at = stop;
      } while (at < end);
    }
  }

  TpchGenReport local;
  for (TpchTable table : AllTpchTables()) {
    local.tables.push_back(
        TpchTableReport{table, TpchOutputPaths(options.out_dir, table, options.files), 0, 0});
  }

  std::atomic<size_t> next_task{0};
  std::mutex mutex;
  std::condition_variable turn;
  size_t next_commit = 0;  // guarded by mutex
  Status failure;          // guarded by mutex
  // Only the thread whose turn it is touches these (hand-off through the mutex).
  std::vector<int> open_fds;

  auto worker = [&]() {
    std::string buffers[2];
    while (true) {
      size_t index = next_task.fetch_add(1);
      if (index >= tasks.size()) return;
      const Task& task = tasks[index];
      const Group& group = groups[task.group];
      bool failed;
      {
        std::lock_guard<std::mutex> lock(mutex);
        failed = !failure.ok();
      }
      int64_t lines = 0;
      buffers[0].clear();
      buffers[1].clear();
      if (!failed) {
        switch (group.rows_of) {
          case TpchTable::kRegion:
            AppendRegion(*context, &buffers[0]);
            break;
          case TpchTable::kNation:
            AppendNation(*context, &buffers[0]);
            break;
          case TpchTable::kSupplier:
            AppendSuppliers(*context, task.begin, task.end, &buffers[0]);
            break;
          case TpchTable::kCustomer:
            AppendCustomers(*context, task.begin, task.end, &buffers[0]);
            break;
          case TpchTable::kPart:
            AppendParts(*context, task.begin, task.end, &buffers[0], &buffers[1]);
            break;
          default:
            lines = AppendOrders(*context, task.begin, task.end, &buffers[0], &buffers[1]);
            break;
        }
      }
      {
        std::unique_lock<std::mutex> lock(mutex);
        turn.wait(lock, [&] { return next_commit == index; });
        failed = !failure.ok();
      }
      Status status;
      if (!failed) {
        for (size_t o = 0; o < group.outputs.size() && status.ok(); ++o) {
          TpchTable table = group.outputs[o];
          TpchTableReport& entry = local.tables[static_cast<int>(table)];
          const std::string& path = entry.paths[static_cast<size_t>(task.file)];
          if (task.first) {
            int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (fd < 0) {
              status = Status::IOError("cannot create '" + path + "': " + std::strerror(errno));
              break;
            }
            open_fds.push_back(fd);
          }
          status = WriteAll(open_fds[o], buffers[o], path);
          entry.bytes += static_cast<int64_t>(buffers[o].size());
          if (table == TpchTable::kLineitem) {
            entry.rows += lines;
          } else if (table == TpchTable::kPartSupp) {
            entry.rows += 4 * (task.end - task.begin);
          } else {
            entry.rows += task.end - task.begin;
          }
        }
        if (task.last || !status.ok()) {
          for (int fd : open_fds) {
            if (::close(fd) != 0 && status.ok()) {
              status = Status::IOError(std::string("cannot close a TPC-H output file: ") +
                                       std::strerror(errno));
            }
          }
          open_fds.clear();
        }
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (!status.ok() && failure.ok()) failure = status;
        ++next_commit;
      }
      turn.notify_all();
    }
  };

  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads, 1, static_cast<int>(tasks.size()));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool) thread.join();
  for (int fd : open_fds) ::close(fd);
  if (!failure.ok()) return failure;

  local.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (report != nullptr) *report = std::move(local);
  return Status::OK();
}

}  // namespace quokka::tpch
