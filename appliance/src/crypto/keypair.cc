#include "crypto/keypair.h"

#include <cstring>

#include "crypto/heap.h"
#include "crypto/mbedtls_status.h"
#include "mbedtls/bignum.h"
#include "mbedtls/ecp.h"
#include "mbedtls/rsa.h"

namespace pki::appliance::crypto {

const char* KeyAlgorithmName(KeyAlgorithm alg) {
  switch (alg) {
    case KeyAlgorithm::kEcP256: return "EC-P256";
    case KeyAlgorithm::kEcP384: return "EC-P384";
    case KeyAlgorithm::kRsa2048: return "RSA-2048";
    case KeyAlgorithm::kRsa3072: return "RSA-3072";
    case KeyAlgorithm::kRsa4096: return "RSA-4096";
  }
  return "unknown key algorithm";
}

bool IsRsa(KeyAlgorithm alg) {
  return alg == KeyAlgorithm::kRsa2048 || alg == KeyAlgorithm::kRsa3072 || alg == KeyAlgorithm::kRsa4096;
}

namespace internal {

StatusOr<KeyAlgorithm> ClassifyKey(const mbedtls_pk_context& pk) {
  const mbedtls_pk_type_t type = mbedtls_pk_get_type(&pk);
  if (type == MBEDTLS_PK_RSA) {
    switch (mbedtls_pk_get_bitlen(&pk)) {
      case 2048: return KeyAlgorithm::kRsa2048;
      case 3072: return KeyAlgorithm::kRsa3072;
      case 4096: return KeyAlgorithm::kRsa4096;
      default: return InvalidArgumentError("key: RSA modulus must be 2048, 3072 or 4096 bits");
    }
  }
  if (type == MBEDTLS_PK_ECKEY || type == MBEDTLS_PK_ECDSA) {
    const mbedtls_ecp_keypair* ec = mbedtls_pk_ec(pk);
    KeyAlgorithm alg;
    if (ec->grp.id == MBEDTLS_ECP_DP_SECP256R1) {
      alg = KeyAlgorithm::kEcP256;
    } else if (ec->grp.id == MBEDTLS_ECP_DP_SECP384R1) {
      alg = KeyAlgorithm::kEcP384;
    } else {
      return InvalidArgumentError("key: EC curve must be P-256 or P-384");
    }
    if (mbedtls_ecp_check_pubkey(&ec->grp, &ec->Q) != 0) {
      return InvalidArgumentError("key: EC public point is not on the curve");
    }
    return alg;
  }
  return InvalidArgumentError("key: algorithm must be RSA or EC");
}

}  // namespace internal

namespace {

StatusOr<size_t> WriteSpkiOf(mbedtls_pk_context* pk, MutableByteSpan out) {
  uint8_t buf[kMaxSpkiDer];
  const int ret = mbedtls_pk_write_pubkey_der(pk, buf, sizeof(buf));
  if (ret < 0) return internal::MbedtlsStatus(ret, StatusCode::kInternal, "key: SPKI export failed");
  const size_t n = static_cast<size_t>(ret);
  if (out.size() < n) return OutOfRangeError("key: SPKI output buffer too small");
  std::memcpy(out.data(), buf + sizeof(buf) - n, n);
  return n;
}

}  // namespace

// ---- PublicKey ----------------------------------------------------------------

PublicKey::PublicKey() { mbedtls_pk_init(&pk_); }
PublicKey::~PublicKey() { mbedtls_pk_free(&pk_); }
PublicKey::PublicKey(PublicKey&& other) noexcept : pk_(other.pk_), alg_(other.alg_) {
  mbedtls_pk_init(&other.pk_);
}
PublicKey& PublicKey::operator=(PublicKey&& other) noexcept {
  if (this != &other) {
    mbedtls_pk_free(&pk_);
    pk_ = other.pk_;
    alg_ = other.alg_;
    mbedtls_pk_init(&other.pk_);
  }
  return *this;
}

StatusOr<PublicKey> PublicKey::FromSpki(ByteSpan spki_der) {
  InitPool();
  PublicKey key;
  const int ret = mbedtls_pk_parse_public_key(&key.pk_, spki_der.data(), spki_der.size());
  if (ret != 0) return internal::MbedtlsStatus(ret, StatusCode::kInvalidArgument, "key: SPKI does not parse");
  PKI_ASSIGN_OR_RETURN(key.alg_, internal::ClassifyKey(key.pk_));
  return key;
}

StatusOr<size_t> PublicKey::WriteSpki(MutableByteSpan out) const { return WriteSpkiOf(&pk_, out); }

// ---- KeyPair ------------------------------------------------------------------

KeyPair::KeyPair() { mbedtls_pk_init(&pk_); }
KeyPair::~KeyPair() { mbedtls_pk_free(&pk_); }  // mbedTLS wipes the private values
KeyPair::KeyPair(KeyPair&& other) noexcept : pk_(other.pk_), alg_(other.alg_) { mbedtls_pk_init(&other.pk_); }
KeyPair& KeyPair::operator=(KeyPair&& other) noexcept {
  if (this != &other) {
    mbedtls_pk_free(&pk_);
    pk_ = other.pk_;
    alg_ = other.alg_;
    mbedtls_pk_init(&other.pk_);
  }
  return *this;
}

StatusOr<KeyPair> KeyPair::Generate(KeyAlgorithm alg, Drbg& drbg) {
  InitPool();
  KeyPair key;
  key.alg_ = alg;
  int ret = 0;
  switch (alg) {
    case KeyAlgorithm::kEcP256:
    case KeyAlgorithm::kEcP384: {
      ret = mbedtls_pk_setup(&key.pk_, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
      if (ret != 0) break;
      const mbedtls_ecp_group_id grp =
          alg == KeyAlgorithm::kEcP256 ? MBEDTLS_ECP_DP_SECP256R1 : MBEDTLS_ECP_DP_SECP384R1;
      ret = mbedtls_ecp_gen_key(grp, mbedtls_pk_ec(key.pk_), Drbg::Rng, &drbg);
      break;
    }
    case KeyAlgorithm::kRsa3072:
    case KeyAlgorithm::kRsa4096: {
      ret = mbedtls_pk_setup(&key.pk_, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
      if (ret != 0) break;
      const unsigned bits = alg == KeyAlgorithm::kRsa3072 ? 3072u : 4096u;
      ret = mbedtls_rsa_gen_key(mbedtls_pk_rsa(key.pk_), Drbg::Rng, &drbg, bits, 65537);
      break;
    }
    case KeyAlgorithm::kRsa2048:
      return InvalidArgumentError("keygen: RSA-2048 keys are accepted in CSRs only, never generated");
  }
  if (ret != 0) return internal::MbedtlsStatus(ret, StatusCode::kInternal, "keygen failed");
  return key;
}

StatusOr<KeyPair> KeyPair::FromPrivateDer(ByteSpan der) {
  InitPool();
  KeyPair key;
  int ret = mbedtls_pk_parse_key(&key.pk_, der.data(), der.size(), nullptr, 0);
  if (ret != 0) return internal::MbedtlsStatus(ret, StatusCode::kInvalidArgument, "key: private key does not parse");
  PKI_ASSIGN_OR_RETURN(key.alg_, internal::ClassifyKey(key.pk_));
  if (key.alg_ == KeyAlgorithm::kRsa2048) return InvalidArgumentError("key: RSA-2048 private keys are not used");
  // Recomputes the public half from the private one (RSA: CRT consistency).
  ret = mbedtls_pk_check_pair(&key.pk_, &key.pk_);
  if (ret != 0) return InvalidArgumentError("key: private and public halves are inconsistent");
  return key;
}

Status KeyPair::SerializePrivate(PrivateKeyDer& out) const {
  PKI_RETURN_IF_ERROR(out.Resize(kMaxPrivateKeyDer));
  MutableByteSpan buf = out.Mutable(SecretAccess::Grant());
  const int ret = mbedtls_pk_write_key_der(&pk_, buf.data(), buf.size());
  if (ret < 0) {
    out.Clear();
    return internal::MbedtlsStatus(ret, StatusCode::kInternal, "key: private key export failed");
  }
  const size_t n = static_cast<size_t>(ret);
  std::memmove(buf.data(), buf.data() + buf.size() - n, n);  // mbedTLS writes at the end
  PKI_RETURN_IF_ERROR(out.Resize(n));                         // wipes the tail
  return OkStatus();
}

StatusOr<size_t> KeyPair::WriteSpki(MutableByteSpan out) const { return WriteSpkiOf(&pk_, out); }

StatusOr<PublicKey> KeyPair::Public() const {
  uint8_t spki[kMaxSpkiDer];
  PKI_ASSIGN_OR_RETURN(const size_t n, WriteSpki(spki));
  return PublicKey::FromSpki(ByteSpan(spki, n));
}

}  // namespace pki::appliance::crypto
