#include "ceremony/schema/script.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <map>
#include <set>

#include "ceremony/fingerprint/fingerprint.h"

namespace pki::ceremony {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::TextFormat;

class CollectErrors final : public google::protobuf::io::ErrorCollector {
 public:
  explicit CollectErrors(std::vector<Diagnostic>* out) : out_(out) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    out_->push_back(Diagnostic{line + 1, column + 1, message});
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
    out_->push_back(Diagnostic{line + 1, column + 1, "warning: " + message});
  }

 private:
  std::vector<Diagnostic>* out_;
};

struct PathElem {
  const char* field;
  int index = -1;  // for repeated fields
};

// Locator maps a field path to the line/column the parser saw it at; a field
// that was not written (proto3 default) falls back to its nearest written
// ancestor, so "missing parameter" errors point at the enclosing block.
class Locator final {
 public:
  explicit Locator(const TextFormat::ParseInfoTree* root) : root_(root) {}

  Diagnostic At(std::initializer_list<PathElem> path, std::string message) const {
    Diagnostic d{0, 0, std::move(message)};
    const TextFormat::ParseInfoTree* tree = root_;
    const Descriptor* descriptor = v1::Script::descriptor();
    for (const PathElem& elem : path) {
      if (tree == nullptr || descriptor == nullptr) break;
      const FieldDescriptor* field = descriptor->FindFieldByName(elem.field);
      if (field == nullptr) break;
      const auto loc = tree->GetLocation(field, field->is_repeated() ? elem.index : -1);
      if (loc.line >= 0) {
        d.line = loc.line + 1;
        d.column = loc.column + 1;
      }
      if (field->message_type() == nullptr) break;
      tree = tree->GetTreeForNested(field, field->is_repeated() ? elem.index : -1);
      descriptor = field->message_type();
    }
    return d;
  }

 private:
  const TextFormat::ParseInfoTree* root_;
};

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

const std::set<std::string>& Algorithms() {
  static const std::set<std::string> k = {"EC_P256", "EC_P384", "RSA_3072", "RSA_4096"};
  return k;
}

const std::set<std::string>& RevocationReasons() {
  static const std::set<std::string> k = {"unspecified",   "keyCompromise",       "cACompromise",
                                          "affiliationChanged", "superseded",
                                          "cessationOfOperation", "privilegeWithdrawn"};
  return k;
}

// Validator checks one parsed script; every finding goes to |out|.
class Validator final {
 public:
  Validator(const v1::Script& script, const Locator& where, std::vector<Diagnostic>* out)
      : s_(script), where_(where), out_(out) {}

  void Run() {
    CheckHeader();
    CheckRoles();
    CheckQuorum();
    CheckLintExceptions();
    CheckSteps();
  }

 private:
  void Error(Diagnostic d) { out_->push_back(std::move(d)); }

  void CheckHeader() {
    if (s_.name().empty()) Error(where_.At({{"name"}}, "the script has no name"));
    if (s_.purpose().empty()) Error(where_.At({{"purpose"}}, "the script has no purpose"));
  }

  void AddPerson(const std::string& name, const std::string& role,
                 std::initializer_list<PathElem> path) {
    if (name.empty()) {
      Error(where_.At(path, "empty name for a " + role));
      return;
    }
    auto [it, inserted] = people_.emplace(name, role);
    if (!inserted) {
      Error(where_.At(path, "duplicate name '" + name + "' (already a " + it->second + ")"));
    }
  }

  void CheckRoles() {
    if (!s_.has_roles()) {
      Error(where_.At({}, "the script has no roles block"));
      return;
    }
    const v1::Roles& r = s_.roles();
    if (r.administrator().empty()) {
      Error(where_.At({{"roles"}}, "roles: no administrator"));
    } else {
      AddPerson(r.administrator(), "administrator", {{"roles"}, {"administrator"}});
    }
    if (r.custodians().empty()) Error(where_.At({{"roles"}}, "roles: no custodians"));
    for (int i = 0; i < r.custodians_size(); ++i) {
      AddPerson(r.custodians(i), "custodian", {{"roles"}, {"custodians", i}});
    }
    if (r.witnesses().empty()) Error(where_.At({{"roles"}}, "roles: at least one witness is required"));
    for (int i = 0; i < r.witnesses_size(); ++i) {
      AddPerson(r.witnesses(i), "witness", {{"roles"}, {"witnesses", i}});
    }
  }

