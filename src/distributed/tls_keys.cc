// The cluster's TLS keys and certificates, made and loaded with the OpenSSL 3 C API.
#include "tls_keys.h"

#include <fcntl.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace quokka::dist {
namespace {

// ---------------------------------------------------------------------------------------------
// OpenSSL objects owned by unique_ptr.

template <auto FreeFn>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* object) const {
    FreeFn(object);
  }
};

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpenSslDeleter<ASN1_INTEGER_free>>;
using Ia5StringPtr = std::unique_ptr<ASN1_IA5STRING, OpenSslDeleter<ASN1_IA5STRING_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OpenSslDeleter<GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;
using NamePtr = std::unique_ptr<X509_NAME, OpenSslDeleter<X509_NAME_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX_free>>;

constexpr int kCaDays = 3650;            // 10 years
constexpr int kMachineDays = 1826;       // about 5 years
constexpr long kBackdateSeconds = 3600;  // tolerate clocks up to an hour behind
constexpr size_t kMaxNameLength = 64;    // the longest X.509 commonName
constexpr const char* kMakeHint = "quokka cluster keys --out DIR --machines NAME,NAME,...";

/// Drain OpenSSL's error queue of this thread into one line of text.
std::string OpenSslErrors() {
  std::string text;
  unsigned long code;
  while ((code = ERR_get_error()) != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "no OpenSSL error details" : text;
}

/// An Internal status for a failed OpenSSL call, with the error queue's text.
Status OpenSslFailure(const std::string& what) {
  return Status::Internal(what + " failed: " + OpenSslErrors());
}

std::string JoinPath(const std::string& dir, const std::string& file) {
  return (std::filesystem::path(dir) / file).string();
}

// ---------------------------------------------------------------------------------------------
// Files.

bool Exists(const std::string& path) {
  struct stat info;
  return ::lstat(path.c_str(), &info) == 0;
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    std::string message = "cannot read " + path + ": " + std::strerror(error);
    return error == ENOENT ? Status::NotFound(message) : Status::IOError(message);
  }
  std::string content;
  char buffer[8192];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return Status::IOError("cannot read " + path + ": " + std::strerror(error));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > (size_t{1} << 20)) {
      ::close(fd);
      return Status::Invalid(path + " is larger than 1 MiB; not a key or certificate file");
    }
  }
  ::close(fd);
  return content;
}

/// Write `content` to `path` with exactly `mode`: a temporary file in the same directory
/// (created 0600 by mkstemp, then chmod'ed), synced and renamed over `path`.
Status WriteFileAtomically(const std::string& path, const std::string& content, mode_t mode) {
  std::string temp = path + ".tmp.XXXXXX";
  int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    return Status::IOError("cannot create a file next to " + path + ": " + std::strerror(errno));
  }
  auto fail = [&](const std::string& what) {
    int error = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return Status::IOError("cannot " + what + " " + path + ": " + std::strerror(error));
  };
  if (::fchmod(fd, mode) != 0) return fail("set the mode of");
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write");
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("sync");
  if (::close(fd) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return Status::IOError("cannot write " + path + ": " + std::strerror(error));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return Status::IOError("cannot rename " + temp + " to " + path + ": " + std::strerror(error));
  }
  return Status::OK();
}

/// Create `dir` with mode 0700 (its parents with the default mode) unless it exists.
Status MakeDirectory(const std::string& dir) {
  struct stat info;
  if (::stat(dir.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode)) return Status::IOError(dir + " exists and is not a directory");
    return Status::OK();
  }
  std::filesystem::path path(dir);
  std::filesystem::path parent = path.lexically_normal().parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) return Status::IOError("cannot create " + parent.string() + ": " + error.message());
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError("cannot create " + dir + ": " + std::strerror(errno));
  }
  // mkdir's mode is filtered by the umask; make it exactly 0700.
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Status::IOError("cannot set the mode of " + dir + ": " + std::strerror(errno));
  }
  return Status::OK();
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + dir + ": " + std::strerror(errno));
  int result = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (result != 0) return Status::IOError("cannot sync " + dir + ": " + std::strerror(error));
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// PEM.

