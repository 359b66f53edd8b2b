#pragma once
// RedisClient: one connection to the control plane's Redis (hiredis), with errors as Status.
//
// A client is used by one thread at a time (the worker's inbox loop, heartbeat thread and
// driver each own one). Commands are given as argument vectors, so values are binary-safe.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "quokka/status.h"

struct redisContext;

namespace quokka::dist {

/// Where Redis is and how to log in.
struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;  ///< Empty: no AUTH.
  std::string ToString() const { return host + ":" + std::to_string(port); }
};

/// \brief Parse "HOST:PORT" (the port is required). Errors name `what` (e.g. "--redis").
Result<RedisEndpoint> ParseRedisAddress(const std::string& text, const std::string& what);
/// \brief Read a password file (one line; trailing newline dropped). Errors name the file.
Result<std::string> ReadPasswordFile(const std::string& path);

/// A reply: nil, integer, string (also status), or an array of replies.
struct RedisReply {
  enum class Kind { kNil, kInteger, kString, kArray } kind = Kind::kNil;
  long long integer = 0;
  std::string string;
  std::vector<RedisReply> elements;
};

class RedisClient {
 public:
  /// \brief Connect (and AUTH, and PING). Errors say what to fix: address, password, server.
  static Result<std::unique_ptr<RedisClient>> Connect(
      const RedisEndpoint& endpoint,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  /// \brief Run one command. A Redis error reply becomes a Status naming the command.
  Result<RedisReply> Command(const std::vector<std::string>& args);
  /// \brief BLPOP on `keys` for up to `seconds` (> 0): (key, value), or nullopt on timeout.
  Result<std::optional<std::pair<std::string, std::string>>> BlockingPop(
      const std::vector<std::string>& keys, double seconds);
  const RedisEndpoint& endpoint() const { return endpoint_; }

 private:
  RedisClient(RedisEndpoint endpoint, redisContext* context)
      : endpoint_(std::move(endpoint)), context_(context) {}
  Status Reconnect();

  RedisEndpoint endpoint_;
  redisContext* context_;
  std::chrono::milliseconds timeout_{3000};
};

}  // namespace quokka::dist
