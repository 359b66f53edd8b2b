#include "data_server.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>

#include <condition_variable>
#include <deque>
#include <future>

#include "frame.h"
#include "log.h"

namespace quokka::dist {
namespace {

constexpr const char* kDoPut = "/quokka.DataPlane/DoPut";
constexpr const char* kDoGet = "/quokka.DataPlane/DoGet";
// The name every cluster certificate carries (docs/security.md): checked instead of addresses,
// which change between deployments.
constexpr const char* kPeerName = "quokka";
// Keepalive pings find a silent peer; the timeout (also gRPC's TCP_USER_TIMEOUT) must outlast
// draining a full socket buffer on a slow link. Dead workers are found sooner by the Redis
// heartbeat (2 s).
constexpr int kKeepaliveMs = 10000;
constexpr int kKeepaliveTimeoutMs = 20000;

std::string MetadataValue(const grpc::CallbackServerContext* context, const char* key) {
  auto found = context->client_metadata().find(key);
  if (found == context->client_metadata().end()) return "";
  return std::string(found->second.data(), found->second.size());
}

bool ParseUnsigned(const std::string& text, uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

// A reactor that refuses the call.
class Refusal final : public grpc::ServerGenericBidiReactor {
 public:
  explicit Refusal(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

// The server side of a DoPut stream from one machine.
class PutReactor final : public grpc::ServerGenericBidiReactor, public FrameWriter {
 public:
  PutReactor(std::shared_ptr<RunLinks> links, int machine, grpc::CallbackServerContext* context)
      : links_(std::move(links)), machine_(machine), context_(context) {
    links_->IncomingOpened(machine_, this);
    StartRead(&in_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // Half-closed by the peer (normal end) or broken.
      links_->IncomingClosed(machine_, this, context_->IsCancelled());
      FinishOnce(grpc::Status::OK);
      return;
    }
    MessageBytes bytes(in_);
    Result<FrameHeader> header = DecodeFrameHeader(bytes.view());
    bool answer_close = false;
    Status status = header.ok()
                        ? links_->Deliver(machine_, *header, bytes.view().substr(kFrameHeaderSize),
                                          &answer_close)
                        : header.status();
    if (answer_close) {
      Write(MakeMessage({FrameKind::kClose, 0, header->link}));
      Write(MakeMessage({FrameKind::kCredit, 1, header->link}));
    }
    if (!status.ok()) {
      Log("refused a data stream from machine '" + links_->machine_name(machine_) +
          "': " + status.message());
      links_->Fail(
          status.WithContext("data stream from machine '" + links_->machine_name(machine_) + "'"));
      links_->IncomingClosed(machine_, this, false);
      FinishOnce(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, status.message()));
      return;
    }
    StartRead(&in_);
  }

  void Write(grpc::ByteBuffer message) override {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    queue_.push_back(std::move(message));
    if (!writing_) {
      writing_ = true;
      StartWrite(&queue_.front());
    }
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mutex_);
    queue_.pop_front();
    writing_ = false;
    if (!ok || finished_) {
      queue_.clear();
      return;
    }
    if (!queue_.empty()) {
      writing_ = true;
      StartWrite(&queue_.front());
    }
  }

  void OnDone() override {
    links_->IncomingClosed(machine_, this, false);
    delete this;
  }

 private:
  void FinishOnce(const grpc::Status& status) {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  std::shared_ptr<RunLinks> links_;
  const int machine_;
  grpc::CallbackServerContext* context_;
  grpc::ByteBuffer in_;
  std::mutex mutex_;
  std::deque<grpc::ByteBuffer> queue_;
  bool writing_ = false;
  bool finished_ = false;
};

// DoGet: one request naming a partition, one reply with its objects.
class GetReactor final : public grpc::ServerGenericBidiReactor {
 public:
  explicit GetReactor(DataHandler* handler) : handler_(handler) { StartRead(&request_); }
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "DoGet without a request"));
      return;
    }
    MessageBytes key(request_);
    Result<std::string> partition = handler_->ReadPartition(std::string(key.view()));
    if (!partition.ok()) {
      Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, partition.status().message()));
      return;
    }
    reply_ = MakeMessage({FrameKind::kData, 0, 0}, std::move(*partition));
    StartWriteAndFinish(&reply_, grpc::WriteOptions(), grpc::Status::OK);
  }
  void OnDone() override { delete this; }

 private:
  DataHandler* handler_;
  grpc::ByteBuffer request_, reply_;
};

}  // namespace

