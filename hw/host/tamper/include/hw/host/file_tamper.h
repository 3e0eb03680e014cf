// file_tamper.h — Tamper for appliance-sim: the "case switch" is a file.
// Creating the file (e.g. `touch STATE_DIR/tamper`) trips the sensor.
#ifndef PKI_HW_HOST_FILE_TAMPER_H_
#define PKI_HW_HOST_FILE_TAMPER_H_

#include <string>

#include "hw/tamper.h"

namespace pki::hw::host {

class FileTamper final : public Tamper {
 public:
  // Watches |path|; copies it.
  explicit FileTamper(std::string path) : path_(std::move(path)) {}
  // kTriggered once |path| exists (latched: removing the file does not
  // clear it).
  TamperState Poll() override;

 private:
  std::string path_;
  bool latched_ = false;
};

}  // namespace pki::hw::host

#endif  // PKI_HW_HOST_FILE_TAMPER_H_
