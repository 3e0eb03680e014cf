#include "crypto/drbg.h"

#include <algorithm>

#include "base/secret.h"
#include "crypto/heap.h"
#include "crypto/mbedtls_status.h"

namespace pki::appliance::crypto {
namespace {

constexpr size_t kMaxPersonalization = 128;

// Entropy callback registered with mbedtls_entropy_add_source: |p_source| is
// the hw::EntropySource* of this Drbg (no global).
int HalEntropyPoll(void* p_source, unsigned char* out, size_t length, size_t* out_length) {
  auto* source = static_cast<hw::EntropySource*>(p_source);
  Status s = source->Fill(MutableByteSpan(out, length));
  if (!s.ok()) {
    SecureZero(out, length);
    *out_length = 0;
    return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
  }
  *out_length = length;
  return 0;
}

}  // namespace

Drbg::Drbg(Token) {
  mbedtls_entropy_init(&entropy_);
  mbedtls_ctr_drbg_init(&ctr_drbg_);
}

Drbg::~Drbg() {
  mbedtls_ctr_drbg_free(&ctr_drbg_);  // zeroizes the AES key and V
  mbedtls_entropy_free(&entropy_);    // zeroizes the accumulator
}

Status Drbg::Create(hw::EntropySource& source, ByteSpan personalization, std::optional<Drbg>& out) {
  out.reset();
  InitPool();
#if PKI_PRODUCTION_BUILD
  if (source.IsTestOnly()) {
    return FailedPreconditionError("DRBG: production build refuses a test-only entropy source");
  }
#endif
  if (personalization.size() > kMaxPersonalization) {
    return InvalidArgumentError("DRBG: personalization longer than 128 bytes");
  }
  out.emplace(Token());
  Drbg& d = *out;
  // 32 bytes per poll; the accumulator (SHA-512) must see at least 32 bytes
  // from this strong source before it releases output.
  int ret = mbedtls_entropy_add_source(&d.entropy_, HalEntropyPoll, &source, 32,
                                       MBEDTLS_ENTROPY_SOURCE_STRONG);
  if (ret == 0) {
    ret = mbedtls_ctr_drbg_seed(&d.ctr_drbg_, mbedtls_entropy_func, &d.entropy_,
                                personalization.data(), personalization.size());
  }
  if (ret != 0) {
    out.reset();
    return internal::MbedtlsStatus(ret, StatusCode::kUnavailable, "DRBG: seeding failed");
  }
  // Reseed well before the SP 800-90A limit; the HAL source is cheap.
  mbedtls_ctr_drbg_set_reseed_interval(&d.ctr_drbg_, 1024);
  mbedtls_ctr_drbg_set_prediction_resistance(&d.ctr_drbg_, MBEDTLS_CTR_DRBG_PR_OFF);
  return OkStatus();
}

Status Drbg::Generate(MutableByteSpan out) {
  size_t done = 0;
  while (done < out.size()) {
    const size_t chunk = std::min<size_t>(out.size() - done, MBEDTLS_CTR_DRBG_MAX_REQUEST);
    const int ret = mbedtls_ctr_drbg_random(&ctr_drbg_, out.data() + done, chunk);
    if (ret != 0) {
      SecureZero(out.data(), out.size());
      return internal::MbedtlsStatus(ret, StatusCode::kUnavailable, "DRBG: generate failed");
    }
    done += chunk;
  }
  return OkStatus();
}

Status Drbg::Reseed(ByteSpan additional) {
  const int ret = mbedtls_ctr_drbg_reseed(&ctr_drbg_, additional.data(), additional.size());
  return internal::MbedtlsStatus(ret, StatusCode::kUnavailable, "DRBG: reseed failed");
}

int Drbg::Rng(void* p_rng, unsigned char* out, size_t length) {
  Status s = static_cast<Drbg*>(p_rng)->Generate(MutableByteSpan(out, length));
  return s.ok() ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

}  // namespace pki::appliance::crypto