  void CheckQuorum() {
    if (!s_.has_quorum()) {
      Error(where_.At({}, "the script has no quorum block"));
      return;
    }
    const v1::Quorum& q = s_.quorum();
    const auto n = static_cast<uint32_t>(s_.roles().custodians_size());
    if (q.threshold() == 0) {
      Error(where_.At({{"quorum"}, {"threshold"}}, "quorum threshold M must be at least 1"));
    }
    if (q.total() != n) {
      Error(where_.At({{"quorum"}, {"total"}},
                      "quorum total N=" + std::to_string(q.total()) + " but roles name " +
                          std::to_string(n) + " custodians"));
    }
    if (q.threshold() > q.total()) {
      Error(where_.At({{"quorum"}, {"threshold"}},
                      "quorum M=" + std::to_string(q.threshold()) + " is greater than N=" +
                          std::to_string(q.total())));
    }
  }

  void CheckLintExceptions() {
    std::set<std::string> seen;
    const auto& known = KnownLintNames();
    for (int i = 0; i < s_.lint_exceptions_size(); ++i) {
      const auto& e = s_.lint_exceptions(i);
      if (std::find(known.begin(), known.end(), e.name()) == known.end()) {
        Error(where_.At({{"lint_exceptions", i}, {"name"}},
                        "unknown lint exception '" + e.name() + "'"));
      }
      if (!seen.insert(e.name()).second) {
        Error(where_.At({{"lint_exceptions", i}, {"name"}},
                        "duplicate lint exception '" + e.name() + "'"));
      }
      if (e.reason().empty()) {
        Error(where_.At({{"lint_exceptions", i}}, "lint exception '" + e.name() + "' gives no reason"));
      }
    }
  }

  // Person checks that |name| is someone in roles (optionally of |role|).
  void Person(int step, const char* field, const std::string& name, const std::string& role,
              std::initializer_list<PathElem> path) {
    auto it = people_.find(name);
    if (it == people_.end()) {
      Error(where_.At(path, std::string("step ") + s_.steps(step).id() + ": " + field + " '" + name +
                                "' is not named in roles"));
    } else if (!role.empty() && it->second != role) {
      Error(where_.At(path, std::string("step ") + s_.steps(step).id() + ": " + field + " '" + name +
                                "' is a " + it->second + ", not a " + role));
    }
  }

  void Require(int i, bool ok, const char* kind, const char* param) {
    if (!ok) {
      Error(where_.At({{"steps", i}, {kind}},
                      std::string("step ") + s_.steps(i).id() + ": " + kind + " needs " + param));
    }
  }

