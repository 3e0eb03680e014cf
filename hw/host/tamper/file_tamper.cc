#include "hw/host/file_tamper.h"

#include <sys/stat.h>

namespace pki::hw::host {

TamperState FileTamper::Poll() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) latched_ = true;
  return latched_ ? TamperState::kTriggered : TamperState::kClear;
}

}  // namespace pki::hw::host
