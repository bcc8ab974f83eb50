// `statelog state id|hash|sign|recover`: Nitro developer tools. Each reads one go-nitro State or
// SignedState JSON document on stdin and prints one line of 0x-prefixed lowercase hex.
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "statelog/nitro.h"

namespace statelog::cli {
namespace {

struct StateOptions {
  std::string key;  // sign: the private key, 0x + 64 hex
  std::string sig;  // recover: the signature, 0x + 130 hex
};

// Reports `s` on stderr as "statelog state <cmd>: <what>: <message>" and sets the exit code.
void Fail(Context& ctx, std::string_view cmd, std::string_view what, const Status& s) {
  std::cerr << "statelog state " << cmd << ": " << what << ": " << s.message() << "\n";
  ctx.exit_code = kExitBadInput;
}

// Reads stdin and parses it as a State or SignedState.
StatusOr<nitro::SignedState> ReadInput() {
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (std::cin.bad()) return Status::IOError("cannot read stdin");
  return nitro::ParseNitroSignedStateJson(text);
}

void RunState(Context& ctx, std::string_view cmd, const StateOptions& opts) {
  StatusOr<nitro::SignedState> in = ReadInput();
  if (!in.ok()) {
    Fail(ctx, cmd, "stdin", in.status());
    if (in.status().code() == StatusCode::kIOError) ctx.exit_code = kExitFailure;
    return;
  }
  const State& state = in->state;
  if (cmd == "id") {
    std::cout << nitro::ComputeChannelId(state.fixed).ToHex() << "\n";
    return;
  }
  Hash256 hash = nitro::ComputeStateHash(state);
  if (cmd == "hash") {
    std::cout << hash.ToHex() << "\n";
    return;
  }
  if (cmd == "sign") {
    // go-nitro's own test keys are written without 0x: both forms are accepted.
    const bool prefixed =
        opts.key.size() >= 2 && opts.key[0] == '0' && (opts.key[1] == 'x' || opts.key[1] == 'X');
    StatusOr<Bytes32> key = Bytes32::FromHex(prefixed ? opts.key : "0x" + opts.key);
    if (!key.ok()) return Fail(ctx, cmd, "--key", key.status());
    StatusOr<Signature> sig = nitro::SignHash(hash, *key);
    if (!sig.ok()) return Fail(ctx, cmd, "--key", sig.status());
    std::cout << sig->ToHex() << "\n";
    return;
  }
  // recover
  Signature sig;
  if (!opts.sig.empty()) {
    StatusOr<Signature> parsed = Signature::FromHex(opts.sig);
    if (!parsed.ok()) return Fail(ctx, cmd, "--sig", parsed.status());
    sig = *parsed;
  } else if (in->sigs.size() == 1) {
    sig = in->sigs.begin()->second;
  } else {
    return Fail(ctx, cmd, "--sig",
                Status::InvalidArgument(
                    "missing; without --sig the input must hold exactly one signature in Sigs "
                    "(it holds " +
                    std::to_string(in->sigs.size()) + ")"));
  }
  StatusOr<Address> signer = nitro::RecoverSigner(hash, sig);
  if (!signer.ok()) return Fail(ctx, cmd, "signature", signer.status());
  std::cout << signer->ToHex() << "\n";
}

}  // namespace

void RegisterStateCommands(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<StateOptions>();
  CLI::App* state = app.add_subcommand(
      "state", "Nitro tools: read one go-nitro State or SignedState JSON on stdin");
  state->require_subcommand(1);

  CLI::App* id = state->add_subcommand("id", "Print the channel id (keccak256 of the fixed part)");
  id->callback([&ctx, opts] { RunState(ctx, "id", *opts); });

  CLI::App* hash = state->add_subcommand("hash", "Print the state hash");
  hash->callback([&ctx, opts] { RunState(ctx, "hash", *opts); });

  CLI::App* sign = state->add_subcommand(
      "sign", "Sign the state hash (Ethereum signed message) and print r||s||v");
  sign->add_option("--key", opts->key, "Private key, 64 hex digits, with or without 0x")
      ->required();
  sign->callback([&ctx, opts] { RunState(ctx, "sign", *opts); });

  CLI::App* recover =
      state->add_subcommand("recover", "Print the address that signed the state hash");
  recover->add_option("--sig", opts->sig,
                      "Signature r||s||v, 0x + 130 hex digits; defaults to the one signature in "
                      "the input's Sigs");
  recover->callback([&ctx, opts] { RunState(ctx, "recover", *opts); });
}

}  // namespace statelog::cli