  void CheckOperationParams(int i) {
    const v1::Step& st = s_.steps(i);
    switch (st.action_case()) {
      case v1::Step::kInitRoot: {
        const auto& p = st.init_root();
        Require(i, !p.key_label().empty(), "init_root", "key_label");
        if (!p.algorithm().empty() && Algorithms().count(p.algorithm()) == 0) {
          Error(where_.At({{"steps", i}, {"init_root"}, {"algorithm"}},
                          "step " + st.id() + ": unknown algorithm '" + p.algorithm() +
                              "' (EC_P256, EC_P384, RSA_3072, RSA_4096)"));
        }
        Require(i, !p.algorithm().empty(), "init_root", "algorithm");
        Require(i, !p.subject().empty(), "init_root", "subject");
        Require(i, p.validity_days() > 0, "init_root", "validity_days");
        Require(i, !p.share_dir().empty(), "init_root", "share_dir");
        Require(i, !p.root_cert_out().empty(), "init_root", "root_cert_out");
        break;
      }
      case v1::Step::kSignIntermediate: {
        const auto& p = st.sign_intermediate();
        Require(i, !p.csr().empty(), "sign_intermediate", "csr");
        Require(i, !p.cert_out().empty(), "sign_intermediate", "cert_out");
        Require(i, !p.key_label().empty(), "sign_intermediate", "key_label");
        Require(i, p.has_profile() && !p.profile().name().empty(), "sign_intermediate",
                "profile.name");
        Require(i, p.has_profile() && p.profile().validity_days() > 0, "sign_intermediate",
                "profile.validity_days");
        if (p.profile().path_len() < -1) {
          Error(where_.At({{"steps", i}, {"sign_intermediate"}, {"profile"}, {"path_len"}},
                          "step " + st.id() + ": path_len must be -1 (none) or >= 0"));
        }
        break;
      }
      case v1::Step::kIssueCrl:
        Require(i, st.issue_crl().next_update_days() > 0, "issue_crl", "next_update_days");
        Require(i, !st.issue_crl().crl_out().empty(), "issue_crl", "crl_out");
        if (st.issue_crl().next_update_days() > 366) {
          // The appliance refuses a CRL valid for more than 12 months.
          Error(where_.At({{"steps", i}, {"issue_crl"}, {"next_update_days"}},
                          "step " + st.id() + ": next_update_days must be at most 366 (12 months)"));
        }
        break;
      case v1::Step::kRevokeIntermediate: {
        const auto& p = st.revoke_intermediate();
        if (p.serial_hex().empty() == p.cert().empty()) {
          Error(where_.At({{"steps", i}, {"revoke_intermediate"}},
                          "step " + st.id() + ": revoke_intermediate needs exactly one of serial_hex or cert"));
        }
        if (RevocationReasons().count(p.reason()) == 0) {
          Error(where_.At({{"steps", i}, {"revoke_intermediate"}, {"reason"}},
                          "step " + st.id() + ": revocation reason '" + p.reason() + "' is not an RFC 5280 reason"));
        }
        break;
      }
      case v1::Step::kCrossSign:
        Require(i, !st.cross_sign().cert().empty(), "cross_sign", "cert");
        Require(i, st.cross_sign().validity_days() > 0, "cross_sign", "validity_days");
        Require(i, !st.cross_sign().cert_out().empty(), "cross_sign", "cert_out");
        break;
      case v1::Step::kChangeCustodians: {
        const auto& p = st.change_custodians();
        Require(i, p.new_custodians_size() > 0, "change_custodians", "new_custodians");
        Require(i, !p.share_dir().empty(), "change_custodians", "share_dir");
        std::set<std::string> seen;
        for (int k = 0; k < p.new_custodians_size(); ++k) {
          if (!seen.insert(p.new_custodians(k)).second) {
            Error(where_.At({{"steps", i}, {"change_custodians"}, {"new_custodians", k}},
                            "step " + st.id() + ": duplicate new custodian '" + p.new_custodians(k) + "'"));
          }
          Person(i, "new custodian", p.new_custodians(k), "custodian",
                 {{"steps", i}, {"change_custodians"}, {"new_custodians", k}});
        }
        if (p.new_threshold() == 0 || p.new_threshold() > static_cast<uint32_t>(p.new_custodians_size())) {
          Error(where_.At({{"steps", i}, {"change_custodians"}, {"new_threshold"}},
                          "step " + st.id() + ": new_threshold must be between 1 and the number of new custodians"));
        }
        break;
      }
      case v1::Step::kDecommission:
        Require(i, !st.decommission().reason().empty(), "decommission", "reason");
        break;
      default:
        break;
    }
  }

  // OperationRef resolves a step's `operation` reference to an earlier
  // operation step; returns its index or -1 (after reporting).
  int OperationRef(int i, const char* kind, const std::string& ref) {
    const v1::Step& st = s_.steps(i);
    auto it = ids_.find(ref);
    if (ref.empty()) {
      Error(where_.At({{"steps", i}, {kind}}, "step " + st.id() + ": " + kind + " needs operation"));
      return -1;
    }
    if (it == ids_.end()) {
      Error(where_.At({{"steps", i}, {kind}, {"operation"}},
                      "step " + st.id() + ": operation '" + ref + "' is not an earlier step"));
      return -1;
    }
    if (!IsOperationStep(s_.steps(it->second))) {
      Error(where_.At({{"steps", i}, {kind}, {"operation"}},
                      "step " + st.id() + ": '" + ref + "' is a " + StepKind(s_.steps(it->second)) +
                          " step, not an operation"));
      return -1;
    }
    return it->second;
  }

  struct OpState {
    bool confirmed = false;
    bool shares = false;
    bool executed = false;
  };