Result<std::string> ToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return OpenSslFailure("PEM_write_bio_X509");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

Result<std::string> ToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // PKCS#8, unencrypted ("BEGIN PRIVATE KEY"), as gRPC reads it.
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslFailure("PEM_write_bio_PrivateKey");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

Result<X509Ptr> ParseCert(const std::string& pem, const std::string& path) {
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslFailure("BIO_new_mem_buf");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return Status::Invalid(path + " is not a PEM certificate (" + OpenSslErrors() + ")");
  }
  return cert;
}

Result<PkeyPtr> ParseKey(const std::string& pem, const std::string& path) {
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslFailure("BIO_new_mem_buf");
  // A null password callback with a non-null (empty) passphrase: an encrypted key fails instead
  // of prompting on the terminal.
  char empty[] = "";
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, empty));
  if (!key) {
    return Status::Invalid(path + " is not an unencrypted PEM private key (" + OpenSslErrors() +
                           ")");
  }
  return key;
}

// ---------------------------------------------------------------------------------------------
// Checks.

std::string SubjectText(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return "?";
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_ONELINE);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string IssuerText(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return "?";
  X509_NAME_print_ex(bio.get(), X509_get_issuer_name(cert), 0, XN_FLAG_ONELINE);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

/// OK if `cert` verifies against the single trusted `ca` (signature, validity, CA flags).
Status VerifyAgainstCa(X509* cert, X509* ca, const std::string& cert_path,
                       const std::string& ca_path) {
  ERR_clear_error();
  StorePtr store(X509_STORE_new());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx) return OpenSslFailure("X509_STORE_new");
  if (X509_STORE_add_cert(store.get(), ca) != 1) return OpenSslFailure("X509_STORE_add_cert");
  if (X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr) != 1) {
    return OpenSslFailure("X509_STORE_CTX_init");
  }
  if (X509_verify_cert(ctx.get()) == 1) return Status::OK();
  int error = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  std::string message = cert_path + " does not verify against the cluster CA " + ca_path + " (" +
                        X509_verify_cert_error_string(error) + ")";
  if (error == X509_V_ERR_CERT_HAS_EXPIRED) {
    message += "; make new keys with `quokka cluster keys --force` (see docs/security.md)";
  } else if (error == X509_V_ERR_CERT_NOT_YET_VALID) {
    message += "; is this machine's clock right?";
  } else {
    message += ": the certificate (issuer " + IssuerText(cert) +
               ") was not signed by this CA (subject " + SubjectText(ca) +
               "); the files come from different `quokka cluster keys` runs. Copy the ca.crt, "
               "<name>.crt and <name>.key made together";
  }
  return Status::Invalid(message);
}

Status CheckKeyMatches(X509* cert, EVP_PKEY* key, const std::string& cert_path,
                       const std::string& key_path) {
  EVP_PKEY* public_key = X509_get0_pubkey(cert);
  ERR_clear_error();
  if (public_key == nullptr || EVP_PKEY_eq(public_key, key) != 1) {
    ERR_clear_error();
    return Status::Invalid(key_path + " is not the private key of " + cert_path +
                           " (the key and the certificate come from different runs of `" +
                           kMakeHint + "`)");
  }
  return Status::OK();
}

