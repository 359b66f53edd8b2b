// Tests for the cluster's TLS keys (quokka::dist::MakeClusterKeys, LoadTlsFiles): what the
// certificates contain, that they verify against their own CA and not against another, file
// modes, name checks, adding machines later and refusing to overwrite.

#include "distributed/tls_keys.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "quokka/status.h"
#include "test_util.h"

namespace quokka::dist {
namespace {

namespace fs = std::filesystem;

template <auto FreeFn>
struct Deleter {
  template <typename T>
  void operator()(T* object) const {
    FreeFn(object);
  }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, Deleter<BASIC_CONSTRAINTS_free>>;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteAll(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

X509Ptr LoadCert(const std::string& path) {
  std::string pem = ReadAll(path);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

PkeyPtr LoadKey(const std::string& path) {
  std::string pem = ReadAll(path);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

/// X509_verify_cert of `cert` with a store trusting only `ca`; returns the X509_V_* code.
int VerifyCode(X509* cert, X509* ca) {
  StorePtr store(X509_STORE_new());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  EXPECT_EQ(X509_STORE_add_cert(store.get(), ca), 1);
  EXPECT_EQ(X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr), 1);
  int ok = X509_verify_cert(ctx.get());
  int code = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  return ok == 1 ? X509_V_OK : (code == X509_V_OK ? -1 : code);
}

std::set<std::string> DnsNames(X509* cert) {
  std::set<std::string> names;
  GeneralNamesPtr sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!sans) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
    if (name->type != GEN_DNS) continue;
    const ASN1_IA5STRING* dns = name->d.dNSName;
    names.insert(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                             static_cast<size_t>(ASN1_STRING_length(dns))));
  }
  return names;
}

std::string NameEntry(X509* cert, int nid) {
  char text[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, text, sizeof(text));
  return text;
}

/// Whole days from now until the certificate's notAfter.
int DaysLeft(X509* cert) {
  int days = 0, seconds = 0;
  EXPECT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert)), 1);
  return days;
}

mode_t Mode(const std::string& path) {
  struct stat info;
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

class TlsKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "quokka_tls_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override {
    std::error_code error;
    fs::remove_all(root_, error);
  }
  std::string Dir(const std::string& name) const { return (fs::path(root_) / name).string(); }
  static std::string Path(const std::string& dir, const std::string& file) {
    return (fs::path(dir) / file).string();
  }

  std::string root_;
};

TEST_F(TlsKeysTest, MakesCaAndMachineKeys) {
  const std::string dir = Dir("keys");
  std::vector<std::string> written;
  QK_ASSERT_OK(MakeClusterKeys(dir, {"w1", "w2"}, false, &written));
  EXPECT_EQ(Mode(dir), 0700u);
  EXPECT_EQ(written.size(), 8u);
  for (const std::string& name : std::vector<std::string>{"ca", "w1", "w2", "driver"}) {
    EXPECT_TRUE(fs::exists(Path(dir, name + std::string(".crt")))) << name;
    EXPECT_EQ(Mode(Path(dir, name + std::string(".key"))), 0600u) << name;
    EXPECT_EQ(Mode(Path(dir, name + std::string(".crt"))), 0644u) << name;
  }
  // No temporary files are left.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 8);

  X509Ptr ca = LoadCert(Path(dir, "ca.crt"));
  ASSERT_TRUE(ca);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_NE(X509_get_extension_flags(ca.get()) & EXFLAG_SS, 0u);  // self-signed
  EXPECT_NE(X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN, 0u);
  BasicConstraintsPtr constraints(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(ca.get(), NID_basic_constraints, nullptr, nullptr)));
  ASSERT_TRUE(constraints);
  EXPECT_TRUE(constraints->ca);
  EXPECT_NEAR(DaysLeft(ca.get()), 3650, 1);
  EXPECT_EQ(VerifyCode(ca.get(), ca.get()), X509_V_OK);
  PkeyPtr ca_key = LoadKey(Path(dir, "ca.key"));
  ASSERT_TRUE(ca_key);
  EXPECT_EQ(X509_check_private_key(ca.get(), ca_key.get()), 1);
}

