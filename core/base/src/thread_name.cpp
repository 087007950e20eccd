#include <pthread.h>

#include <string>

#include "odte/core/base/agent.hpp"

namespace odte {

void set_thread_name(const std::string& name) noexcept {
  // Linux keeps 15 characters plus NUL; longer names are cut rather than rejected.
  const std::string cut = name.substr(0, 15);
  pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace odte
