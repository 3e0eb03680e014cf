// file.h — small file helpers for host tools, with least-privilege modes.
#ifndef PKI_COMMON_FILE_H_
#define PKI_COMMON_FILE_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status_or.h"
#include "common/secret_buffer.h"

namespace pki {

// ReadFile returns the whole file at |path|; NOT_FOUND or INTERNAL naming the
// path and errno text on failure. Refuses files over |max_size| bytes with
// INVALID_ARGUMENT.
StatusOr<std::string> ReadFile(const std::string& path, size_t max_size = 64u << 20);

// ReadSecretFile reads a PIN or passphrase file into a zeroizing buffer,
// dropping one trailing newline. Fails with PERMISSION_DENIED if the file is
// readable or writable by group or others (mode must be 0600 or stricter).
StatusOr<SecretBuffer> ReadSecretFile(const std::string& path);

// WriteFileAtomic writes |data| to |path| through a temporary file in the same
// folder, fsyncs it, renames it into place and fsyncs the folder: readers see
// the old file or the new one, never a half-written one. The file gets |mode|.
Status WriteFileAtomic(const std::string& path, ByteSpan data, mode_t mode = 0600);

// MakePrivateDir creates |path| (and parents) with mode 0700 if missing; fails
// if it exists with group/other access.
Status MakePrivateDir(const std::string& path);

}  // namespace pki

#endif  // PKI_COMMON_FILE_H_