TEST_F(TlsKeysTest, MachineCertsVerifyAndCarryTheClusterName) {
  const std::string dir = Dir("keys");
  QK_ASSERT_OK(MakeClusterKeys(dir, {"w1", "w2", "node-3.example"}));
  X509Ptr ca = LoadCert(Path(dir, "ca.crt"));
  ASSERT_TRUE(ca);
  std::set<std::string> serials;
  for (const std::string& name : std::vector<std::string>{"w1", "w2", "node-3.example", "driver"}) {
    SCOPED_TRACE(name);
    X509Ptr cert = LoadCert(Path(dir, name + ".crt"));
    PkeyPtr key = LoadKey(Path(dir, name + ".key"));
    ASSERT_TRUE(cert);
    ASSERT_TRUE(key);
    EXPECT_EQ(VerifyCode(cert.get(), ca.get()), X509_V_OK);
    EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
    EXPECT_EQ(DnsNames(cert.get()), (std::set<std::string>{"quokka", name}));
    EXPECT_EQ(X509_check_host(cert.get(), "quokka", 0, 0, nullptr), 1);
    EXPECT_EQ(NameEntry(cert.get(), NID_commonName), name);
    EXPECT_EQ(NameEntry(cert.get(), NID_organizationName), "quokka");
    EXPECT_EQ(X509_check_ca(cert.get()), 0);
    uint32_t eku = X509_get_extended_key_usage(cert.get());
    EXPECT_NE(eku & XKU_SSL_SERVER, 0u);
    EXPECT_NE(eku & XKU_SSL_CLIENT, 0u);
    EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
    EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_CLIENT, 0), 1);
    EXPECT_NEAR(DaysLeft(cert.get()), 1826, 1);
    EXPECT_EQ(EVP_PKEY_get_base_id(key.get()), EVP_PKEY_EC);
    char group[64] = {0};
    size_t group_length = 0;
    EXPECT_EQ(EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &group_length), 1);
    EXPECT_STREQ(group, "prime256v1");
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
    std::string serial_bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(serial)),
                             static_cast<size_t>(ASN1_STRING_length(serial)));
    EXPECT_GE(serial_bytes.size(), 8u);  // random, not 1, 2, 3...
    serials.insert(serial_bytes);

    Result<TlsFiles> files = LoadTlsFiles(dir, name);
    QK_ASSERT_OK(files);
    EXPECT_EQ(files->ca_pem, ReadAll(Path(dir, "ca.crt")));
    EXPECT_EQ(files->cert_pem, ReadAll(Path(dir, name + ".crt")));
    EXPECT_EQ(files->key_pem, ReadAll(Path(dir, name + ".key")));
  }
  EXPECT_EQ(serials.size(), 4u);
}

TEST_F(TlsKeysTest, CertFromAnotherCaDoesNotVerify) {
  const std::string dir1 = Dir("cluster1");
  const std::string dir2 = Dir("cluster2");
  QK_ASSERT_OK(MakeClusterKeys(dir1, {"w1"}));
  QK_ASSERT_OK(MakeClusterKeys(dir2, {"w1"}));
  X509Ptr ca1 = LoadCert(Path(dir1, "ca.crt"));
  X509Ptr ca2 = LoadCert(Path(dir2, "ca.crt"));
  X509Ptr cert1 = LoadCert(Path(dir1, "w1.crt"));
  X509Ptr cert2 = LoadCert(Path(dir2, "w1.crt"));
  ASSERT_TRUE(ca1 && ca2 && cert1 && cert2);
  EXPECT_EQ(VerifyCode(cert1.get(), ca1.get()), X509_V_OK);
  EXPECT_EQ(VerifyCode(cert2.get(), ca2.get()), X509_V_OK);
  EXPECT_NE(VerifyCode(cert2.get(), ca1.get()), X509_V_OK);
  EXPECT_NE(VerifyCode(cert1.get(), ca2.get()), X509_V_OK);
  EXPECT_NE(VerifyCode(ca2.get(), ca1.get()), X509_V_OK);

  // LoadTlsFiles refuses a machine's files next to another cluster's ca.crt.
  fs::copy_file(Path(dir2, "w1.crt"), Path(dir1, "w1.crt"), fs::copy_options::overwrite_existing);
  fs::copy_file(Path(dir2, "w1.key"), Path(dir1, "w1.key"), fs::copy_options::overwrite_existing);
  Result<TlsFiles> mixed = LoadTlsFiles(dir1, "w1");
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(mixed.status().message(), Path(dir1, "w1.crt"));
  QK_EXPECT_CONTAINS(mixed.status().message(), "does not verify against the cluster CA");
}

