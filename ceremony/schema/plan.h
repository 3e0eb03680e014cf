// plan.h — the dry run: what a validated script will do, step by step, in
// the words the administrator reads aloud (`ceremony plan SCRIPT`).
#ifndef PKI_CEREMONY_SCHEMA_PLAN_H_
#define PKI_CEREMONY_SCHEMA_PLAN_H_

#include <string>

#include "ceremony/schema/script.h"

namespace pki::ceremony {

// DescribeStep returns one line saying what step |index| of |script| does
// (its inputs and outputs, who confirms, IRREVERSIBLE where it is). Never
// fails; an out-of-range index gives "".
std::string DescribeStep(const Script& script, int index);

// RenderPlan returns the whole plan: header, roles, quorum, lint exceptions,
// numbered steps with their script lines. Never fails; touches nothing.
std::string RenderPlan(const Script& script);

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_SCHEMA_PLAN_H_
