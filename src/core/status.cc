#include "quokka/status.h"

namespace quokka {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalid:
      return "Invalid";
    case StatusCode::kIOError:
      return "IOError";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kTypeError:
      return "TypeError";
    case StatusCode::kOutOfMemory:
      return "OutOfMemory";
    case StatusCode::kCancelled:
      return "Cancelled";
    case StatusCode::kNetworkError:
      return "NetworkError";
    case StatusCode::kInternal:
      return "Internal";
  }
  return "Unknown";
}

Status::Status(StatusCode code, std::string message) {
  if (code != StatusCode::kOk) {
    state_ = std::make_shared<const State>(State{code, std::move(message)});
  }
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code())) + ": " + message();
}

Status Status::WithContext(const std::string& prefix) const {
  if (ok()) return *this;
  return Status(code(), prefix + ": " + message());
}

Error::Error(Status status) : std::runtime_error(status.ToString()), status_(std::move(status)) {}

void ThrowIfError(const Status& status) {
  if (!status.ok()) throw Error(status);
}

}  // namespace quokka
