// Overloaded{lambdas...}: one visitor for std::visit out of several lambdas. Internal header.
#ifndef STATELOG_BASE_OVERLOADED_H_
#define STATELOG_BASE_OVERLOADED_H_

namespace statelog {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace statelog

#endif  // STATELOG_BASE_OVERLOADED_H_