  void CheckSteps() {
    if (s_.steps().empty()) {
      Error(where_.At({}, "the script has no steps"));
      return;
    }
    int attendance = -1;
    int verified = -1;
    int open_op = -1;  // a quorum operation begun and not yet executed
    std::map<int, OpState> ops;
    for (int i = 0; i < s_.steps_size(); ++i) {
      const v1::Step& st = s_.steps(i);
      const std::string label = "step " + (st.id().empty() ? std::to_string(i + 1) : st.id());
      if (!ValidId(st.id())) {
        Error(where_.At({{"steps", i}, {"id"}},
                        label + ": id must be 1-64 characters of [a-z0-9-]"));
      } else if (!ids_.emplace(st.id(), i).second) {
        Error(where_.At({{"steps", i}, {"id"}}, "duplicate step id '" + st.id() + "'"));
      }
      if (st.action_case() == v1::Step::ACTION_NOT_SET) {
        Error(where_.At({{"steps", i}}, label + ": no action (check_attendance, collect_shares, ...)"));
        continue;
      }
      const std::string kind = StepKind(st);
      if (!st.confirmed_by().empty()) {
        Person(i, "confirmed_by", st.confirmed_by(), "", {{"steps", i}, {"confirmed_by"}});
      } else if (st.has_execute() || st.has_confirm_fingerprint() || st.has_init_root()) {
        Error(where_.At({{"steps", i}}, label + ": " + kind + " needs confirmed_by (who confirms it)"));
      }
      const bool needs_people = st.has_collect_shares() || st.has_init_root() ||
                                st.has_confirm_fingerprint() || st.has_execute() ||
                                IsOperationStep(st) || st.has_sign_off();
      if (needs_people && attendance < 0 && !st.has_check_attendance()) {
        Error(where_.At({{"steps", i}}, label + ": " + kind + " before check_attendance"));
      }
      if (IsOperationStep(st) && verified < 0) {
        Error(where_.At({{"steps", i}}, label + ": " + kind + " before verify_appliance"));
      }
      switch (st.action_case()) {
        case v1::Step::kCheckAttendance: {
          if (attendance >= 0) {
            Error(where_.At({{"steps", i}}, label + ": attendance is already checked in step " +
                                                 s_.steps(attendance).id()));
          }
          attendance = i;
          const auto& a = st.check_attendance();
          for (int k = 0; k < a.may_be_absent_size(); ++k) {
            Person(i, "may_be_absent", a.may_be_absent(k), "custodian",
                   {{"steps", i}, {"check_attendance"}, {"may_be_absent", k}});
          }
          const int present = s_.roles().custodians_size() - a.may_be_absent_size();
          if (present < static_cast<int>(s_.quorum().threshold())) {
            Error(where_.At({{"steps", i}, {"check_attendance"}},
                            label + ": with " + std::to_string(a.may_be_absent_size()) +
                                " custodians absent the quorum M=" +
                                std::to_string(s_.quorum().threshold()) + " cannot be reached"));
          }
          break;
        }
        case v1::Step::kVerifyAppliance:
          verified = i;
          break;
        case v1::Step::kConfirmFingerprint: {
          const int op = OperationRef(i, "confirm_fingerprint", st.confirm_fingerprint().operation());
          if (op >= 0) ops[op].confirmed = true;
          break;
        }
        case v1::Step::kCollectShares: {
          const int op = OperationRef(i, "collect_shares", st.collect_shares().operation());
          if (op >= 0 && s_.steps(op).has_init_root()) {
            Error(where_.At({{"steps", i}, {"collect_shares"}, {"operation"}},
                            label + ": init_root needs no shares (it creates them)"));
          } else if (op >= 0) {
            if (!ops[op].confirmed) {
              Error(where_.At({{"steps", i}}, label + ": shares collected for '" + s_.steps(op).id() +
                                                   "' before its fingerprint is confirmed"));
            }
            if (ops[op].shares) {
              Error(where_.At({{"steps", i}}, label + ": shares for '" + s_.steps(op).id() +
                                                   "' are already collected"));
            }
            ops[op].shares = true;
          }
          if (st.collect_shares().share_dir().empty()) {
            Error(where_.At({{"steps", i}, {"collect_shares"}}, label + ": collect_shares needs share_dir"));
          }
          break;
        }
        case v1::Step::kExecute: {
          const int op = OperationRef(i, "execute", st.execute().operation());
          if (op < 0) break;
          if (s_.steps(op).has_init_root()) {
            Error(where_.At({{"steps", i}, {"execute"}, {"operation"}},
                            label + ": init_root runs in its own step; nothing to execute"));
            break;
          }
          if (ops[op].executed) {
            Error(where_.At({{"steps", i}}, label + ": '" + s_.steps(op).id() + "' is already executed"));
          }
          if (!ops[op].confirmed) {
            Error(where_.At({{"steps", i}}, label + ": '" + s_.steps(op).id() +
                                                 "' executed without a confirm_fingerprint step"));
          }
          if (!ops[op].shares) {
            Error(where_.At({{"steps", i}}, label + ": '" + s_.steps(op).id() +
                                                 "' executed before collect_shares"));
          }
          ops[op].executed = true;
          if (open_op == op) open_op = -1;
          break;
        }
        default:
          if (IsOperationStep(st)) {
            CheckOperationParams(i);
            if (open_op >= 0) {
              Error(where_.At({{"steps", i}}, label + ": begins an operation while '" +
                                                   s_.steps(open_op).id() + "' is still open"));
            }
            ops[i];
            if (!st.has_init_root()) open_op = i;
          }
          break;
      }
    }
    for (const auto& [op, state] : ops) {
      if (!s_.steps(op).has_init_root() && !state.executed) {
        Error(where_.At({{"steps", op}}, "step " + s_.steps(op).id() +
                                              ": operation is begun but never executed"));
      }
    }
  }

