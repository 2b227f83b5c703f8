// SPDX-License-Identifier: Apache-2.0
#include "httpd/request_state.hpp"

#include "httpd/pool.hpp"

#include <type_traits>

namespace authdiag::httpd {

static_assert(std::is_trivially_destructible_v<RequestState>,
              "RequestState lives in the request pool without a cleanup");

RequestState* find_request_state(const request_rec* r) noexcept {
  return static_cast<RequestState*>(ap_get_module_config(r->request_config, &authdiag_module));
}

RequestState& request_state(request_rec* r) {
  if (auto* state = find_request_state(r)) return *state;
  auto* state = pool_make<RequestState>(r->pool);
  ap_set_module_config(r->request_config, &authdiag_module, state);
  return *state;
}

void record_provider(request_rec* r, const char* provider, core::ProviderResult result) {
  auto& state = request_state(r);
  if (state.provider_count == RequestState::kMaxProviders) return;
  state.providers.at(state.provider_count++) = {provider ? provider : "", result};
}

void record_failed_requirement(request_rec* r, const char* provider, const char* require_line) {
  auto& state = request_state(r);
  if (state.failed_requirement_count == RequestState::kMaxRequirements) return;
  const auto index = state.failed_requirement_count++;
  state.failed_requirement_providers.at(index) = provider;
  state.failed_requirements.at(index) =
      require_line && *require_line ? apr_pstrcat(r->pool, provider, " ", require_line, nullptr)
                                    : provider;
}

}  // namespace authdiag::httpd