Status CheckMachineCert(X509* cert, const std::string& cert_path) {
  if (X509_check_host(cert, kTlsPeerName, std::strlen(kTlsPeerName),
                      X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, nullptr) != 1) {
    ERR_clear_error();
    return Status::Invalid(cert_path + " has no subjectAltName DNS:" + kTlsPeerName +
                           ", the name peers verify; make it with `" + kMakeHint + "`");
  }
  if (X509_check_purpose(cert, X509_PURPOSE_SSL_SERVER, 0) != 1 ||
      X509_check_purpose(cert, X509_PURPOSE_SSL_CLIENT, 0) != 1) {
    ERR_clear_error();
    return Status::Invalid(cert_path +
                           " is not usable for both TLS server and client authentication "
                           "(extendedKeyUsage serverAuth, clientAuth)");
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// Making keys and certificates.

Result<PkeyPtr> NewKey() {
  ERR_clear_error();
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslFailure("EVP_EC_gen(P-256)");
  return key;
}

/// A positive random serial of up to 159 bits (RFC 5280: at most 20 octets), never zero.
Status SetRandomSerial(X509* cert) {
  BignumPtr number(BN_new());
  if (!number) return OpenSslFailure("BN_new");
  do {
    if (BN_rand(number.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
      return OpenSslFailure("BN_rand");
    }
  } while (BN_is_zero(number.get()));
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(number.get(), nullptr));
  if (!serial || X509_set_serialNumber(cert, serial.get()) != 1) {
    return OpenSslFailure("X509_set_serialNumber");
  }
  return Status::OK();
}

Result<NamePtr> MakeName(const std::string& common_name) {
  NamePtr name(X509_NAME_new());
  if (!name) return OpenSslFailure("X509_NAME_new");
  auto add = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                      0) == 1;
  };
  if (!add("O", "quokka") || !add("CN", common_name)) {
    return OpenSslFailure("X509_NAME_add_entry_by_txt(CN=" + common_name + ")");
  }
  return name;
}

/// Add an extension from its OpenSSL config text, e.g. ("basicConstraints", "critical,CA:TRUE").
Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return OpenSslFailure(std::string("adding the extension ") + OBJ_nid2sn(nid) + "=" + value);
  }
  return Status::OK();
}

/// subjectAltName DNS:quokka, DNS:<name>, built as structures (no config-string parsing).
Status AddSubjectAltNames(X509* cert, const std::string& name) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) return OpenSslFailure("GENERAL_NAMES_new");
  std::vector<std::string> dns = {kTlsPeerName};
  if (name != kTlsPeerName) dns.push_back(name);
  for (const std::string& entry : dns) {
    Ia5StringPtr text(ASN1_IA5STRING_new());
    GeneralNamePtr general(GENERAL_NAME_new());
    if (!text || !general ||
        ASN1_STRING_set(text.get(), entry.data(), static_cast<int>(entry.size())) != 1) {
      return OpenSslFailure("building subjectAltName DNS:" + entry);
    }
    GENERAL_NAME_set0_value(general.get(), GEN_DNS, text.release());
    if (sk_GENERAL_NAME_push(names.get(), general.get()) == 0) {
      return OpenSslFailure("building subjectAltName");
    }
    general.release();  // owned by `names` now
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslFailure("adding subjectAltName");
  }
  return Status::OK();
}

/// The fields every certificate shares: version 3, random serial, subject, validity, key.
/// `issuer` is null for the self-signed CA.
Status FillCommon(X509* cert, const X509_NAME* subject, X509* issuer, EVP_PKEY* key, int days) {
  QK_RETURN_NOT_OK(SetRandomSerial(cert));
  if (X509_set_version(cert, X509_VERSION_3) != 1 || X509_set_subject_name(cert, subject) != 1 ||
      X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer) : subject) !=
          1 ||
      X509_set_pubkey(cert, key) != 1) {
    return OpenSslFailure("filling in the certificate");
  }
  if (X509_gmtime_adj(X509_getm_notBefore(cert), -kBackdateSeconds) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, nullptr) == nullptr) {
    return OpenSslFailure("setting the validity period");
  }
  // A machine's certificate never outlives its CA.
  if (issuer != nullptr &&
      ASN1_TIME_compare(X509_get0_notAfter(cert), X509_get0_notAfter(issuer)) > 0 &&
      X509_set1_notAfter(cert, X509_get0_notAfter(issuer)) != 1) {
    return OpenSslFailure("setting the validity period");
  }
  return Status::OK();
}

struct KeyAndCert {
  PkeyPtr key;
  X509Ptr cert;
};

