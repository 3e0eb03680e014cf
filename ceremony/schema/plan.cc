#include "ceremony/schema/plan.h"

#include "ceremony/fingerprint/fingerprint.h"

namespace pki::ceremony {
namespace {

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out.empty() ? "(none)" : out;
}

std::string Kind(v1::ApplianceKind kind) {
  switch (kind) {
    case v1::APPLIANCE_KIND_PRODUCTION:
      return "production build";
    case v1::APPLIANCE_KIND_SIMULATOR:
      return "simulator/test build";
    default:
      return "any build";
  }
}

std::string Or(const std::string& value, const std::string& fallback) {
  return value.empty() ? fallback : value;
}

}  // namespace

std::string DescribeStep(const Script& script, int index) {
  const v1::Script& s = script.proto();
  if (index < 0 || index >= s.steps_size()) return "";
  const v1::Step& st = s.steps(index);
  const std::string who = st.confirmed_by().empty() ? "" : " [confirmed by " + st.confirmed_by() + "]";
  auto op_id = [&](const std::string& ref) { return "'" + ref + "'"; };
  switch (st.action_case()) {
    case v1::Step::kCheckAttendance: {
      std::string out = "Check attendance: everyone named in roles is present";
      if (st.check_attendance().may_be_absent_size() > 0) {
        out += " (may be absent: " + Join(st.check_attendance().may_be_absent()) + ")";
      }
      return out + who;
    }
    case v1::Step::kVerifyAppliance: {
      const auto& v = st.verify_appliance();
      return "Verify the appliance: device id " + Or(v.device_id(), "(shown)") + ", firmware " +
             Or(v.firmware_version(), "(shown)") + ", " + Kind(v.kind()) + ", root certificate " +
             Or(v.root_cert_sha256(), "(shown)") + who;
    }
    case v1::Step::kInitRoot: {
      const auto& p = st.init_root();
      return "IRREVERSIBLE: create root key '" + p.key_label() + "' (" + p.algorithm() + ", " +
             p.subject() + ", " + std::to_string(p.validity_days()) + " days), split " +
             std::to_string(s.quorum().threshold()) + " of " + std::to_string(s.quorum().total()) +
             "; each custodian types a new passphrase twice; shares -> " + p.share_dir() +
             "/<name>.share, root certificate -> " + p.root_cert_out() + who;
    }
    case v1::Step::kSignIntermediate: {
      const auto& p = st.sign_intermediate();
      std::string path = p.profile().path_len() < 0 ? "none" : std::to_string(p.profile().path_len());
      return "Begin: sign CSR " + p.csr() + " with root key '" + p.key_label() + "' under profile '" +
             p.profile().name() + "' (" + std::to_string(p.profile().validity_days()) +
             " days, pathLen " + path + "); the host lints the previewed TBSCertificate; result -> " +
             p.cert_out() + who;
    }
    case v1::Step::kIssueCrl:
      return "Begin: issue the root CRL (next update in " +
             std::to_string(st.issue_crl().next_update_days()) +
             " days); the host lints the previewed TBSCertList; result -> " + st.issue_crl().crl_out() + who;
    case v1::Step::kRevokeIntermediate: {
      const auto& p = st.revoke_intermediate();
      return "Begin: revoke intermediate " +
             (p.serial_hex().empty() ? "certificate " + p.cert() : "serial " + p.serial_hex()) +
             " (reason " + p.reason() + ")" + who;
    }
    case v1::Step::kCrossSign:
      return "Begin: cross-sign " + st.cross_sign().cert() + " (" +
             std::to_string(st.cross_sign().validity_days()) + " days); result -> " +
             st.cross_sign().cert_out() + who;
    case v1::Step::kChangeCustodians:
      return "Begin: change custodians to " + Join(st.change_custodians().new_custodians()) +
             " with quorum " + std::to_string(st.change_custodians().new_threshold()) +
             "; new shares -> " + st.change_custodians().share_dir() + who;
    case v1::Step::kDecommission:
      return "Begin: decommission the appliance (" + st.decommission().reason() + ")" + who;
    case v1::Step::kConfirmFingerprint:
      return "Compare the digest on the appliance's display for " +
             op_id(st.confirm_fingerprint().operation()) +
             " with the host's (hex and PGP words), read aloud" + who;
    case v1::Step::kCollectShares:
      return "Collect shares for " + op_id(st.collect_shares().operation()) + ": " +
             std::to_string(s.quorum().threshold()) + " of " + std::to_string(s.quorum().total()) +
             " custodians each insert " + st.collect_shares().share_dir() +
             "/<name>.share and type their passphrase";
    case v1::Step::kExecute:
      return "IRREVERSIBLE: execute " + op_id(st.execute().operation()) +
             " after a typed confirmation; the host checks the result signs exactly the previewed "
             "bytes and verifies under the root key, and prints its SHA-256" + who;
    case v1::Step::kExportJournal:
      return "Export the appliance journal to " + st.export_journal().journal_out() +
             (st.export_journal().acknowledge() ? " and acknowledge it" : "") + who;
    case v1::Step::kSignOff:
      return "Sign off: " +
             (st.sign_off().signers().empty() ? std::string("everyone present")
                                              : Join(st.sign_off().signers())) +
             " sign the printed transcript" + who;
    default:
      return "";
  }
}

std::string RenderPlan(const Script& script) {
  const v1::Script& s = script.proto();
  std::string out;
  out += "Ceremony: " + s.name() + "\n";
  out += "Purpose: " + s.purpose() + "\n";
  out += "Script SHA-256: " + HexString(AsBytes(script.sha256())) + "\n";
  out += "Administrator: " + s.roles().administrator() + "\n";
  out += "Custodians (quorum " + std::to_string(s.quorum().threshold()) + " of " +
         std::to_string(s.quorum().total()) + "):";
  for (int i = 0; i < s.roles().custodians_size(); ++i) {
    out += " #" + std::to_string(i + 1) + " " + s.roles().custodians(i);
  }
  out += "\nWitnesses: " + Join(s.roles().witnesses()) + "\n";
  out += "Lint exceptions:";
  if (s.lint_exceptions().empty()) out += " none";
  out += "\n";
  for (const auto& e : s.lint_exceptions()) out += "  - " + e.name() + ": " + e.reason() + "\n";
  out += "Steps:\n";
  for (int i = 0; i < s.steps_size(); ++i) {
    const v1::Step& st = s.steps(i);
    out += "  " + std::to_string(i + 1) + ". " + st.id() + " (line " +
           std::to_string(script.StepLine(i)) + ", " + StepKind(st) + ")";
    if (!st.title().empty()) out += " — " + st.title();
    out += "\n     " + DescribeStep(script, i) + "\n";
  }
  out += "Dry run: nothing was sent to the appliance.\n";
  return out;
}

}  // namespace pki::ceremony
