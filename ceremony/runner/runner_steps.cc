// runner_steps.cc — what each kind of step does (see runner.h).
#include <openssl/bio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "ceremony/fingerprint/fingerprint.h"
#include "ceremony/fingerprint/pgp_words.h"
#include "ceremony/lint/tbs_lint.h"
#include "ceremony/runner/result_check.h"
#include "ceremony/runner/runner.h"
#include "ceremony/runner/runner_internal.h"
#include "common/file.h"
#include "common/pem.h"
#include "base/secret.h"
#include "journal/export.h"

namespace pki::ceremony {

namespace lv1 = ::pki::appliance::v1;

namespace internal {

Status MakeParents(const std::string& path) {
  for (size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    const std::string dir = path.substr(0, pos);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return InternalError("cannot create folder ").Append(dir);
    }
  }
  return OkStatus();
}

std::string DerFromFile(const std::string& text) {
  const size_t begin = text.find("-----BEGIN ");
  if (begin == std::string::npos) return text;
  const size_t body = text.find('\n', begin);
  const size_t end = body == std::string::npos ? body : text.find("-----END ", body);
  if (end == std::string::npos) return text;
  OsslPtr<BIO> b64(BIO_new(BIO_f_base64()));
  BIO_push(b64.get(), BIO_new_mem_buf(text.data() + body + 1, static_cast<int>(end - body - 1)));
  std::string out;
  char buf[1024];
  int n;
  while ((n = BIO_read(b64.get(), buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

void WipePassphrases(appliance::v1::BeginOperationRequest& req) {
  if (!req.has_change_custodians()) return;
  for (auto& c : *req.mutable_change_custodians()->mutable_custodians()) {
    SecureZero(c.mutable_passphrase()->data(), c.passphrase().size());
    c.clear_passphrase();
  }
}

}  // namespace internal

namespace {

uint32_t ReasonCode(const std::string& name) {
  static const std::map<std::string, uint32_t> k = {
      {"unspecified", 0}, {"keyCompromise", 1}, {"cACompromise", 2}, {"affiliationChanged", 3},
      {"superseded", 4}, {"cessationOfOperation", 5}, {"privilegeWithdrawn", 9}};
  auto it = k.find(name);
  return it == k.end() ? 0 : it->second;
}

std::string Shown(const std::string& digest) {
  return "   SHA-256   " + GroupedHex(AsBytes(digest)) + "\n   PGP words " + PgpWords(AsBytes(digest));
}

// The phrase a person types to confirm a digest: its first and last PGP word,
// read off the appliance's own display.
std::string DigestPhrase(const std::string& digest) {
  const std::string words = PgpWords(AsBytes(digest));
  return words.substr(0, words.find(' ')) + " " + words.substr(words.rfind(' ') + 1);
}

}  // namespace

Status Runner::ConfirmBy(const v1::Step& step, const std::string& question, const std::string& phrase) {
  if (step.confirmed_by().empty()) return OkStatus();
  PKI_ASSIGN_OR_RETURN(bool yes, prompter_.Confirm(step.id(), step.confirmed_by(), question, phrase));
  if (!yes) {
    return Status(StatusCode::kCancelled, "").Append(step.confirmed_by()).Append(" did not confirm step ").Append(step.id());
  }
  return OkStatus();
}

Status Runner::ReadInput(const std::string& step_id, const std::string& path, std::string* out) {
  auto bytes = ReadFile(options_.media_dir + "/" + path, 1u << 20);
  if (!bytes.ok()) return Status(bytes.status().code(), "input ").Append(path).Append(": ").Append(bytes.status().message());
  *out = std::move(*bytes);
  v1::Artifact* a = state_->body.add_artifacts();
  a->set_path(path);
  a->set_sha256(Sha256(AsBytes(*out)));
  a->set_direction(v1::INPUT);
  a->set_step_id(step_id);
  prompter_.Say("   in  " + path + "  SHA-256 " + HexString(AsBytes(a->sha256())));
  return OkStatus();
}

Status Runner::WriteOutput(const std::string& step_id, const std::string& path, std::string_view bytes,
                           mode_t mode) {
  const std::string full = options_.media_dir + "/" + path;
  PKI_RETURN_IF_ERROR(internal::MakeParents(full));
  PKI_RETURN_IF_ERROR(WriteFileAtomic(full, AsBytes(bytes), mode));
  v1::Artifact* a = state_->body.add_artifacts();
  a->set_path(path);
  a->set_sha256(Sha256(AsBytes(bytes)));
  a->set_direction(v1::OUTPUT);
  a->set_step_id(step_id);
  prompter_.Say("   out " + path + "  SHA-256 " + HexString(AsBytes(a->sha256())));
  return OkStatus();
}

Status Runner::LoadRootKey() {
  if (state_->root_key) return OkStatus();
  PKI_ASSIGN_OR_RETURN(std::string der, session_.RootCertificateDer());
  if (!state_->status.root_cert_sha256.empty() && Sha256(AsBytes(der)) != state_->status.root_cert_sha256) {
    return DataLossError("the root certificate the appliance returned does not match its status");
  }
  PKI_ASSIGN_OR_RETURN(state_->root_key, RootPublicKey(der));
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  state_->root_cert.reset(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  return OkStatus();
}

Status Runner::Lint(const v1::Step& step, const std::string& tbs) {
  const bool is_crl = step.has_issue_crl();
  if (!step.has_sign_intermediate() && !step.has_cross_sign() && !is_crl) return OkStatus();
  if (tbs.empty()) {
    return FailedPreconditionError("the appliance did not preview the to-be-signed bytes; the host cannot lint them");
  }
  PKI_RETURN_IF_ERROR(LoadRootKey());
  std::vector<LintIssue> issues;
  if (is_crl) {
    issues = LintTbsCertList(tbs, *state_->root_cert, step.issue_crl().next_update_days());
  } else {
    CertProfileExpectation e;
    e.validity_days = step.has_sign_intermediate() ? step.sign_intermediate().profile().validity_days()
                                                   : step.cross_sign().validity_days();
    e.path_len = step.has_sign_intermediate() ? step.sign_intermediate().profile().path_len()
                                              : step.cross_sign().path_len();
    if (step.has_sign_intermediate()) {
      for (const auto& d : step.sign_intermediate().profile().permitted_dns()) e.permitted_dns.push_back(d);
      for (const auto& d : step.sign_intermediate().profile().excluded_dns()) e.excluded_dns.push_back(d);
    }
    issues = LintTbsCertificate(tbs, *state_->root_cert, e);
  }
  std::string failed;
  for (const LintIssue& issue : issues) {
    v1::LintFinding* f = state_->body.add_lint();
    f->set_step_id(step.id());
    f->set_name(issue.name);
    f->set_message(issue.message);
    f->set_waived(!issue.fatal && script_.HasLintException(issue.name));
    prompter_.Say("   lint " + issue.name + ": " + issue.message + (f->waived() ? " (waived by the script)" : " (FAILS)"));
    if (!f->waived() && failed.empty()) failed = issue.name + ": " + issue.message;
  }
  if (!failed.empty()) return FailedPreconditionError("lint: ").Append(failed);
  prompter_.Say(issues.empty() ? "   lint: clean" : "   lint: only waived findings");
  return OkStatus();
}

Status Runner::RunStep(int index, v1::StepRecord& record) {
  const v1::Step& step = script_.proto().steps(index);
  switch (step.action_case()) {
    case v1::Step::kCheckAttendance:
      PKI_RETURN_IF_ERROR(Attendance(step));
      return ConfirmBy(step, "Attendance as listed above is correct", "PRESENT");
    case v1::Step::kVerifyAppliance:
      return VerifyAppliance(step, record);
    case v1::Step::kInitRoot:
      return InitRoot(index, record);
    case v1::Step::kConfirmFingerprint:
      return ConfirmFingerprint(step, record);
    case v1::Step::kCollectShares:
      return CollectShares(step, record);
    case v1::Step::kExecute:
      return Execute(step, record);
    case v1::Step::kExportJournal:
      PKI_RETURN_IF_ERROR(ExportJournal(step, record));
      return ConfirmBy(step, "The journal export is stored", "STORED");
    case v1::Step::kSignOff: {
      std::string who;
      for (const auto& p : state_->present) who += " " + p;
      prompter_.Say("   Print the transcript (.md) and sign it:" + who);
      return OkStatus();
    }
    default:
      return BeginOperation(index, record);
  }
}

Status Runner::Attendance(const v1::Step& step) {
  const v1::Script& sc = script_.proto();
  std::vector<std::string> expected = {sc.roles().administrator()};
  for (const auto& c : sc.roles().custodians()) expected.push_back(c);
  for (const auto& w : sc.roles().witnesses()) expected.push_back(w);
  PKI_ASSIGN_OR_RETURN(std::vector<std::string> present, prompter_.Attendance(expected));
  state_->present.clear();
  state_->present.insert(present.begin(), present.end());
  if (state_->present.count(sc.roles().administrator()) == 0) {
    return FailedPreconditionError("the administrator ").Append(sc.roles().administrator()).Append(" is absent");
  }
  uint32_t custodians = 0;
  for (const auto& c : sc.roles().custodians()) {
    if (state_->present.count(c) != 0) {
      ++custodians;
      state_->body.add_custodians_present(c);
      continue;
    }
    bool may = false;
    for (const auto& a : step.check_attendance().may_be_absent()) may = may || a == c;
    if (!may) return FailedPreconditionError("custodian ").Append(c).Append(" is absent and the script does not allow it");
  }
  for (const auto& w : sc.roles().witnesses()) {
    if (state_->present.count(w) != 0) state_->body.add_witnesses_present(w);
  }
  if (state_->body.witnesses_present().empty()) return FailedPreconditionError("no witness is present");
  if (custodians < sc.quorum().threshold()) {
    return FailedPreconditionError("only ").AppendNumber(custodians).Append(" custodians present; quorum needs ").AppendNumber(sc.quorum().threshold());
  }
  std::string line = "   present:";
  for (const auto& p : present) line += " " + p + ";";
  prompter_.Say(line);
  return OkStatus();
}

Status Runner::VerifyAppliance(const v1::Step& step, v1::StepRecord& record) {
  const v1::VerifyAppliance& v = step.verify_appliance();
  PKI_ASSIGN_OR_RETURN(state_->status, session_.GetStatus());
  const ApplianceStatus& st = state_->status;
  prompter_.Say("   appliance: device " + st.device_id + ", firmware " + st.firmware_version + ", " +
                (st.production_build ? "PRODUCTION" : "simulator/test") + " build, state " + st.state +
                ", root " + (st.root_cert_sha256.empty() ? "(none)" : HexString(AsBytes(st.root_cert_sha256))));
  if (!v.device_id().empty() && v.device_id() != st.device_id) {
    return FailedPreconditionError("appliance device id is ").Append(st.device_id).Append(", the script expects ").Append(v.device_id());
  }
  if (!v.firmware_version().empty() && v.firmware_version() != st.firmware_version) {
    return FailedPreconditionError("appliance firmware is ").Append(st.firmware_version).Append(", the script expects ").Append(v.firmware_version());
  }
  if (v.kind() == v1::APPLIANCE_KIND_PRODUCTION && !st.production_build) {
    return FailedPreconditionError("the script expects a production appliance; this is a simulator/test build");
  }
  if (v.kind() == v1::APPLIANCE_KIND_SIMULATOR && st.production_build) {
    return FailedPreconditionError("the script expects a simulator; this is a production appliance");
  }
  if (!v.root_cert_sha256().empty()) {
    std::string want;
    if (!ParseHex(v.root_cert_sha256(), &want) || want != st.root_cert_sha256) {
      return FailedPreconditionError("the appliance's root certificate is not the one the script names");
    }
  }
  record.set_detail("device " + st.device_id + " firmware " + st.firmware_version);
  return ConfirmBy(step, "The appliance's display shows the identity above", "MATCHES");
}

Status Runner::InitRoot(int index, v1::StepRecord& record) {
  const v1::Step& step = script_.proto().steps(index);
  const v1::InitRoot& p = step.init_root();
  const v1::Script& sc = script_.proto();
  if (state_->status.state != "UNPROVISIONED") {
    return FailedPreconditionError("root-init needs an UNPROVISIONED appliance; it is ").Append(state_->status.state);
  }
  std::vector<CustodianPassphrase> passphrases;
  for (const auto& c : sc.roles().custodians()) {
    if (state_->present.count(c) == 0) return FailedPreconditionError("root-init needs every custodian; absent: ").Append(c);
    PKI_ASSIGN_OR_RETURN(SecretBuffer pass, prompter_.Passphrase(c, true));
    passphrases.push_back(CustodianPassphrase{c, std::move(pass)});
  }
  PKI_RETURN_IF_ERROR(ConfirmBy(step, "IRREVERSIBLE: create root key '" + p.key_label() + "'",
                                "CREATE ROOT " + p.key_label()));
  lv1::InitRequest req;
  lv1::KeyAlgorithm alg = lv1::KEY_ALGORITHM_UNSPECIFIED;
  lv1::KeyAlgorithm_Parse(p.algorithm(), &alg);
  req.set_algorithm(alg);
  req.set_subject(p.subject());
  req.set_validity_days(p.validity_days());
  req.set_threshold(sc.quorum().threshold());
  for (const auto& c : sc.roles().custodians()) req.add_custodians()->set_name(c);
  PKI_ASSIGN_OR_RETURN(OperationResult res, session_.Init(req, passphrases));
  PKI_ASSIGN_OR_RETURN(state_->root_key, RootPublicKey(res.result_der));
  {
    const auto* d = reinterpret_cast<const unsigned char*>(res.result_der.data());
    state_->root_cert.reset(d2i_X509(nullptr, &d, static_cast<long>(res.result_der.size())));
  }
  if (res.shares.size() != static_cast<size_t>(sc.roles().custodians_size())) {
    return DataLossError("the appliance returned ").AppendNumber(res.shares.size()).Append(" shares for ")
        .AppendNumber(static_cast<uint64_t>(sc.roles().custodians_size())).Append(" custodians");
  }
  for (const auto& share : res.shares) {
    PKI_RETURN_IF_ERROR(WriteOutput(step.id(), p.share_dir() + "/" + share.custodian + ".share", share.wrapped, 0600));
  }
  PKI_RETURN_IF_ERROR(ConfirmNewShares(step, res.shares, p.share_dir(), record));
  PKI_RETURN_IF_ERROR(WriteOutput(step.id(), p.root_cert_out(), DerToPem("CERTIFICATE", res.result_der), 0644));
  const std::string digest = Sha256(AsBytes(res.result_der));
  state_->ops[index].digest = digest;
  state_->status.root_cert_sha256 = digest;
  record.set_digest(digest);
  record.set_detail("root certificate created; every custodian confirmed their share");
  prompter_.Say("   root certificate\n" + Shown(digest));
  return OkStatus();
}

Status Runner::BeginOperation(int index, v1::StepRecord& record) {
  const v1::Step& step = script_.proto().steps(index);
  lv1::BeginOperationRequest req;
  std::string input;
  switch (step.action_case()) {
    case v1::Step::kSignIntermediate: {
      const auto& p = step.sign_intermediate();
      PKI_RETURN_IF_ERROR(ReadInput(step.id(), p.csr(), &input));
      auto* r = req.mutable_sign_intermediate();
      r->set_csr_der(internal::DerFromFile(input));
      r->mutable_profile()->set_name(p.profile().name());
      r->mutable_profile()->set_validity_days(p.profile().validity_days());
      r->mutable_profile()->set_path_len(p.profile().path_len());
      for (const auto& d : p.profile().permitted_dns()) r->mutable_profile()->add_permitted_dns(d);
      for (const auto& d : p.profile().excluded_dns()) r->mutable_profile()->add_excluded_dns(d);
      break;
    }
    case v1::Step::kIssueCrl:
      req.mutable_issue_crl()->set_next_update_days(step.issue_crl().next_update_days());
      break;
    case v1::Step::kRevokeIntermediate: {
      const auto& p = step.revoke_intermediate();
      std::string serial;
      if (!p.cert().empty()) {
        PKI_RETURN_IF_ERROR(ReadInput(step.id(), p.cert(), &input));
        auto certs = ParseCertificates(input);
        if (!certs.ok() || certs->empty()) return InvalidArgumentError("revoke: ").Append(p.cert()).Append(" is not a certificate");
        const ASN1_INTEGER* sn = X509_get0_serialNumber((*certs)[0].get());
        serial.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(sn)), static_cast<size_t>(ASN1_STRING_length(sn)));
      } else if (!ParseHex(p.serial_hex(), &serial)) {
        return InvalidArgumentError("revoke: serial_hex is not hex");
      }
      req.mutable_revoke()->set_serial(serial);
      req.mutable_revoke()->set_reason(ReasonCode(p.reason()));
      break;
    }
    case v1::Step::kCrossSign: {
      PKI_RETURN_IF_ERROR(ReadInput(step.id(), step.cross_sign().cert(), &input));
      req.mutable_cross_sign()->set_cert_der(internal::DerFromFile(input));
      req.mutable_cross_sign()->set_validity_days(step.cross_sign().validity_days());
      req.mutable_cross_sign()->set_path_len(step.cross_sign().path_len());
      break;
    }
    case v1::Step::kChangeCustodians: {
      // Every new custodian chooses the passphrase that wraps their new
      // share, so each must be present.
      req.mutable_change_custodians()->set_threshold(step.change_custodians().new_threshold());
      for (const auto& c : step.change_custodians().new_custodians()) {
        if (state_->present.count(c) == 0) {
          return FailedPreconditionError("new custodian ").Append(c).Append(" is absent: they must choose their passphrase");
        }
        req.mutable_change_custodians()->add_custodians()->set_name(c);
      }
      break;
    }
    case v1::Step::kDecommission:
      req.mutable_decommission()->set_reason(step.decommission().reason());
      break;
    default:
      return InternalError("not an operation step");
  }
  // The request digest the appliance shows leaves the new passphrases out
  // (docs/appliance-link.md): computed before they are added.
  std::string encoded;
  req.SerializeToString(&encoded);
  const std::string request_sha256 = Sha256(AsBytes(encoded));
  SecureZero(encoded.data(), encoded.size());
  if (step.has_change_custodians()) {
    auto* cc = req.mutable_change_custodians();
    for (int i = 0; i < cc->custodians_size(); ++i) {
      auto pass = prompter_.Passphrase(cc->custodians(i).name(), true);
      if (!pass.ok()) {
        internal::WipePassphrases(req);
        return pass.status();
      }
      cc->mutable_custodians(i)->set_passphrase(std::string(pass->ViewChars(SecretAccess::Grant())));
    }
  }
  auto begun = session_.Begin(req);
  internal::WipePassphrases(req);
  PKI_ASSIGN_OR_RETURN(OperationPreview preview, std::move(begun));
  State::Op& op = state_->ops[index];
  op.nonce = preview.nonce;
  state_->open_nonce = preview.nonce;
  op.tbs_der = preview.tbs_der;
  op.digest = preview.request_sha256;
  if (request_sha256 != preview.request_sha256) {
    return DataLossError("the appliance's request digest is not the SHA-256 of the request the host sent");
  }
  if (!preview.tbs_der.empty() && Sha256(AsBytes(preview.tbs_der)) != preview.tbs_sha256) {
    return DataLossError("the appliance's TBS digest does not match the previewed TBS bytes");
  }
  if (!preview.displayed_words.empty() && preview.displayed_words != PgpWords(AsBytes(preview.request_sha256))) {
    return DataLossError("the PGP words the appliance reports do not encode its digest");
  }
  PKI_RETURN_IF_ERROR(Lint(step, preview.tbs_der));
  record.set_digest(preview.request_sha256);
  record.set_detail(preview.preview);
  prompter_.Say("   appliance preview: " + preview.preview + "\n   request digest (compare with the display):\n" +
                Shown(preview.request_sha256));
  if (!preview.tbs_sha256.empty()) prompter_.Say("   TBS SHA-256 " + GroupedHex(AsBytes(preview.tbs_sha256)));
  return OkStatus();
}

Status Runner::ConfirmFingerprint(const v1::Step& step, v1::StepRecord& record) {
  const int op_index = script_.FindStep(step.confirm_fingerprint().operation());
  State::Op& op = state_->ops[op_index];
  prompter_.Say("   The appliance's display must show:\n" + Shown(op.digest));
  record.set_digest(op.digest);
  PKI_RETURN_IF_ERROR(ConfirmBy(step, "Read the first and last PGP word from the appliance's display",
                                DigestPhrase(op.digest)));
  op.confirmed = true;
  return OkStatus();
}

Status Runner::CollectShares(const v1::Step& step, v1::StepRecord& record) {
  const v1::Script& sc = script_.proto();
  const int op_index = script_.FindStep(step.collect_shares().operation());
  State::Op& op = state_->ops[op_index];
  uint32_t accepted = 0;
  std::string rejected;
  for (const auto& c : sc.roles().custodians()) {
    if (accepted >= sc.quorum().threshold()) break;
    if (state_->present.count(c) == 0) continue;
    const std::string share_path = step.collect_shares().share_dir() + "/" + c + ".share";
    auto share = ReadFile(options_.media_dir + "/" + share_path, 64u << 10);
    if (!share.ok()) {
      rejected += " " + c + " (share file " + share_path + " missing);";
      continue;
    }
    auto pass = prompter_.Passphrase(c, false);
    if (!pass.ok()) {
      if (pass.status().code() == StatusCode::kCancelled) return pass.status();
      rejected += " " + c + " (" + std::string(pass.status().message()) + ");";
      continue;
    }
    auto n = session_.SubmitShare(op.nonce, c, *share, *pass);
    if (!n.ok()) {
      if (auto st = session_.GetStatus(); st.ok() && st->lockout_seconds > 0) {
        // Too many wrong shares in a row: the appliance ended the session.
        state_->open_nonce.clear();
        return FailedPreconditionError("the appliance locked out quorum sessions for ")
            .AppendNumber(st->lockout_seconds)
            .Append(" s after ")
            .AppendNumber(st->consecutive_failures)
            .Append(" wrong shares in a row (last: ")
            .Append(c)
            .Append("); the operation was ended on the appliance");
      }
      if (n.status().code() != StatusCode::kPermissionDenied) return n.status();
      rejected += " " + c + " (share rejected: wrong passphrase or not their share);";
      prompter_.Say("   " + c + ": share REJECTED by the appliance (wrong passphrase or not their share)");
      continue;
    }
    accepted = *n;
    record.add_share_indices(script_.CustodianIndex(c));
    prompter_.Say("   " + c + " (#" + std::to_string(script_.CustodianIndex(c)) + "): share accepted, " +
                  std::to_string(accepted) + " of " + std::to_string(sc.quorum().threshold()));
  }
  if (accepted < sc.quorum().threshold()) {
    return PermissionDeniedError("quorum not reached: ").AppendNumber(accepted).Append(" of ")
        .AppendNumber(sc.quorum().threshold()).Append(" shares;").Append(rejected);
  }
  if (!rejected.empty()) record.set_detail("not used:" + rejected);
  return OkStatus();
}

Status Runner::Execute(const v1::Step& step, v1::StepRecord& record) {
  const int op_index = script_.FindStep(step.execute().operation());
  const v1::Step& op_step = script_.proto().steps(op_index);
  State::Op& op = state_->ops[op_index];
  PKI_RETURN_IF_ERROR(ConfirmBy(step, "IRREVERSIBLE: execute '" + op_step.id() + "'", "EXECUTE " + op_step.id()));
  PKI_ASSIGN_OR_RETURN(OperationResult res, session_.Execute(op.nonce));
  state_->open_nonce.clear();
  record.set_digest(op.digest);
  switch (op_step.action_case()) {
    case v1::Step::kSignIntermediate:
    case v1::Step::kCrossSign: {
      PKI_RETURN_IF_ERROR(LoadRootKey());
      PKI_RETURN_IF_ERROR(CheckCertificate(res.result_der, op.tbs_der, *state_->root_key));
      const std::string& out = op_step.has_sign_intermediate() ? op_step.sign_intermediate().cert_out()
                                                              : op_step.cross_sign().cert_out();
      PKI_RETURN_IF_ERROR(WriteOutput(step.id(), out, DerToPem("CERTIFICATE", res.result_der), 0644));
      break;
    }
    case v1::Step::kIssueCrl:
      PKI_RETURN_IF_ERROR(LoadRootKey());
      PKI_RETURN_IF_ERROR(CheckCrl(res.result_der, op.tbs_der, *state_->root_key));
      PKI_RETURN_IF_ERROR(WriteOutput(step.id(), op_step.issue_crl().crl_out(), DerToPem("X509 CRL", res.result_der), 0644));
      break;
    case v1::Step::kChangeCustodians:
      for (const auto& share : res.shares) {
        PKI_RETURN_IF_ERROR(WriteOutput(step.id(), op_step.change_custodians().share_dir() + "/" + share.custodian + ".share",
                                        share.wrapped, 0600));
      }
      PKI_RETURN_IF_ERROR(ConfirmNewShares(step, res.shares, op_step.change_custodians().share_dir(), record));
      break;
    case v1::Step::kDecommission: {
      // The destruction record: the appliance's signed journal export from
      // the DECOMMISSION record on; checked under its audit key before it is
      // written.
      if (res.result_der.empty()) return DataLossError("decommission: the appliance released no destruction record");
      PKI_ASSIGN_OR_RETURN(std::string audit_key, session_.AuditPublicKeyDer());
      auto summary = appliance::journal::VerifyJournalExportWithKey(AsBytes(res.result_der), AsBytes(audit_key));
      if (!summary.ok()) return DataLossError("decommission: destruction record: ").Append(summary.status().message());
      if (summary->first_seq != res.journal_sequence) {
        return DataLossError("decommission: the destruction record does not start at the DECOMMISSION record");
      }
      const std::string& out = op_step.decommission().record_out().empty() ? std::string("out/destruction-record.bin")
                                                                          : op_step.decommission().record_out();
      PKI_RETURN_IF_ERROR(WriteOutput(step.id(), out, res.result_der, 0644));
      break;
    }
    default:
      break;
  }
  record.set_detail("executed; journal sequence " + std::to_string(res.journal_sequence));
  return OkStatus();
}

Status Runner::ConfirmNewShares(const v1::Step& step, const std::vector<WrappedShareFile>& shares,
                                const std::string& share_dir, v1::StepRecord& record) {
  prompter_.Say("   [" + step.id() + "] Each custodian now re-enters the share they were given, with their new passphrase;\n"
                "   the appliance commits the new split only when every share is confirmed.");
  auto fail = [&](const std::string& custodian, const Status& why) {
    Status cancelled = session_.CancelSplit();
    for (const auto& s : shares) unlink((options_.media_dir + "/" + share_dir + "/" + s.custodian + ".share").c_str());
    return Status(why.code() == StatusCode::kCancelled ? StatusCode::kCancelled : StatusCode::kPermissionDenied,
                  "custodian ")
        .Append(custodian)
        .Append(" did not confirm their new share; the new split was ")
        .Append(cancelled.ok() ? "cancelled on the appliance, share files removed"
                               : "NOT cancelled on the appliance (" + std::string(cancelled.message()) + ")")
        .Append(": ")
        .Append(why.message());
  };
  bool committed = false;
  for (const auto& s : shares) {
    const std::string path = share_dir + "/" + s.custodian + ".share";
    auto wrapped = ReadFile(options_.media_dir + "/" + path, 64u << 10);
    if (!wrapped.ok()) return fail(s.custodian, wrapped.status());
    auto pass = prompter_.ConfirmPassphrase(s.custodian);
    if (!pass.ok()) return fail(s.custodian, pass.status());
    auto n = session_.ConfirmShare(s.custodian, *wrapped, *pass, &committed);
    if (!n.ok()) {
      prompter_.Say("   " + s.custodian + ": share NOT confirmed by the appliance");
      return fail(s.custodian, n.status());
    }
    prompter_.Say("   " + s.custodian + ": share confirmed (" + std::to_string(*n) + " of " +
                  std::to_string(shares.size()) + ")");
  }
  if (!committed) return DataLossError("every share was confirmed but the appliance did not commit the split");
  record.set_detail("every custodian confirmed their new share; split committed");
  return OkStatus();
}

Status Runner::ExportJournal(const v1::Step& step, v1::StepRecord& record) {
  std::string head;
  uint64_t next = 0;
  // From the oldest record the appliance still keeps: everything since the
  // last acknowledged export, including records made between ceremonies
  // (boots, expired or aborted sessions, failed attempts).
  const uint64_t from = std::min(state_->status.journal_first_sequence, state_->body.before().journal_sequence());
  PKI_ASSIGN_OR_RETURN(std::string records, session_.ExportJournal(from, &head, &next));
  // "{seq}" in the path is this ceremony's sequence number, so a later
  // ceremony's export never replaces the file an earlier transcript hashes.
  std::string path = step.export_journal().journal_out();
  if (const size_t at = path.find("{seq}"); at != std::string::npos) {
    path.replace(at, 5, std::to_string(state_->body.sequence()));
  }
  PKI_RETURN_IF_ERROR(WriteOutput(step.id(), path, records, 0644));
  record.set_digest(head);
  record.set_detail("journal up to sequence " + std::to_string(next) + ", head " + HexString(AsBytes(head)));
  if (step.export_journal().acknowledge() && next > 0) PKI_RETURN_IF_ERROR(session_.AckExport(next - 1, head));
  return OkStatus();
}

}  // namespace pki::ceremony
