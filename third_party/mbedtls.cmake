# third_party/mbedtls.cmake — mbedTLS 2.28 (crypto + X.509 only, no TLS) from
# Debian's source package, built with the appliance's own configuration
# (appliance/config/mbedtls_config.h). Debian's prebuilt libmbedtls has another
# configuration (filesystem, OS entropy, OS time), so it is never used.
#
# Third-party code: plain add_library, so our -Werror warning set is not
# applied (PkiHelpers only adds it to pki_* targets).

file(GLOB _mbedtls_dirs LIST_DIRECTORIES true ${PKI_DEPS_SRC}/mbedtls-*)
list(FILTER _mbedtls_dirs EXCLUDE REGEX "\\.(tar|dsc|xz|gz)")
if(NOT _mbedtls_dirs)
  message(FATAL_ERROR "mbedTLS sources missing in ${PKI_DEPS_SRC}: run scripts/bootstrap.sh")
endif()
list(GET _mbedtls_dirs 0 MBEDTLS_SRC_DIR)

# libmbedcrypto + libmbedx509 sources. TLS (ssl_*), sockets, timing and the
# TLS debug module are left out; what the config disables compiles to nothing.
file(GLOB _mbedtls_sources ${MBEDTLS_SRC_DIR}/library/*.c)
list(FILTER _mbedtls_sources EXCLUDE REGEX "/(ssl_[a-z0-9_]*|net_sockets|timing|debug|mps_[a-z_]*|psa_[a-z_]*)\\.c$")

set(PKI_MBEDTLS_CONFIG_DIR ${PROJECT_SOURCE_DIR}/appliance/config)
add_library(pki_mbedtls STATIC ${_mbedtls_sources})
# Our config header's folder first, then mbedTLS's public headers. SYSTEM so
# its headers do not trip our warnings in the code that includes them.
target_include_directories(pki_mbedtls SYSTEM PUBLIC ${PKI_MBEDTLS_CONFIG_DIR} ${MBEDTLS_SRC_DIR}/include)
target_include_directories(pki_mbedtls PRIVATE ${MBEDTLS_SRC_DIR}/library)
target_compile_definitions(pki_mbedtls PUBLIC MBEDTLS_CONFIG_FILE="mbedtls_config.h")
# Rebuild everything when the config changes.
set_source_files_properties(${_mbedtls_sources} PROPERTIES
  OBJECT_DEPENDS ${PKI_MBEDTLS_CONFIG_DIR}/mbedtls_config.h)
add_library(pki::mbedtls ALIAS pki_mbedtls)
