// `tower serve`: the tower gateway with the simulated machine (DESIGN.md section 3). Runs until SIGINT or
// SIGTERM, then finishes in-flight requests, flushes the store and exits 0.
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "gateway/gateway.hpp"

namespace tower::cli {

namespace {

constexpr const char* usage_text =
    "usage: tower serve [--config FILE] [--data DIR] [--port N] [--public DIR] [--speed X] [--address A]\n"
    "\n"
    "Runs the tower gateway: the system of record of one tower, with its HTTP API under /api/v1 (described at\n"
    "/api/v1/openapi.json), the WebSocket live feed /api/v1/live, /healthz, /metrics, and the digital twin\n"
    "from the public directory at /. The machine is simulated: jobs run on the wall clock.\n"
    "\n"
    "With no options: the embedded default tower (Autobahn Motors), data in ./tower-data, port 8080,\n"
    "public files from ./public. A new tower is stocked with sample cars and gets a staff token in\n"
    "<data>/staff-tokens (use it as 'Authorization: Bearer <token>' for staff routes).\n"
    "\n"
    "options:\n"
    "  --config FILE   a JSON configuration (tower preset, limits, credit provider, ...); flags override it\n"
    "  --data DIR      where the store (SQLite) and the staff tokens live\n"
    "  --port N        TCP port, 0 for any free one (the log says which)\n"
    "  --address A     the address to listen on (default 0.0.0.0)\n"
    "  --public DIR    the files served at /\n"
    "  --speed X       run the simulated machine X times faster than real time (demos; default 1)\n"
    "  --help          print this help\n"
    "\n"
    "Logs are JSON lines on stderr. exit status: 0 stopped cleanly, 1 could not start, 2 usage error\n";

int usage_error(const std::string& reason) {
  std::fprintf(stderr, "tower serve: %s (try 'tower serve --help')\n", reason.c_str());
  return 2;
}

int refused(const std::string& reason) {
  std::fprintf(stderr, "tower serve: %s\n", reason.c_str());
  return 1;
}

}  // namespace

int serve_command(const std::vector<std::string>& argv) {
  const Args args(argv, {"--config", "--data", "--port", "--public", "--speed", "--address"}, {"--help"});
  if (args.has("--help")) {
    std::fputs(usage_text, stdout);
    return 0;
  }
  if (!args.error().empty()) return usage_error(args.error());
  if (!args.positional().empty()) return usage_error("unexpected argument '" + args.positional().front() + "'");

  gateway::GatewayConfig config;
  if (const auto path = args.value("--config")) {
    auto loaded = gateway::load_gateway_config(*path);
    if (!loaded) return refused(loaded.error().message);
    config = std::move(*loaded);
  }
  std::string error;
  if (const auto data = args.value("--data")) config.data_dir = *data;
  if (const auto dir = args.value("--public")) config.public_dir = *dir;
  if (const auto address = args.value("--address")) config.http.address = *address;
  if (const auto port = args.value("--port")) {
    const auto value = parse_integer("--port", *port, error);
    if (!value) return refused(error);
    if (*value < 0 || *value > 65535) return refused("--port must be 0 to 65535");
    config.http.port = static_cast<unsigned short>(*value);
  }
  if (const auto speed = args.value("--speed")) {
    const auto value = parse_number("--speed", *speed, error);
    if (!value) return refused(error);
    if (*value < 0.01 || *value > 1000) return refused("--speed must be from 0.01 to 1000");
    config.machine_speed = *value;
  }

  // Signals are taken synchronously by a waiting thread, so shutdown runs as ordinary code, not in a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto gateway = gateway::Gateway::start(std::move(config));
  if (!gateway) return refused(gateway.error().message);
  std::fprintf(stderr, "tower serve: listening on http://localhost:%u/ (staff tokens in %s); Ctrl-C stops\n",
               static_cast<unsigned>((*gateway)->port()), (*gateway)->staff_tokens_path().c_str());
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::fprintf(stderr, "tower serve: %s received, finishing in-flight requests\n", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*gateway)->stop();
  return 0;
}

}  // namespace tower::cli
