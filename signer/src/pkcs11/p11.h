// p11.h — the one include of the PKCS#11 API (p11-kit's pkcs11.h, the
// standard "compat" names: CK_RV, CK_ATTRIBUTE{type,pValue,ulValueLen}...).
#ifndef PKI_SIGNER_SRC_PKCS11_P11_H_
#define PKI_SIGNER_SRC_PKCS11_P11_H_

#include <p11-kit/pkcs11.h>

#endif  // PKI_SIGNER_SRC_PKCS11_P11_H_
