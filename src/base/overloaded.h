// Overloaded{lambdas...}: one visitor for std::visit out of several lambdas. Internal header.
//
// Visitors list every alternative by name: no `auto` catch-all, so that a new event type is a
// compile error in every visitor until its rule is written. Same<Ts...>(fn) covers several
// alternatives that get the same treatment, still by name.
#ifndef STATELOG_BASE_OVERLOADED_H_
#define STATELOG_BASE_OVERLOADED_H_

namespace statelog {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

template <class T, class F>
struct SameCase {
  F fn;
  auto operator()(const T&) const { return fn(); }
};
template <class F, class... Ts>
struct SameCases : SameCase<Ts, F>... {
  using SameCase<Ts, F>::operator()...;
};
// A visitor case for each of Ts, each returning fn().
template <class... Ts, class F>
SameCases<F, Ts...> Same(F fn) {
  return SameCases<F, Ts...>{SameCase<Ts, F>{fn}...};
}

}  // namespace statelog

#endif  // STATELOG_BASE_OVERLOADED_H_