TEST_F(TlsKeysTest, LoadTlsFilesNamesTheMissingFile) {
  const std::string dir = Dir("keys");
  QK_ASSERT_OK(MakeClusterKeys(dir, {"w1"}));

  Result<TlsFiles> unknown = LoadTlsFiles(dir, "w9");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(unknown.status().message(), Path(dir, "w9.crt"));
  QK_EXPECT_CONTAINS(unknown.status().message(), "quokka cluster keys --out");

  fs::remove(Path(dir, "w1.key"));
  Result<TlsFiles> no_key = LoadTlsFiles(dir, "w1");
  ASSERT_FALSE(no_key.ok());
  QK_EXPECT_CONTAINS(no_key.status().message(), Path(dir, "w1.key"));
  QK_EXPECT_CONTAINS(no_key.status().message(), "quokka cluster keys --out");

  fs::remove(Path(dir, "ca.crt"));
  Result<TlsFiles> no_ca = LoadTlsFiles(dir, "driver");
  ASSERT_FALSE(no_ca.ok());
  QK_EXPECT_CONTAINS(no_ca.status().message(), Path(dir, "ca.crt"));
  QK_EXPECT_CONTAINS(no_ca.status().message(), "quokka cluster keys --out");

  Result<TlsFiles> no_dir = LoadTlsFiles(Dir("nowhere"), "w1");
  ASSERT_FALSE(no_dir.ok());
  QK_EXPECT_CONTAINS(no_dir.status().message(), Path(Dir("nowhere"), "ca.crt"));
}

TEST_F(TlsKeysTest, LoadTlsFilesRefusesBadFiles) {
  const std::string dir = Dir("keys");
  QK_ASSERT_OK(MakeClusterKeys(dir, {"w1", "w2"}));

  // A key that is not the certificate's.
  fs::copy_file(Path(dir, "w2.key"), Path(dir, "w1.key"), fs::copy_options::overwrite_existing);
  Result<TlsFiles> wrong_key = LoadTlsFiles(dir, "w1");
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_EQ(wrong_key.status().code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(wrong_key.status().message(), Path(dir, "w1.key"));
  QK_EXPECT_CONTAINS(wrong_key.status().message(), "is not the private key of");

  // Not PEM at all.
  WriteAll(Path(dir, "w2.crt"), "hello\n");
  Result<TlsFiles> garbage = LoadTlsFiles(dir, "w2");
  ASSERT_FALSE(garbage.ok());
  QK_EXPECT_CONTAINS(garbage.status().message(), Path(dir, "w2.crt"));
  QK_EXPECT_CONTAINS(garbage.status().message(), "is not a PEM certificate");

  // The CA's own certificate is not a machine certificate (no DNS:quokka).
  fs::copy_file(Path(dir, "ca.crt"), Path(dir, "ca2.crt"));
  fs::copy_file(Path(dir, "ca.key"), Path(dir, "ca2.key"));
  Result<TlsFiles> ca_as_machine = LoadTlsFiles(dir, "ca2");
  ASSERT_FALSE(ca_as_machine.ok());
  QK_EXPECT_CONTAINS(ca_as_machine.status().message(), "DNS:quokka");

  EXPECT_FALSE(LoadTlsFiles(dir, "../keys/w1").ok());
  EXPECT_FALSE(LoadTlsFiles(dir, "").ok());
}

TEST_F(TlsKeysTest, InvalidNamesAreRefused) {
  const std::string dir = Dir("keys");
  struct Case {
    std::vector<std::string> names;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"w1", ""}, "empty"},
      {{"a/b"}, "contains '/'"},
      {{"../up"}, "'../up'"},
      {{".hidden"}, "starts with '.'"},
      {{".."}, "starts with '.'"},
      {{"w1", "w2", "w1"}, "'w1' is given twice"},
      {{"ca"}, "reserved"},
      {{"a,b"}, "may only contain"},
      {{"a b"}, "may only contain"},
      {{"-rf"}, "starts with '-'"},
      {{std::string(65, 'x')}, "longer than 64"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    Status status = MakeClusterKeys(dir, c.names);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), StatusCode::kInvalid);
    QK_EXPECT_CONTAINS(status.message(), c.message);
    EXPECT_FALSE(fs::exists(dir));  // nothing made
  }
  // Listing "driver" is allowed: it is made once.
  std::vector<std::string> written;
  QK_ASSERT_OK(MakeClusterKeys(dir, {"driver", "w1"}, false, &written));
  EXPECT_EQ(written.size(), 6u);
}

