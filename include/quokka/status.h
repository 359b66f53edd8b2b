#pragma once
// Status and Result<T>: how every fallible operation inside Quokka reports failure.
//
// Errors travel as values so that a failure in one channel can reach the driver across the
// thread pool (and, later, across machines). A Status is cheap when OK (a null pointer).
// At the public entry points that a user calls to build and run graphs (TaskGraph::Create,
// TaskGraph::Run, Object::As), a failed Status is thrown as quokka::Error, which carries it.
// Thread safety: Status and Result are values; distinct objects may be used from any thread.

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace quokka {

/// \brief The kind of a failure; stable numbers, part of the wire format.
enum class StatusCode : int8_t {
  kOk = 0,
  kInvalid = 1,       ///< The caller asked for something malformed (bad graph, bad argument).
  kIOError = 2,       ///< A file or stream could not be read or written.
  kNotFound = 3,      ///< A named thing (type, file, key) does not exist.
  kTypeError = 4,     ///< An object does not hold the type the caller expected.
  kOutOfMemory = 5,   ///< A memory budget was exhausted.
  kCancelled = 6,     ///< Work stopped because something else failed first.
  kNetworkError = 7,  ///< A peer could not be reached.
  kInternal = 8,      ///< A bug in Quokka, or an exception thrown by user code.
};

/// \brief Return the name of a status code ("Invalid", "IOError", ...).
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  /// \brief Construct an OK status.
  Status() = default;
  Status(StatusCode code, std::string message);

  static Status OK() { return Status(); }
  static Status Invalid(std::string message) { return {StatusCode::kInvalid, std::move(message)}; }
  static Status IOError(std::string message) { return {StatusCode::kIOError, std::move(message)}; }
  static Status NotFound(std::string message) {
    return {StatusCode::kNotFound, std::move(message)};
  }
  static Status TypeError(std::string message) {
    return {StatusCode::kTypeError, std::move(message)};
  }
  static Status OutOfMemory(std::string message) {
    return {StatusCode::kOutOfMemory, std::move(message)};
  }
  static Status Cancelled(std::string message) {
    return {StatusCode::kCancelled, std::move(message)};
  }
  static Status NetworkError(std::string message) {
    return {StatusCode::kNetworkError, std::move(message)};
  }
  static Status Internal(std::string message) {
    return {StatusCode::kInternal, std::move(message)};
  }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  /// \brief Return the message without the code name ("" when OK).
  const std::string& message() const;
  /// \brief Return "<CodeName>: <message>", or "OK".
  std::string ToString() const;
  /// \brief Return a status of the same code whose message is `prefix` + ": " + message.
  Status WithContext(const std::string& prefix) const;

  bool operator==(const Status& other) const {
    return code() == other.code() && message() == other.message();
  }

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::shared_ptr<const State> state_;
};

/// \brief The exception thrown by the user-facing entry points; it carries the Status.
class Error : public std::runtime_error {
 public:
  explicit Error(Status status);
  const Status& status() const { return status_; }

 private:
  Status status_;
};

/// \brief Throw quokka::Error if `status` is not OK.
void ThrowIfError(const Status& status);

/// \brief Either a value of type T or a failed Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : storage_(std::move(status)) {
    if (std::get<Status>(storage_).ok()) {
      storage_ = Status::Internal("Result constructed from an OK Status without a value");
    }
  }

  bool ok() const { return std::holds_alternative<T>(storage_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(storage_);
  }
  /// Requires: ok().
  const T& operator*() const& { return std::get<T>(storage_); }
  T& operator*() & { return std::get<T>(storage_); }
  T&& operator*() && { return std::get<T>(std::move(storage_)); }
  const T* operator->() const { return &std::get<T>(storage_); }
  T* operator->() { return &std::get<T>(storage_); }
  /// \brief Return the value, or throw quokka::Error with the status.
  T ValueOrThrow() && {
    if (!ok()) throw Error(std::get<Status>(storage_));
    return std::get<T>(std::move(storage_));
  }

 private:
  std::variant<T, Status> storage_;
};

}  // namespace quokka

#define QK_CONCAT_INNER(a, b) a##b
#define QK_CONCAT(a, b) QK_CONCAT_INNER(a, b)

/// \brief Return the status from the enclosing function if `expr` failed.
#define QK_RETURN_NOT_OK(expr)               \
  do {                                       \
    ::quokka::Status qk_status_ = (expr);    \
    if (!qk_status_.ok()) return qk_status_; \
  } while (false)

#define QK_ASSIGN_OR_RAISE_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                            \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(*tmp)

/// \brief Assign the value of a Result to `lhs`, or return its status.
#define QK_ASSIGN_OR_RAISE(lhs, rexpr) \
  QK_ASSIGN_OR_RAISE_IMPL(QK_CONCAT(qk_result_, __COUNTER__), lhs, rexpr)