  const v1::Script& s_;
  const Locator& where_;
  std::vector<Diagnostic>* out_;
  std::map<std::string, std::string> people_;  // name -> role
  std::map<std::string, int> ids_;             // step id -> index
};

}  // namespace

const std::vector<std::string>& KnownLintNames() {
  static const std::vector<std::string> k = {
      "validity-exceeds-profile", "validity-beyond-issuer", "missing-aki",  "missing-ski",
      "name-constraints-mismatch", "name-constraints-not-critical",
      "basic-constraints-not-critical", "key-usage-not-critical", "serial-not-20-bytes",
      "ecdsa-params-not-absent", "crl-next-update-far", "subject-empty", "path-len-absent"};
  return k;
}

std::string StepKind(const v1::Step& step) {
  const auto* oneof = v1::Step::descriptor()->FindOneofByName("action");
  const auto* reflection = v1::Step::GetReflection();
  const FieldDescriptor* field = reflection->GetOneofFieldDescriptor(step, oneof);
  return field == nullptr ? "" : field->name();
}

bool IsOperationStep(const v1::Step& step) {
  switch (step.action_case()) {
    case v1::Step::kInitRoot:
    case v1::Step::kSignIntermediate:
    case v1::Step::kIssueCrl:
    case v1::Step::kRevokeIntermediate:
    case v1::Step::kCrossSign:
    case v1::Step::kChangeCustodians:
    case v1::Step::kDecommission:
      return true;
    default:
      return false;
  }
}

StatusOr<std::unique_ptr<Script>> Script::Parse(std::string_view text,
                                                std::vector<Diagnostic>* out_diagnostics) {
  std::vector<Diagnostic> local;
  std::vector<Diagnostic>& diags = out_diagnostics != nullptr ? *out_diagnostics : local;
  diags.clear();
  std::unique_ptr<Script> script(new Script());
  TextFormat::Parser parser;
  CollectErrors collector(&diags);
  TextFormat::ParseInfoTree tree;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(&tree);
  parser.AllowUnknownField(false);
  const bool parsed = parser.ParseFromString(std::string(text), &script->script_);
  if (parsed) {
    Locator where(&tree);
    Validator(script->script_, where, &diags).Run();
    for (int i = 0; i < script->script_.steps_size(); ++i) {
      script->step_lines_.push_back(where.At({{"steps", i}}, "").line);
    }
  } else if (diags.empty()) {
    diags.push_back(Diagnostic{0, 0, "the script does not parse"});
  }
  std::stable_sort(diags.begin(), diags.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  if (!diags.empty()) return InvalidArgumentError(diags.front().ToString());
  script->sha256_ = Sha256(AsBytes(text));
  return script;
}

int Script::StepLine(int index) const {
  if (index < 0 || static_cast<size_t>(index) >= step_lines_.size()) return 0;
  return step_lines_[static_cast<size_t>(index)];
}

int Script::FindStep(std::string_view id) const {
  for (int i = 0; i < script_.steps_size(); ++i) {
    if (script_.steps(i).id() == id) return i;
  }
  return -1;
}

uint32_t Script::CustodianIndex(std::string_view name) const {
  const auto& c = script_.roles().custodians();
  for (int i = 0; i < c.size(); ++i) {
    if (c[i] == name) return static_cast<uint32_t>(i + 1);
  }
  return 0;
}

std::string Script::RoleOf(std::string_view name) const {
  const auto& r = script_.roles();
  if (r.administrator() == name) return "administrator";
  for (const auto& c : r.custodians()) {
    if (c == name) return "custodian";
  }
  for (const auto& w : r.witnesses()) {
    if (w == name) return "witness";
  }
  return "";
}

bool Script::HasLintException(std::string_view name) const {
  for (const auto& e : script_.lint_exceptions()) {
    if (e.name() == name) return true;
  }
  return false;
}

}  // namespace pki::ceremony
