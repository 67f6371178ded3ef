// `tower`: the command-line entry point. Dispatches to one subcommand; unknown ones get the overview.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"

namespace {

struct Subcommand {
  const char* name;
  const char* summary;
  tower::cli::CommandFunction run;
};

constexpr Subcommand subcommands[] = {
    {"serve", "run the tower gateway: HTTP API, live feed, simulated machine, the twin at /",
     tower::cli::serve_command},
    {"finance", "quote a purchase on credit: down payment, monthly instalments, schedule",
     tower::cli::finance_command},
    {"plan", "time-optimal jerk-limited profile for one axis", tower::cli::plan_command},
    {"sim", "a what-if run of a scenario: customer waits, utilisation, ETAs", tower::cli::sim_command},
    {"demo", "a guided walk through the tower's rules on the default tower", tower::cli::demo_command},
};

void print_overview(std::FILE* out) {
  std::fprintf(out, "tower: the automated car vending tower\n\nusage: tower <command> [options]\n\ncommands:\n");
  for (const auto& sub : subcommands) std::fprintf(out, "  %-9s %s\n", sub.name, sub.summary);
  std::fprintf(out, "\nRun 'tower <command> --help' for a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_overview(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_overview(stdout);
    return 0;
  }
  for (const auto& sub : subcommands) {
    if (name == sub.name) return sub.run(std::vector<std::string>(argv + 2, argv + argc));
  }
  std::fprintf(stderr, "tower: unknown command '%s' (try 'tower --help')\n", name.c_str());
  return 2;
}