Result<KeyAndCert> MakeCa() {
  KeyAndCert ca;
  QK_ASSIGN_OR_RAISE(ca.key, NewKey());
  // A random tag in the CA's name tells the CAs of different runs apart in error messages.
  unsigned char tag[4];
  if (RAND_bytes(tag, sizeof(tag)) != 1) return OpenSslFailure("RAND_bytes");
  char tag_hex[16];
  std::snprintf(tag_hex, sizeof(tag_hex), "%02x%02x%02x%02x", tag[0], tag[1], tag[2], tag[3]);
  QK_ASSIGN_OR_RAISE(NamePtr subject, MakeName(std::string("quokka cluster CA ") + tag_hex));
  ca.cert.reset(X509_new());
  if (!ca.cert) return OpenSslFailure("X509_new");
  X509* cert = ca.cert.get();
  QK_RETURN_NOT_OK(FillCommon(cert, subject.get(), nullptr, ca.key.get(), kCaDays));
  QK_RETURN_NOT_OK(AddExtension(cert, cert, NID_basic_constraints, "critical,CA:TRUE"));
  QK_RETURN_NOT_OK(AddExtension(cert, cert, NID_key_usage, "critical,keyCertSign"));
  QK_RETURN_NOT_OK(AddExtension(cert, cert, NID_subject_key_identifier, "hash"));
  if (X509_sign(cert, ca.key.get(), EVP_sha256()) == 0) return OpenSslFailure("X509_sign (CA)");
  return ca;
}

Result<KeyAndCert> MakeMachine(const std::string& name, const KeyAndCert& ca,
                               const std::string& ca_path) {
  KeyAndCert machine;
  QK_ASSIGN_OR_RAISE(machine.key, NewKey());
  QK_ASSIGN_OR_RAISE(NamePtr subject, MakeName(name));
  machine.cert.reset(X509_new());
  if (!machine.cert) return OpenSslFailure("X509_new");
  X509* cert = machine.cert.get();
  X509* issuer = ca.cert.get();
  QK_RETURN_NOT_OK(FillCommon(cert, subject.get(), issuer, machine.key.get(), kMachineDays));
  QK_RETURN_NOT_OK(AddExtension(cert, issuer, NID_basic_constraints, "critical,CA:FALSE"));
  QK_RETURN_NOT_OK(AddExtension(cert, issuer, NID_key_usage, "critical,digitalSignature"));
  QK_RETURN_NOT_OK(AddExtension(cert, issuer, NID_ext_key_usage, "serverAuth,clientAuth"));
  QK_RETURN_NOT_OK(AddExtension(cert, issuer, NID_subject_key_identifier, "hash"));
  QK_RETURN_NOT_OK(AddExtension(cert, issuer, NID_authority_key_identifier, "keyid:always"));
  QK_RETURN_NOT_OK(AddSubjectAltNames(cert, name));
  if (X509_sign(cert, ca.key.get(), EVP_sha256()) == 0) {
    return OpenSslFailure("X509_sign (" + name + ")");
  }
  // Catch a CA that cannot sign usable certificates (expired, not a CA) before writing anything.
  QK_RETURN_NOT_OK(VerifyAgainstCa(cert, issuer, "the new certificate for " + name, ca_path));
  return machine;
}

/// Load and check an existing CA (ca.key + ca.crt).
Result<KeyAndCert> LoadCa(const std::string& key_path, const std::string& cert_path) {
  KeyAndCert ca;
  QK_ASSIGN_OR_RAISE(std::string cert_pem, ReadFile(cert_path));
  QK_ASSIGN_OR_RAISE(std::string key_pem, ReadFile(key_path));
  QK_ASSIGN_OR_RAISE(ca.cert, ParseCert(cert_pem, cert_path));
  QK_ASSIGN_OR_RAISE(ca.key, ParseKey(key_pem, key_path));
  QK_RETURN_NOT_OK(CheckKeyMatches(ca.cert.get(), ca.key.get(), cert_path, key_path));
  if (X509_check_ca(ca.cert.get()) == 0) {
    return Status::Invalid(cert_path + " is not a CA certificate");
  }
  if (X509_cmp_current_time(X509_get0_notAfter(ca.cert.get())) <= 0) {
    return Status::Invalid("the cluster CA " + cert_path +
                           " has expired; make a new CA and new keys for every machine with "
                           "`quokka cluster keys --force` (see docs/security.md)");
  }
  return ca;
}

}  // namespace

