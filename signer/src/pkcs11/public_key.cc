#include "public_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <cstring>

#include "common/ossl.h"

namespace pki::signer::internal {
namespace {

struct ParamBldDeleter {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};

// UnwrapOctetString returns the content of a DER OCTET STRING if |in| is
// exactly one and its content has |want| bytes (0: any); else |in| itself.
ByteSpan UnwrapOctetString(ByteSpan in, size_t want) {
  if (in.size() < 2 || in[0] != 0x04) return in;
  size_t len = 0;
  size_t hdr = 2;
  if (in[1] < 0x80) {
    len = in[1];
  } else if (in[1] == 0x81 && in.size() >= 3) {
    len = in[2];
    hdr = 3;
  } else if (in[1] == 0x82 && in.size() >= 4) {
    len = (static_cast<size_t>(in[2]) << 8) | in[3];
    hdr = 4;
  } else {
    return in;
  }
  if (hdr + len != in.size()) return in;
  if (want != 0 && len != want) return in;
  return in.subspan(hdr);
}

StatusOr<std::string> SpkiOf(EVP_PKEY& pkey) {
  int n = i2d_PUBKEY(&pkey, nullptr);
  if (n <= 0) return OsslError(StatusCode::kInternal, "i2d_PUBKEY");
  std::string der(static_cast<size_t>(n), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_PUBKEY(&pkey, &p) != n) return OsslError(StatusCode::kInternal, "i2d_PUBKEY");
  return der;
}

StatusOr<std::string> SpkiFromParams(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return OsslError(StatusCode::kInternal, "OSSL_PARAM_BLD_to_param");
  OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return OsslError(StatusCode::kInternal, "EVP_PKEY_fromdata_init");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return OsslError(StatusCode::kInvalidArgument, "public key attributes do not form a key");
  }
  OsslPtr<EVP_PKEY> pkey(raw);
  return SpkiOf(*pkey);
}

}  // namespace

StatusOr<PublicKey> EcPublicKey(ByteSpan ec_params, ByteSpan ec_point) {
  const unsigned char* p = ec_params.data();
  ASN1_OBJECT* obj = d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(ec_params.size()));
  if (obj == nullptr) {
    OpenSslErrors();
    return InvalidArgumentError("CKA_EC_PARAMS is not a named curve OID");
  }
  int nid = OBJ_obj2nid(obj);
  ASN1_OBJECT_free(obj);
  PublicKey out;
  const char* group = nullptr;
  size_t field = 0;
  if (nid == NID_X9_62_prime256v1) {
    out.kind = KeyKind::kEcP256;
    group = SN_X9_62_prime256v1;
    field = 32;
  } else if (nid == NID_secp384r1) {
    out.kind = KeyKind::kEcP384;
    group = SN_secp384r1;
    field = 48;
  } else {
    return InvalidArgumentError("unsupported EC curve (want P-256 or P-384)");
  }
  out.bits = static_cast<uint32_t>(field * 8);
  ByteSpan point = UnwrapOctetString(ec_point, 2 * field + 1);
  if (point.size() != 2 * field + 1 || point[0] != 0x04) {
    return InvalidArgumentError("CKA_EC_POINT is not an uncompressed point of the curve");
  }
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return OsslError(StatusCode::kInternal, "OSSL_PARAM_BLD");
  }
  PKI_ASSIGN_OR_RETURN(out.spki_der, SpkiFromParams("EC", bld.get()));
  return out;
}

StatusOr<PublicKey> EdPublicKey(ByteSpan ec_params, ByteSpan ec_point) {
  static const uint8_t kOid[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
  static const uint8_t kGnuOid[] = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01};
  static const uint8_t kName[] = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9'};
  auto is = [&](const uint8_t* want, size_t n) {
    return ec_params.size() == n && std::memcmp(ec_params.data(), want, n) == 0;
  };
  if (!is(kOid, sizeof(kOid)) && !is(kGnuOid, sizeof(kGnuOid)) && !is(kName, sizeof(kName))) {
    return InvalidArgumentError("unsupported EdDSA curve (want Ed25519)");
  }
  ByteSpan point = UnwrapOctetString(ec_point, 32);
  if (point.size() != 32) return InvalidArgumentError("CKA_EC_POINT is not an Ed25519 key");
  OsslPtr<EVP_PKEY> pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, point.data(), point.size()));
  if (!pkey) return OsslError(StatusCode::kInvalidArgument, "Ed25519 public key");
  PublicKey out;
  out.kind = KeyKind::kEd25519;
  out.bits = 256;
  PKI_ASSIGN_OR_RETURN(out.spki_der, SpkiOf(*pkey));
  return out;
}

StatusOr<PublicKey> RsaPublicKey(ByteSpan modulus, ByteSpan exponent) {
  OsslPtr<BIGNUM> n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  OsslPtr<BIGNUM> e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
  if (!n || !e) return OsslError(StatusCode::kInternal, "BN_bin2bn");
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return OsslError(StatusCode::kInternal, "OSSL_PARAM_BLD");
  }
  PublicKey out;
  out.kind = KeyKind::kRsa;
  out.bits = static_cast<uint32_t>(BN_num_bits(n.get()));
  if (out.bits < 2048) return InvalidArgumentError("RSA key shorter than 2048 bits");
  PKI_ASSIGN_OR_RETURN(out.spki_der, SpkiFromParams("RSA", bld.get()));
  return out;
}

StatusOr<std::string> EcdsaRawToDer(ByteSpan raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    return InvalidArgumentError("ECDSA signature from the HSM has an odd length");
  }
  size_t half = raw.size() / 2;
  OsslPtr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return OsslError(StatusCode::kInternal, "ECDSA_SIG_set0");
  }
  int n = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (n <= 0) return OsslError(StatusCode::kInternal, "i2d_ECDSA_SIG");
  std::string der(static_cast<size_t>(n), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  i2d_ECDSA_SIG(sig.get(), &p);
  return der;
}

bool SameKey(const std::string& spki_a, const std::string& spki_b) {
  auto parse = [](const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    return OsslPtr<EVP_PKEY>(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  };
  OsslPtr<EVP_PKEY> a = parse(spki_a);
  OsslPtr<EVP_PKEY> b = parse(spki_b);
  bool same = a && b && EVP_PKEY_eq(a.get(), b.get()) == 1;
  OpenSslErrors();
  return same;
}

}  // namespace pki::signer::internal