TEST_F(TlsKeysTest, AddingMachinesLaterReusesTheCa) {
  const std::string dir = Dir("keys");
  QK_ASSERT_OK(MakeClusterKeys(dir, {"w1", "w2"}));
  const std::string ca_key = ReadAll(Path(dir, "ca.key"));
  const std::string ca_cert = ReadAll(Path(dir, "ca.crt"));
  const std::string w1_key = ReadAll(Path(dir, "w1.key"));
  const std::string w1_cert = ReadAll(Path(dir, "w1.crt"));
  const std::string driver_cert = ReadAll(Path(dir, "driver.crt"));

  // w3 is new; w1 and the driver are kept.
  std::vector<std::string> written;
  QK_ASSERT_OK(MakeClusterKeys(dir, {"w1", "w3"}, false, &written));
  EXPECT_EQ(written, (std::vector<std::string>{Path(dir, "w3.key"), Path(dir, "w3.crt")}));
  EXPECT_EQ(ReadAll(Path(dir, "ca.key")), ca_key);
  EXPECT_EQ(ReadAll(Path(dir, "ca.crt")), ca_cert);
  EXPECT_EQ(ReadAll(Path(dir, "w1.key")), w1_key);
  EXPECT_EQ(ReadAll(Path(dir, "w1.crt")), w1_cert);
  EXPECT_EQ(ReadAll(Path(dir, "driver.crt")), driver_cert);
  EXPECT_EQ(Mode(Path(dir, "w3.key")), 0600u);

  X509Ptr ca = LoadCert(Path(dir, "ca.crt"));
  X509Ptr w3 = LoadCert(Path(dir, "w3.crt"));
  ASSERT_TRUE(ca && w3);
  EXPECT_EQ(VerifyCode(w3.get(), ca.get()), X509_V_OK);
  EXPECT_EQ(X509_check_issued(ca.get(), w3.get()), X509_V_OK);
  for (const std::string& name : std::vector<std::string>{"w1", "w2", "w3", "driver"}) {
    QK_EXPECT_OK(LoadTlsFiles(dir, name));
  }

  // A machine with only half of its files is refused rather than silently replaced.
  fs::remove(Path(dir, "w2.crt"));
  Status half = MakeClusterKeys(dir, {"w2", "w4"});
  ASSERT_FALSE(half.ok());
  QK_EXPECT_CONTAINS(half.message(), Path(dir, "w2.key"));
  EXPECT_FALSE(fs::exists(Path(dir, "w4.key")));
}

TEST_F(TlsKeysTest, OverwriteNeedsTheFlag) {
  const std::string dir = Dir("keys");
  QK_ASSERT_OK(MakeClusterKeys(dir, {"w1"}));
  const std::string ca_key = ReadAll(Path(dir, "ca.key"));
  const std::string ca_cert = ReadAll(Path(dir, "ca.crt"));
  const std::string w1_cert = ReadAll(Path(dir, "w1.crt"));

  Status again = MakeClusterKeys(dir, {"w1"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(again.message(), "--force");
  QK_EXPECT_CONTAINS(again.message(), Path(dir, "ca.key"));
  EXPECT_EQ(ReadAll(Path(dir, "ca.key")), ca_key);
  EXPECT_EQ(ReadAll(Path(dir, "w1.crt")), w1_cert);

  // Half a CA is not silently replaced either.
  fs::remove(Path(dir, "ca.crt"));
  Status half_ca = MakeClusterKeys(dir, {"w2"});
  ASSERT_FALSE(half_ca.ok());
  QK_EXPECT_CONTAINS(half_ca.message(), "--force");
  EXPECT_EQ(ReadAll(Path(dir, "ca.key")), ca_key);
  WriteAll(Path(dir, "ca.crt"), ca_cert);

  // Machine files without a CA are not silently replaced.
  const std::string other = Dir("other");
  QK_ASSERT_OK(MakeClusterKeys(other, {"w1"}));
  fs::remove(Path(other, "ca.key"));
  fs::remove(Path(other, "ca.crt"));
  Status orphans = MakeClusterKeys(other, {"w1"});
  ASSERT_FALSE(orphans.ok());
  QK_EXPECT_CONTAINS(orphans.message(), "--force");

  // With the flag: a new CA; the old certificate no longer verifies against it.
  std::vector<std::string> written;
  QK_ASSERT_OK(MakeClusterKeys(dir, {"w1"}, /*overwrite=*/true, &written));
  EXPECT_EQ(written.size(), 6u);
  EXPECT_NE(ReadAll(Path(dir, "ca.key")), ca_key);
  EXPECT_NE(ReadAll(Path(dir, "ca.crt")), ca_cert);
  EXPECT_EQ(Mode(Path(dir, "ca.key")), 0600u);
  EXPECT_EQ(Mode(Path(dir, "w1.key")), 0600u);
  X509Ptr new_ca = LoadCert(Path(dir, "ca.crt"));
  BioPtr bio(BIO_new_mem_buf(w1_cert.data(), static_cast<int>(w1_cert.size())));
  X509Ptr old_w1(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(new_ca && old_w1);
  EXPECT_NE(VerifyCode(old_w1.get(), new_ca.get()), X509_V_OK);
  QK_EXPECT_OK(LoadTlsFiles(dir, "w1"));
  QK_ASSERT_OK(MakeClusterKeys(other, {"w1"}, /*overwrite=*/true));
  QK_EXPECT_OK(LoadTlsFiles(other, "w1"));
}

}  // namespace
}  // namespace quokka::dist