Status ValidateMachineNames(const std::vector<std::string>& machine_names) {
  std::set<std::string> seen;
  for (const std::string& name : machine_names) {
    if (name.empty()) return Status::Invalid("a machine name is empty");
    if (name.find('/') != std::string::npos) {
      return Status::Invalid("machine name '" + name + "' contains '/'");
    }
    if (name[0] == '.') return Status::Invalid("machine name '" + name + "' starts with '.'");
    if (name[0] == '-') return Status::Invalid("machine name '" + name + "' starts with '-'");
    if (name.size() > kMaxNameLength) {
      return Status::Invalid("machine name '" + name + "' is longer than 64 characters");
    }
    for (char c : name) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_';
      if (!ok) {
        return Status::Invalid("machine name '" + name +
                               "' may only contain letters, digits, '.', '-' and '_'");
      }
    }
    if (name == "ca") {
      return Status::Invalid("machine name 'ca' is reserved for the CA's files ca.key, ca.crt");
    }
    if (!seen.insert(name).second) {
      return Status::Invalid("machine name '" + name + "' is given twice");
    }
  }
  return Status::OK();
}

Status MakeClusterKeys(const std::string& out_dir, const std::vector<std::string>& machine_names,
                       bool overwrite, std::vector<std::string>* written) {
  if (written != nullptr) written->clear();
  if (out_dir.empty()) return Status::Invalid("no output directory given");
  QK_RETURN_NOT_OK(ValidateMachineNames(machine_names));
  std::vector<std::string> names = machine_names;
  bool has_driver = false;
  for (const std::string& name : names) has_driver = has_driver || name == kDriverName;
  if (!has_driver) names.push_back(kDriverName);

  const std::string ca_key_path = JoinPath(out_dir, "ca.key");
  const std::string ca_cert_path = JoinPath(out_dir, "ca.crt");
  const bool have_ca_key = Exists(ca_key_path);
  const bool have_ca_cert = Exists(ca_cert_path);

  KeyAndCert ca;
  bool new_ca = true;
  std::vector<std::string> to_make;  // names that get a new key and certificate
  if (overwrite) {
    to_make = names;
  } else if (have_ca_key && have_ca_cert) {
    // Adding machines to an existing cluster: sign with the existing CA.
    new_ca = false;
    QK_ASSIGN_OR_RAISE(ca, LoadCa(ca_key_path, ca_cert_path));
    for (const std::string& name : names) {
      const std::string key_path = JoinPath(out_dir, name + ".key");
      const std::string cert_path = JoinPath(out_dir, name + ".crt");
      const bool have_key = Exists(key_path);
      const bool have_cert = Exists(cert_path);
      if (!have_key && !have_cert) {
        to_make.push_back(name);
        continue;
      }
      if (have_key != have_cert) {
        return Status::Invalid((have_key ? key_path : cert_path) + " exists but " +
                               (have_key ? cert_path : key_path) +
                               " does not; remove it to make a new pair for '" + name +
                               "' with the existing CA, or re-run with --force to make a new CA "
                               "and new keys for every machine");
      }
      // Keep an existing pair, but only if it belongs to this CA.
      QK_ASSIGN_OR_RAISE(TlsFiles files, LoadTlsFiles(out_dir, name));
      (void)files;
    }
    if (to_make.empty()) {
      return Status::Invalid(ca_key_path +
                             " already exists and every machine given already has its key and "
                             "certificate there; refusing to overwrite them. Re-run with --force "
                             "to make a new CA and new keys for every machine (then copy them "
                             "to the machines again), or give new machine names to add them");
    }
  } else if (have_ca_key || have_ca_cert) {
    return Status::Invalid((have_ca_key ? ca_key_path : ca_cert_path) + " exists but " +
                           (have_ca_key ? ca_cert_path : ca_key_path) +
                           " does not; refusing to overwrite it. Re-run with --force to make a "
                           "new CA and new keys for every machine");
  } else {
    for (const std::string& name : names) {
      for (const char* ext : {".key", ".crt"}) {
        const std::string path = JoinPath(out_dir, name + ext);
        if (Exists(path)) {
          return Status::Invalid(path + " already exists but " + ca_key_path +
                                 " does not; refusing to overwrite it. Re-run with --force to "
                                 "make a new CA and new keys for every machine");
        }
      }
    }
    to_make = names;
  }

  // Make everything in memory first, then write.
  struct Pending {
    std::string name, key_pem, cert_pem;
  };
  std::vector<Pending> pending;
  if (new_ca) {
    QK_ASSIGN_OR_RAISE(ca, MakeCa());
    QK_ASSIGN_OR_RAISE(std::string key_pem, ToPem(ca.key.get()));
    QK_ASSIGN_OR_RAISE(std::string cert_pem, ToPem(ca.cert.get()));
    pending.push_back({"ca", std::move(key_pem), std::move(cert_pem)});
  }
  for (const std::string& name : to_make) {
    QK_ASSIGN_OR_RAISE(KeyAndCert machine, MakeMachine(name, ca, ca_cert_path));
    QK_ASSIGN_OR_RAISE(std::string key_pem, ToPem(machine.key.get()));
    QK_ASSIGN_OR_RAISE(std::string cert_pem, ToPem(machine.cert.get()));
    pending.push_back({name, std::move(key_pem), std::move(cert_pem)});
  }

  QK_RETURN_NOT_OK(MakeDirectory(out_dir));
  // The CA first: if a write fails part way, a re-run adds the missing machines to it.
  for (const Pending& item : pending) {
    const std::string key_path = JoinPath(out_dir, item.name + ".key");
    const std::string cert_path = JoinPath(out_dir, item.name + ".crt");
    QK_RETURN_NOT_OK(WriteFileAtomically(key_path, item.key_pem, 0600));
    if (written != nullptr) written->push_back(key_path);
    QK_RETURN_NOT_OK(WriteFileAtomically(cert_path, item.cert_pem, 0644));
    if (written != nullptr) written->push_back(cert_path);
  }
  return SyncDirectory(out_dir);
}

