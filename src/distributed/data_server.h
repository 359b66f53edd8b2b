#pragma once
// The data plane's gRPC service, shaped like Arrow Flight:
//   /quokka.DataPlane/DoPut  bidi stream: frames of every link from one machine to this one
//                            (metadata quokka-run, quokka-from), credits and closes back;
//   /quokka.DataPlane/DoGet  one request (a dataset partition key), one reply (its objects).
// Messages are raw gRPC byte buffers (frame.h), not protobuf fields, so bodies are not copied
// into and out of protobuf strings. With TLS on, every peer must present a certificate of the
// cluster's CA (mutual TLS); others fail the handshake and never reach the service.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "quokka/status.h"
#include "run_links.h"

namespace quokka::dist {

/// How peers authenticate: PEM texts of the cluster CA and this process's certificate and key.
struct TlsConfig {
  bool insecure = false;
  std::string ca_pem, cert_pem, key_pem;
};

class DataHandler {
 public:
  virtual ~DataHandler() = default;
  /// \brief The run `run_id`'s links on this worker, or null when it does not run here.
  virtual std::shared_ptr<RunLinks> FindRun(uint64_t run_id) = 0;
  /// \brief The serialized objects of a dataset partition held here.
  virtual Result<std::string> ReadPartition(const std::string& key) = 0;
};

class DataServer {
 public:
  /// \brief Listen on `address` (HOST:PORT; port 0 = any free one). Errors name the address.
  static Result<std::unique_ptr<DataServer>> Start(const std::string& address, const TlsConfig& tls,
                                                   DataHandler* handler);
  ~DataServer();
  int port() const { return port_; }
  void Shutdown();

 private:
  class Service;
  DataServer() = default;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

/// \brief A channel to a data server at `target` (HOST:PORT).
std::shared_ptr<grpc::Channel> MakeDataChannel(const std::string& target, const TlsConfig& tls);

/// \brief DoGet: fetch the serialized partition `key` from the worker at `channel`.
Result<std::string> FetchPartition(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& key, const std::string& where);

}  // namespace quokka::dist
