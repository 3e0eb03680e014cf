// status_or.h — a value or the Status explaining why there is none.
//
// Non-allocating: the value lives inline. Reading the value of an error is a
// broken invariant and panics (no exceptions anywhere).
#ifndef PKI_BASE_STATUS_OR_H_
#define PKI_BASE_STATUS_OR_H_

#include <new>
#include <type_traits>
#include <utility>

#include "base/status.h"

namespace pki {

template <typename T>
class [[nodiscard]] StatusOr final {
 public:
  // From an error status. Panics if |status| is OK (that is a caller bug).
  StatusOr(const Status& status) : status_(status) {  // NOLINT: implicit by design
    if (status_.ok()) Panic("StatusOr constructed from an OK status");
  }
  // From a value.
  StatusOr(T&& value) { new (&storage_) T(std::move(value)); }  // NOLINT
  StatusOr(const T& value) { new (&storage_) T(value); }        // NOLINT
  template <typename U,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, T> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, StatusOr>>>
  StatusOr(U&& value) {  // NOLINT
    new (&storage_) T(std::forward<U>(value));
  }

  StatusOr(StatusOr&& other) noexcept(std::is_nothrow_move_constructible_v<T>)
      : status_(other.status_) {
    if (status_.ok()) new (&storage_) T(std::move(*other.ptr()));
  }
  StatusOr& operator=(StatusOr&& other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &other) {
      Reset();
      status_ = other.status_;
      if (status_.ok()) new (&storage_) T(std::move(*other.ptr()));
    }
    return *this;
  }
  StatusOr(const StatusOr& other) : status_(other.status_) {
    if (status_.ok()) new (&storage_) T(*other.ptr());
  }
  StatusOr& operator=(const StatusOr& other) {
    if (this != &other) {
      Reset();
      status_ = other.status_;
      if (status_.ok()) new (&storage_) T(*other.ptr());
    }
    return *this;
  }
  ~StatusOr() { Reset(); }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // The value; panics on an error.
  T& value() & { return *Checked(); }
  const T& value() const& { return *Checked(); }
  T&& value() && { return std::move(*Checked()); }
  T& operator*() & { return *Checked(); }
  const T& operator*() const& { return *Checked(); }
  T* operator->() { return Checked(); }
  const T* operator->() const { return Checked(); }

 private:
  T* ptr() { return std::launder(reinterpret_cast<T*>(&storage_)); }
  const T* ptr() const { return std::launder(reinterpret_cast<const T*>(&storage_)); }
  T* Checked() {
    if (!status_.ok()) Panic("StatusOr: value() of an error");
    return ptr();
  }
  const T* Checked() const {
    if (!status_.ok()) Panic("StatusOr: value() of an error");
    return ptr();
  }
  void Reset() {
    if (status_.ok()) ptr()->~T();
  }

  Status status_;
  alignas(T) unsigned char storage_[sizeof(T)];
};

}  // namespace pki

#define PKI_STATUS_MACROS_CONCAT_INNER_(a, b) a##b
#define PKI_STATUS_MACROS_CONCAT_(a, b) PKI_STATUS_MACROS_CONCAT_INNER_(a, b)

// Declares/assigns |lhs| from a StatusOr expression, or returns its error.
#define PKI_ASSIGN_OR_RETURN(lhs, expr) \
  PKI_ASSIGN_OR_RETURN_IMPL_(PKI_STATUS_MACROS_CONCAT_(pki_statusor_, __LINE__), lhs, expr)
#define PKI_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#endif  // PKI_BASE_STATUS_OR_H_