class DataServer::Service final : public grpc::CallbackGenericService {
 public:
  explicit Service(DataHandler* handler) : handler_(handler) {}
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    if (context->method() == kDoGet) return new GetReactor(handler_);
    if (context->method() != kDoPut) {
      return new Refusal(
          grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown method " + context->method()));
    }
    uint64_t run_id = 0, machine = 0;
    if (!ParseUnsigned(MetadataValue(context, "quokka-run"), run_id) ||
        !ParseUnsigned(MetadataValue(context, "quokka-from"), machine)) {
      Log("refused a DoPut stream without run/machine metadata from " + context->peer());
      return new Refusal(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                      "DoPut needs quokka-run and quokka-from"));
    }
    std::shared_ptr<RunLinks> links = handler_->FindRun(run_id);
    if (!links) {
      return new Refusal(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                      "run " + std::to_string(run_id) + " does not run here"));
    }
    if (machine >= static_cast<uint64_t>(links->num_machines()) ||
        static_cast<int>(machine) == links->local_machine()) {
      Log("refused a DoPut stream naming machine " + std::to_string(machine) + " from " +
          context->peer());
      return new Refusal(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad quokka-from"));
    }
    return new PutReactor(std::move(links), static_cast<int>(machine), context);
  }

 private:
  DataHandler* handler_;
};

Result<std::unique_ptr<DataServer>> DataServer::Start(const std::string& address,
                                                      const TlsConfig& tls, DataHandler* handler) {
  std::unique_ptr<DataServer> server(new DataServer());
  server->service_ = std::make_unique<Service>(handler);
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (tls.insecure) {
    credentials = grpc::InsecureServerCredentials();
  } else {
    grpc::SslServerCredentialsOptions options(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_root_certs = tls.ca_pem;
    options.pem_key_cert_pairs.push_back({tls.key_pem, tls.cert_pem});
    credentials = grpc::SslServerCredentials(options);
  }
  builder.AddListeningPort(address, credentials, &server->port_);
  builder.RegisterCallbackGenericService(server->service_.get());
  builder.SetMaxReceiveMessageSize(-1);
  builder.SetMaxSendMessageSize(-1);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  // One port per worker: refuse to share it with another process.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    return Status::IOError("cannot listen on " + address +
                           " for the data plane (port in use, or not an address of this "
                           "machine?)");
  }
  return server;
}

DataServer::~DataServer() { Shutdown(); }

void DataServer::Shutdown() {
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_.reset();
  }
}

std::shared_ptr<grpc::Channel> MakeDataChannel(const std::string& target, const TlsConfig& tls) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // Every stream of a run gets its own connection-level flow control window budget.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  if (tls.insecure) {
    return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  }
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = tls.ca_pem;
  options.pem_private_key = tls.key_pem;
  options.pem_cert_chain = tls.cert_pem;
  args.SetSslTargetNameOverride(kPeerName);
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(options), args);
}

Result<std::string> FetchPartition(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& key, const std::string& where) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  grpc::ByteBuffer request(std::vector<grpc::Slice>{grpc::Slice(key)}.data(), 1), reply;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, kDoGet, grpc::StubOptions(), &request, &reply,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  grpc::Status status = done.get_future().get();
  if (!status.ok()) {
    return Status::IOError("fetching dataset partition " + key + " from " + where + ": " +
                           status.error_message());
  }
  MessageBytes bytes(reply);
  QK_ASSIGN_OR_RAISE(FrameHeader header, DecodeFrameHeader(bytes.view()));
  (void)header;
  return std::string(bytes.view().substr(kFrameHeaderSize));
}

}  // namespace quokka::dist
