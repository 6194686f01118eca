// Errors: every failure in the core is a CinderError carrying a message that names the op.
// The binding layer turns it into a JS exception; nothing in the core aborts the process.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace cinder {

struct CinderError : std::runtime_error {
  explicit CinderError(const std::string& msg) : std::runtime_error(msg) {}
};

namespace detail {
inline void streamAll(std::ostringstream&) {}
template <typename T, typename... Rest>
void streamAll(std::ostringstream& os, const T& first, const Rest&... rest) {
  os << first;
  streamAll(os, rest...);
}
}  // namespace detail

template <typename... Args>
[[noreturn]] void fail(const Args&... args) {
  std::ostringstream os;
  detail::streamAll(os, args...);
  throw CinderError(os.str());
}

}  // namespace cinder

#define CINDER_CHECK(cond, ...)          \
  do {                                   \
    if (!(cond)) ::cinder::fail(__VA_ARGS__); \
  } while (0)
