#include "software_key_pool.h"

#include <openssl/rsa.h>

#include <algorithm>
#include <thread>

#include "audit/audit_record.h"

namespace pki::testing {

using signer::KeyHealth;
using signer::SignAlgorithm;

std::string SoftwareKeyPool::AddKey(const std::string& name, uint32_t version, signer::KeyPurpose purpose,
                                    SoftKeyType type) {
  Key k;
  switch (type) {
    case SoftKeyType::kEcP256:
      k.pkey.reset(EVP_EC_gen("P-256"));
      k.info.algorithms = {SignAlgorithm::kEcdsaP256Sha256};
      break;
    case SoftKeyType::kRsa2048:
      k.pkey.reset(EVP_RSA_gen(2048));
      k.info.algorithms = {SignAlgorithm::kRsaPkcs1Sha256, SignAlgorithm::kRsaPkcs1Sha384,
                           SignAlgorithm::kRsaPkcs1Sha512, SignAlgorithm::kRsaPssSha256,
                           SignAlgorithm::kRsaPssSha384,   SignAlgorithm::kRsaPssSha512};
      break;
    case SoftKeyType::kEd25519:
      k.pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
      k.info.algorithms = {SignAlgorithm::kEd25519};
      break;
  }
  PKI_CHECK(k.pkey != nullptr);
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(k.pkey.get(), &der);
  PKI_CHECK(n > 0);
  k.info.spki_der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  k.info.key_name = name;
  k.info.version = version;
  k.info.purpose = purpose;
  k.info.key_id_hex = signer::HexOf(signer::HashLine(k.info.spki_der)).substr(0, 16);
  k.info.replicas_total = 1;
  k.info.replicas_healthy = 1;
  const std::string spki = k.info.spki_der;
  std::lock_guard<std::mutex> lock(mu_);
  keys_[{name, version}] = std::move(k);
  primary_[name] = version;
  return spki;
}

void SoftwareKeyPool::SetUnavailable(const std::string& name, bool unavailable) {
  std::lock_guard<std::mutex> lock(mu_);
  unavailable_[name] = unavailable;
}

SoftwareKeyPool::Key* SoftwareKeyPool::Find(std::string_view name, uint32_t version) {
  auto p = primary_.find(name);
  if (p == primary_.end()) return nullptr;
  auto it = keys_.find({std::string(name), version == 0 ? p->second : version});
  return it == keys_.end() ? nullptr : &it->second;
}

void SoftwareKeyPool::SetChain(const std::string& name, uint32_t version, std::vector<std::string> chain_der) {
  std::lock_guard<std::mutex> lock(mu_);
  Key* k = Find(name, version);
  PKI_CHECK(k != nullptr);
  k->info.chain_der = std::move(chain_der);
}

StatusOr<signer::KeyVersionInfo> SoftwareKeyPool::Describe(std::string_view name, uint32_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  Key* k = Find(name, version);
  if (k == nullptr) return NotFoundError("no such key version");
  signer::KeyVersionInfo info = k->info;
  auto u = unavailable_.find(name);
  if (u != unavailable_.end() && u->second) {
    info.health = KeyHealth::kUnavailable;
    info.replicas_healthy = 0;
  }
  return info;
}

std::vector<signer::KeyVersionInfo> SoftwareKeyPool::List() {
  std::vector<signer::KeyVersionInfo> out;
  std::vector<std::pair<std::string, uint32_t>> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, k] : keys_) ids.push_back(id);
  }
  for (const auto& [name, version] : ids) out.push_back(*Describe(name, version));
  return out;
}

StatusOr<signer::SignResult> SoftwareKeyPool::Sign(std::string_view name, uint32_t version,
                                                   SignAlgorithm alg, ByteSpan input,
                                                   std::chrono::milliseconds, std::string* out_detail) {
  ++sign_calls_;
  if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
  std::lock_guard<std::mutex> lock(mu_);
  Key* k = Find(name, version);
  if (k == nullptr) return NotFoundError("no such key version");
  auto u = unavailable_.find(name);
  if (u != unavailable_.end() && u->second) {
    // What a dead token looks like from the pool: the detail is for the audit log only.
    if (out_detail != nullptr) *out_detail = "C_Sign: CKR_DEVICE_ERROR on pkcs11:token=soft-a";
    return UnavailableError("C_Sign: CKR_DEVICE_ERROR on pkcs11:token=soft-a");
  }
  if (std::find(k->info.algorithms.begin(), k->info.algorithms.end(), alg) == k->info.algorithms.end()) {
    return InvalidArgumentError("algorithm not supported by key");
  }
  if (alg != SignAlgorithm::kEd25519 && input.size() != signer::DigestLength(alg)) {
    return InvalidArgumentError("digest length");
  }
  std::string sig;
  size_t len = 0;
  if (alg == SignAlgorithm::kEd25519) {
    OsslPtr<EVP_MD_CTX> md(EVP_MD_CTX_new());
    PKI_CHECK(EVP_DigestSignInit(md.get(), nullptr, nullptr, nullptr, k->pkey.get()) == 1);
    PKI_CHECK(EVP_DigestSign(md.get(), nullptr, &len, input.data(), input.size()) == 1);
    sig.resize(len);
    PKI_CHECK(EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, input.data(),
                             input.size()) == 1);
  } else {
    OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(k->pkey.get(), nullptr));
    PKI_CHECK(EVP_PKEY_sign_init(ctx.get()) == 1);
    const EVP_MD* hash = signer::DigestLength(alg) == 32 ? EVP_sha256()
                         : signer::DigestLength(alg) == 48 ? EVP_sha384() : EVP_sha512();
    const bool pss = alg == SignAlgorithm::kRsaPssSha256 || alg == SignAlgorithm::kRsaPssSha384 ||
                     alg == SignAlgorithm::kRsaPssSha512;
    const bool rsa = pss || alg == SignAlgorithm::kRsaPkcs1Sha256 || alg == SignAlgorithm::kRsaPkcs1Sha384 ||
                     alg == SignAlgorithm::kRsaPkcs1Sha512;
    if (rsa) {
      PKI_CHECK(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) == 1);
      PKI_CHECK(EVP_PKEY_CTX_set_signature_md(ctx.get(), hash) == 1);
      if (pss) {
        PKI_CHECK(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST) == 1);
        PKI_CHECK(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), hash) == 1);
      }
    }
    PKI_CHECK(EVP_PKEY_sign(ctx.get(), nullptr, &len, input.data(), input.size()) == 1);
    sig.resize(len);
    PKI_CHECK(EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, input.data(),
                            input.size()) == 1);
    sig.resize(len);
  }
  return signer::SignResult{sig, k->info.version, "soft:" + std::string(name)};
}

}  // namespace pki::testing
