#include "redis_client.h"

#include <hiredis/hiredis.h>

#include <fstream>
#include <sstream>

namespace quokka::dist {
namespace {

RedisReply Convert(const redisReply* reply) {
  RedisReply out;
  switch (reply->type) {
    case REDIS_REPLY_INTEGER:
      out.kind = RedisReply::Kind::kInteger;
      out.integer = reply->integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.kind = RedisReply::Kind::kString;
      out.string.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = RedisReply::Kind::kArray;
      for (size_t i = 0; i < reply->elements; ++i)
        out.elements.push_back(Convert(reply->element[i]));
      break;
    default:
      break;
  }
  return out;
}

timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

}  // namespace

Result<RedisEndpoint> ParseRedisAddress(const std::string& text, const std::string& what) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::Invalid(what + ": expected HOST:PORT, got '" + text + "'");
  }
  RedisEndpoint endpoint;
  endpoint.host = text.substr(0, colon);
  try {
    size_t used = 0;
    endpoint.port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || endpoint.port < 1 || endpoint.port > 65535) {
      throw std::invalid_argument("port");
    }
  } catch (const std::exception&) {
    return Status::Invalid(what + ": '" + text.substr(colon + 1) + "' is not a port (1-65535)");
  }
  return endpoint;
}

Result<std::string> ReadPasswordFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IOError("cannot read the Redis password file '" + path + "'");
  std::string password;
  std::getline(in, password);
  while (!password.empty() && (password.back() == '\r' || password.back() == ' ')) {
    password.pop_back();
  }
  if (password.empty()) return Status::Invalid("the Redis password file '" + path + "' is empty");
  return password;
}

Result<std::unique_ptr<RedisClient>> RedisClient::Connect(const RedisEndpoint& endpoint,
                                                          std::chrono::milliseconds timeout) {
  redisContext* context =
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, ToTimeval(timeout));
  const std::string where = "Redis at " + endpoint.ToString();
  if (context == nullptr) return Status::IOError("cannot connect to " + where);
  if (context->err) {
    std::string message = context->errstr;
    redisFree(context);
    return Status::IOError("cannot connect to " + where + ": " + message +
                           " (is redis-server running there, and the address right?)");
  }
  redisSetTimeout(context, ToTimeval(timeout));
  std::unique_ptr<RedisClient> client(new RedisClient(endpoint, context));
  client->timeout_ = timeout;
  if (!endpoint.password.empty()) {
    Result<RedisReply> auth = client->Command({"AUTH", endpoint.password});
    if (!auth.ok()) {
      return Status::Invalid(
          where + " refused the password (" +
          std::string(auth.status().message().find("WRONGPASS") != std::string::npos
                          ? "wrong password"
                          : auth.status().message()) +
          "): check the password file");
    }
  }
  Result<RedisReply> ping = client->Command({"PING"});
  if (!ping.ok()) {
    if (ping.status().message().find("NOAUTH") != std::string::npos) {
      return Status::Invalid(where + " needs a password: give --password-file");
    }
    return ping.status();
  }
  return client;
}

RedisClient::~RedisClient() { redisFree(context_); }

Status RedisClient::Reconnect() {
  if (redisReconnect(context_) != REDIS_OK) {
    return Status::IOError("lost the connection to Redis at " + endpoint_.ToString() + ": " +
                           context_->errstr);
  }
  redisSetTimeout(context_, ToTimeval(timeout_));
  if (!endpoint_.password.empty()) {
    QK_ASSIGN_OR_RAISE(RedisReply auth, Command({"AUTH", endpoint_.password}));
    (void)auth;
  }
  return Status::OK();
}

Result<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data()));
  if (reply == nullptr) {
    std::string message = context_->errstr;
    // A broken connection is reopened for the next command; this one failed.
    (void)Reconnect();
    return Status::IOError("Redis at " + endpoint_.ToString() + ": " + args[0] +
                           " failed: " + message);
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    std::string message(reply->str, reply->len);
    freeReplyObject(reply);
    return Status::IOError("Redis at " + endpoint_.ToString() + " refused " + args[0] + ": " +
                           message);
  }
  RedisReply out = Convert(reply);
  freeReplyObject(reply);
  return out;
}

Result<std::optional<std::pair<std::string, std::string>>> RedisClient::BlockingPop(
    const std::vector<std::string>& keys, double seconds) {
  // The socket timeout must outlast the server-side wait.
  auto wait = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  redisSetTimeout(context_, ToTimeval(wait + timeout_));
  std::vector<std::string> args = {"BLPOP"};
  args.insert(args.end(), keys.begin(), keys.end());
  std::ostringstream timeout;
  timeout << seconds;
  args.push_back(timeout.str());
  Result<RedisReply> reply = Command(args);
  redisSetTimeout(context_, ToTimeval(timeout_));
  if (!reply.ok()) return reply.status();
  if (reply->kind != RedisReply::Kind::kArray || reply->elements.size() != 2) {
    return std::optional<std::pair<std::string, std::string>>();
  }
  return std::optional<std::pair<std::string, std::string>>(
      std::make_pair(reply->elements[0].string, reply->elements[1].string));
}

}  // namespace quokka::dist
