#pragma once
// The cluster's TLS keys and certificates (OpenSSL 3): one private CA per cluster, and one key
// and certificate per machine (and for the driver), signed by that CA. The gRPC data plane runs
// mutual TLS with them: every connection must present a certificate signed by the cluster CA,
// and clients check the peer's name against the fixed name "quokka" (gRPC's
// ssl_target_name_override), which every certificate carries as a subjectAltName.
// See docs/security.md.
//
// Thread safety: the functions are independent and may be called from any thread, but two
// concurrent MakeClusterKeys calls on the same directory race on its files.

#include <string>
#include <vector>

#include "quokka/status.h"

namespace quokka::dist {

/// \brief The name every certificate carries as DNS subjectAltName, and that clients verify.
inline constexpr const char* kTlsPeerName = "quokka";
/// \brief The name of the driver's key and certificate (always made by MakeClusterKeys).
inline constexpr const char* kDriverName = "driver";

/// \brief Check machine names for MakeClusterKeys: each must be 1..64 characters of letters,
///        digits, '.', '-' and '_', must not start with '.' or '-', must not be "ca" (the CA's
///        files) and must not repeat. "driver" may be listed (it is made anyway).
Status ValidateMachineNames(const std::vector<std::string>& machine_names);

/// \brief Make (or extend) a cluster's keys in `out_dir`.
///
/// Creates `out_dir` (mode 0700; parents as needed; an existing directory keeps its mode) with
///   ca.key, ca.crt          a self-signed CA: EC P-256, 10 years, CA:TRUE, keyCertSign;
///   <name>.key, <name>.crt  for every name in `machine_names` and for "driver": EC P-256,
///                           about 5 years (never past the CA's end), a random serial, subject
///                           CN=<name>, O=quokka, subjectAltName DNS:quokka and DNS:<name>,
///                           extendedKeyUsage serverAuth and clientAuth, signed by the CA.
/// Key files are written with mode 0600, certificates 0644; each file is written to a temporary
/// file and renamed into place.
///
/// Three cases:
///  - No ca.key / ca.crt in `out_dir`: a new CA and keys for every name. If any machine's
///    .key/.crt already exists there (left from an older CA), this is refused unless
///    `overwrite`.
///  - ca.key and ca.crt exist, `overwrite` is false: machines are *added*. Names that have no
///    .key/.crt yet get new ones, signed by the existing CA; names that already have both are
///    kept as they are (after checking that they verify against the CA and that the key matches
///    the certificate). If every name already has its files there is nothing to add and the call
///    fails with Invalid saying to use --force to replace the CA. A name with only one of its
///    two files is refused (remove the file, or use --force).
///  - `overwrite` is true (the CLI's --force): a new CA and new keys for every listed name and
///    the driver, replacing existing files. Certificates of names not listed are left alone; they
///    no longer verify against the new CA.
/// Nothing is written when the call fails before writing (bad names, existing files, a CA that
/// does not load); a write error part way may leave some files written.
///
/// \param written if not null, receives the paths of the files written, in order.
Status MakeClusterKeys(const std::string& out_dir, const std::vector<std::string>& machine_names,
                       bool overwrite = false, std::vector<std::string>* written = nullptr);

/// \brief The PEM texts a machine needs for mutual TLS (gRPC's SslServerCredentialsOptions /
///        SslCredentialsOptions): the cluster CA certificate, its own certificate and its key.
struct TlsFiles {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

/// \brief Read dir/ca.crt, dir/<name>.crt and dir/<name>.key, as made by MakeClusterKeys.
///
/// Checks that the three parse, that <name>.crt verifies against ca.crt (signature, validity
/// period, CA flags), that it is usable for TLS server and client authentication and carries
/// DNS:quokka, and that <name>.key is the key of <name>.crt. Errors name the file concerned;
/// a missing or unreadable file gives NotFound / IOError saying how to make the keys
/// (`quokka cluster keys --out DIR --machines ...`).
Result<TlsFiles> LoadTlsFiles(const std::string& dir, const std::string& name);

}  // namespace quokka::dist