Result<TlsFiles> LoadTlsFiles(const std::string& dir, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.' || name == "ca") {
    return Status::Invalid("'" + name + "' is not a machine name for TLS files");
  }
  const std::string ca_path = JoinPath(dir, "ca.crt");
  const std::string cert_path = JoinPath(dir, name + ".crt");
  const std::string key_path = JoinPath(dir, name + ".key");
  auto read = [&](const std::string& path) -> Result<std::string> {
    Result<std::string> content = ReadFile(path);
    if (content.ok()) return content;
    std::string hint =
        path == ca_path
            ? std::string("make the cluster's keys with `") + kMakeHint + "` and copy ca.crt, " +
                  name + ".crt and " + name + ".key to " + dir
            : "make them with `quokka cluster keys --out DIR --machines " + name +
                  "` (this adds '" + name + "' to an existing cluster in DIR) and copy ca.crt, " +
                  name + ".crt and " + name + ".key to " + dir;
    return Status(content.status().code(),
                  content.status().message() + "; " + hint + " (see docs/security.md)");
  };
  TlsFiles files;
  QK_ASSIGN_OR_RAISE(files.ca_pem, read(ca_path));
  QK_ASSIGN_OR_RAISE(files.cert_pem, read(cert_path));
  QK_ASSIGN_OR_RAISE(files.key_pem, read(key_path));
  QK_ASSIGN_OR_RAISE(X509Ptr ca, ParseCert(files.ca_pem, ca_path));
  QK_ASSIGN_OR_RAISE(X509Ptr cert, ParseCert(files.cert_pem, cert_path));
  QK_ASSIGN_OR_RAISE(PkeyPtr key, ParseKey(files.key_pem, key_path));
  QK_RETURN_NOT_OK(VerifyAgainstCa(cert.get(), ca.get(), cert_path, ca_path));
  QK_RETURN_NOT_OK(CheckMachineCert(cert.get(), cert_path));
  QK_RETURN_NOT_OK(CheckKeyMatches(cert.get(), key.get(), cert_path, key_path));
  return files;
}

}  // namespace quokka::dist
