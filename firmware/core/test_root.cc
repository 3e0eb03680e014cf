#include "firmware/core/test_root.h"

#include <array>
#include <optional>

#include "ca/root.h"
#include "ca/serial.h"
#include "ca/sign.h"
#include "crypto/drbg.h"
#include "crypto/keypair.h"

namespace pki::firmware {

StatusOr<size_t> MakeTestRoot(hw::EntropySource& entropy, MutableByteSpan out_der) {
  namespace crypto = appliance::crypto;
  namespace ca = appliance::ca;
  std::optional<crypto::Drbg> drbg;
  PKI_RETURN_IF_ERROR(crypto::Drbg::Create(entropy, AsBytes("pki-firmware-test-root"), drbg));
  PKI_ASSIGN_OR_RETURN(crypto::KeyPair key, crypto::KeyPair::Generate(crypto::KeyAlgorithm::kEcP384, *drbg));
  PKI_ASSIGN_OR_RETURN(ca::Serial serial, ca::GenerateSerial(*drbg));
  const ca::RootSpec spec{kTestRootSubject, kTestRootNotBefore, kTestRootNotAfter, -1};
  std::array<uint8_t, 1024> tbs{};
  PKI_ASSIGN_OR_RETURN(size_t tbs_size, ca::BuildRootTbs(spec, serial, key, tbs));
  return ca::SignCertificate(key, *drbg, ByteSpan(tbs.data(), tbs_size), out_der);
}

}  // namespace pki::firmware
