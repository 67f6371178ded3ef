// Every `tower` subcommand, one file each. Each prints its own --help and returns the exit code.
#pragma once

#include <string>
#include <vector>

namespace tower::cli {

int finance_command(const std::vector<std::string>& args);
int plan_command(const std::vector<std::string>& args);
int demo_command(const std::vector<std::string>& args);
int sim_command(const std::vector<std::string>& args);
int serve_command(const std::vector<std::string>& args);

}  // namespace tower::cli
